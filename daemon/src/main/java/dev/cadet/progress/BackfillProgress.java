package dev.cadet.progress;

import dev.cadet.poll.BackfillListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The first-start backfill of every stream on one terminal line: window parts committed of the
 * parts planned, per stream. The line ends when the last stream's backfill has ended.
 */
public final class BackfillProgress implements BackfillListener {
    private final ProgressLine line;
    /** Streams whose backfill is running: parts done, parts planned. */
    private final Map<String, int[]> running = new LinkedHashMap<>();

    public BackfillProgress(ProgressLine line) {
        this.line = Objects.requireNonNull(line, "line");
    }

    @Override
    public synchronized void partCommitted(String streamKey, int done, int total) {
        running.put(streamKey, new int[] {done, total});
        line.show(text());
    }

    @Override
    public synchronized void ended(String streamKey) {
        if (running.remove(streamKey) != null && running.isEmpty()) {
            line.close();
        } else if (!running.isEmpty()) {
            line.show(text());
        }
    }

    private String text() {
        StringBuilder b = new StringBuilder("backfill ");
        long done = 0;
        long total = 0;
        for (Map.Entry<String, int[]> e : running.entrySet()) {
            if (b.length() > "backfill ".length()) {
                b.append(", ");
            }
            b.append(e.getKey()).append(' ').append(e.getValue()[0]).append('/').append(e.getValue()[1]);
            done += e.getValue()[0];
            total += e.getValue()[1];
        }
        return ProgressLine.bar(done, total) + " " + b;
    }
}
