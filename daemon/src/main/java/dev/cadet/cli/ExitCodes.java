package dev.cadet.cli;

/** The exit codes every command uses; documented in the README. */
public final class ExitCodes {
    /** Success. */
    public static final int OK = 0;
    /** A failure while running: store, network, I/O. */
    public static final int FAILURE = 1;
    /** A problem in the config, the rules or the arguments. */
    public static final int INVALID = 2;

    private ExitCodes() {
    }
}
