package dev.cadet;

import dev.cadet.cli.CadetCommand;
import picocli.CommandLine;

/** Entry point of the {@code cadet} command. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code (used by tests, which must not call System.exit). */
    public static int run(String... args) {
        return CadetCommand.commandLine().execute(args);
    }
}
