package dev.cadet.collector.testkit;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the host's {@link FetchContext}, for provider tests: records pages, calls, the
 * failures each call saw and warnings. Like the host, it retries
 * {@link CollectorException.Kind#RETRY} failures up to {@code maxAttempts} times and calls once more
 * after a {@link CollectorException.Kind#REAUTH}. Unpaced by default; {@link #paced} spaces attempts
 * as the host's quota does: each permit at least {@code spacing} after the previous request left,
 * i.e. after its permit or, if later, its {@link #sending()} report.
 * Sources with work items (drop folders) need the host's item store: {@link #markItem} refuses.
 */
public final class RecordingFetchContext implements FetchContext {
    public final List<List<RawRecord>> pages = new ArrayList<>();
    public final List<String> calls = new ArrayList<>();
    public final List<CollectorException> failures = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    /** When each permit was granted (paced contexts only). */
    public final List<Instant> permits = new ArrayList<>();
    /** Each {@link #sending()} report made during a call. */
    public final List<Instant> sends = new ArrayList<>();
    /** What {@link #stopping()} answers; a test sets it to stop a fetch between pages. */
    public volatile boolean stopping;
    private final int maxAttempts;
    private final Duration spacing;
    private Instant lastSent;
    private boolean inCall;

    public RecordingFetchContext(int maxAttempts) {
        this(maxAttempts, null);
    }

    private RecordingFetchContext(int maxAttempts, Duration spacing) {
        this.maxAttempts = maxAttempts;
        this.spacing = spacing;
    }

    /** Paces every attempt like the host: {@code spacing} after the previous request left. */
    public static RecordingFetchContext paced(int maxAttempts, Duration spacing) {
        return new RecordingFetchContext(maxAttempts, spacing);
    }

    private void permit() throws CollectorException {
        if (spacing == null) {
            return;
        }
        if (lastSent != null) {
            long waitMs = Duration.between(Instant.now(), lastSent.plus(spacing)).toMillis() + 1;
            if (waitMs > 0) {
                try {
                    Thread.sleep(waitMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw CollectorException.retry("interrupted while pacing", null, e);
                }
            }
        }
        lastSent = Instant.now();
        permits.add(lastSent);
    }

    @Override
    public void sending() {
        if (inCall) {
            Instant now = Instant.now();
            sends.add(now);
            if (lastSent == null || now.isAfter(lastSent)) {
                lastSent = now;
            }
        }
    }

    @Override
    public void page(List<RawRecord> records) {
        pages.add(List.copyOf(records));
    }

    @Override
    public <T> T call(String what, Request<T> request) throws CollectorException {
        boolean reauthenticated = false;
        for (int attempt = 1; ; attempt++) {
            permit();
            calls.add(what);
            inCall = true;
            try {
                return request.run();
            } catch (CollectorException e) {
                failures.add(e);
                if (e.kind() == CollectorException.Kind.REAUTH && !reauthenticated) {
                    reauthenticated = true; // the call after a new credential is not a retry attempt
                    attempt--;
                    continue;
                }
                if (e.kind() != CollectorException.Kind.RETRY || attempt >= maxAttempts) {
                    throw e;
                }
            } finally {
                inCall = false;
            }
        }
    }

    @Override
    public void warn(String message) {
        warnings.add(message);
    }

    @Override
    public boolean itemMarked(String itemKey) {
        return false;
    }

    @Override
    public void markItem(String itemKey, String state) {
        throw new UnsupportedOperationException("this test context keeps no work items (marking " + itemKey + ")");
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    /** Every record of every page, in the order pushed. */
    public List<RawRecord> records() {
        return pages.stream().flatMap(List::stream).toList();
    }
}
