package dev.cadet.cli;

import dev.cadet.forward.cef.CefEncoder;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code cadet} command and its sub-commands. */
@Command(name = "cadet", mixinStandardHelpOptions = true, versionProvider = CadetCommand.Version.class,
        description = "Cloud Account DETection: polls cloud audit APIs, detects cloud account creation "
                + "(MITRE ATT&CK T1136.003) and forwards alerts as CEF over syslog.",
        subcommands = {RunCommand.class, ReplayCommand.class, CheckConfigCommand.class, SendTestAlertCommand.class,
                StatusCommand.class, RulesCommand.class, PluginsCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:a failure while running (store, network, I/O)",
                "2:a problem in the config, the rules or the arguments"})
public final class CadetCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed, e.g. cadet run");
    }

    /** The command line with cadet's exit codes for bad arguments and uncaught failures. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new CadetCommand());
        // the help and README spell values in lower case (--format json|cef)
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? ExitCodes.INVALID : ExitCodes.FAILURE);
        cl.getCommandSpec().exitCodeOnInvalidInput(ExitCodes.INVALID);
        cl.getCommandSpec().exitCodeOnExecutionException(ExitCodes.FAILURE);
        return cl;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"cadet " + CefEncoder.daemonVersion()};
        }
    }
}
