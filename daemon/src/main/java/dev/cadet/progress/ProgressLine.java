package dev.cadet.progress;

import java.io.PrintStream;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * One line of progress on a terminal, rewritten in place ({@code \r}) at most every 200 ms, ended
 * with a newline on {@link #close()}. Only for people watching a terminal: {@link #onTerminal()}
 * gives a line that prints nothing unless the JVM has a console, so pipes, files, tests and
 * systemd's journal never see it.
 */
public class ProgressLine implements AutoCloseable {
    static final long MIN_INTERVAL_NANOS = 200_000_000L;
    private static final int BAR_WIDTH = 24;

    /** Prints nothing. */
    public static final ProgressLine NONE = new ProgressLine(null, System::nanoTime) {
        @Override
        public void show(String text) {
        }

        @Override
        public void close() {
        }
    };

    private final PrintStream out;
    private final LongSupplier nanoTime;
    private long lastShown;
    private boolean shown;
    private int lastLength;
    private String pending;

    /** A line on {@code out}; {@code nanoTime} paces the updates. */
    ProgressLine(PrintStream out, LongSupplier nanoTime) {
        this.out = out;
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    }

    /** A line on standard error when there is a terminal (a console), else {@link #NONE}. */
    public static ProgressLine onTerminal() {
        return System.console() != null ? new ProgressLine(System.err, System::nanoTime) : NONE;
    }

    /** Shows {@code text} now, or at the next call after the pacing interval; the last text shows on {@link #close()}. */
    public synchronized void show(String text) {
        pending = text;
        long now = nanoTime.getAsLong();
        if (!shown || now - lastShown >= MIN_INTERVAL_NANOS) {
            render();
            lastShown = now;
        }
    }

    private void render() {
        if (pending == null) {
            return;
        }
        // pad with spaces over what a longer previous text left on the line
        String text = pending.replaceAll("\\p{Cntrl}", " ");
        int pad = Math.max(0, lastLength - text.length());
        out.print("\r" + text + " ".repeat(pad));
        out.flush();
        lastLength = text.length();
        shown = true;
        pending = null;
    }

    /** Shows the last text and ends the line, if anything was shown. */
    @Override
    public synchronized void close() {
        render();
        if (shown) {
            out.println();
            out.flush();
            shown = false;
            lastLength = 0;
        }
    }

    /** {@code [#####-----]  50%}: {@code done} of {@code total}; an unknown total ({@code <= 0}) gives an empty bar. */
    public static String bar(long done, long total) {
        if (total <= 0) {
            return "[" + "-".repeat(BAR_WIDTH) + "]";
        }
        long clamped = Math.max(0, Math.min(done, total));
        int filled = (int) (clamped * BAR_WIDTH / total);
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + String.format("%3d%%", clamped * 100 / total);
    }
}
