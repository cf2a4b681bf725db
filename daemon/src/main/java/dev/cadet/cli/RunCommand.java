package dev.cadet.cli;

import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck;
import dev.cadet.daemon.Daemon;
import dev.cadet.detect.RuleLoadException;
import dev.cadet.detect.RuleSet;
import dev.cadet.plugin.PluginRegistry;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cadet run}: the daemon, until SIGTERM or Ctrl-C. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the daemon: polls every configured stream, detects, forwards alerts. Stops cleanly on SIGTERM.")
final class RunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);

    @Mixin
    ConfigOption configOption;

    /** Where the stop-on-SIGTERM thread goes: the JVM's shutdown hooks (a test may catch it instead). */
    Consumer<Thread> shutdownHooks = Runtime.getRuntime()::addShutdownHook;

    @Override
    public Integer call() throws InterruptedException {
        CadetConfig config = configOption.load();
        PluginRegistry plugins = PluginRegistry.load(config.pluginsDir());
        ConfigCheck.Result checked = ConfigCheck.check(config, plugins, CheckConfigCommand::readOutput);
        if (!checked.ok()) {
            checked.problems().forEach(p -> System.err.println("config: " + p));
            System.err.println("cadet: not started: " + checked.problems().size() + " problem(s) in " + config.source());
            checked.close();
            plugins.close();
            return ExitCodes.INVALID;
        }
        RuleSet rules;
        try {
            rules = RuleSet.load(config.detection().ruleDirs());
        } catch (RuleLoadException e) {
            e.problems().forEach(p -> System.err.println("rules: " + p));
            System.err.println("cadet: not started: the rules did not load");
            checked.close();
            plugins.close();
            return ExitCodes.INVALID;
        }
        rules.warnings().forEach(w -> LOG.warn("rules: {}", w));
        Daemon daemon = Daemon.create(config, plugins, checked.providers(), rules);
        // Before anything runs: a SIGTERM while starting still stops cleanly.
        shutdownHooks.accept(new Thread(daemon::close, "cadet-shutdown"));
        daemon.start();
        daemon.awaitStop();
        return ExitCodes.OK;
    }
}
