package dev.cadet.cli;

import dev.cadet.config.ConfigCheck;
import dev.cadet.forward.Output;
import dev.cadet.forward.Outputs;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cadet check-config}: every problem of the config, one per line with its path; exit 2 if any. */
@Command(name = "check-config", mixinStandardHelpOptions = true,
        description = "Checks the config (and the plugins it names) and prints every problem with its path in the file.")
final class CheckConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        return ConfigCheck.run(config.load(), CheckConfigCommand::readOutput, System.out);
    }

    /** Reads an output entry the way the daemon will, without opening a connection. */
    static void readOutput(dev.cadet.collector.ProviderConfig entry) {
        List<Output> built = Outputs.fromConfig(List.of(entry));
        built.forEach(Output::close);
    }
}
