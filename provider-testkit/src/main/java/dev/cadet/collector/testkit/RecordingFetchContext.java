package dev.cadet.collector.testkit;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the host's {@link FetchContext}, for provider tests: records pages, calls, the
 * failures each call saw and warnings. Like the host, it retries
 * {@link CollectorException.Kind#RETRY} failures up to {@code maxAttempts} times and calls once more
 * after a {@link CollectorException.Kind#REAUTH}; unlike the host it never sleeps or paces by quota.
 * Sources with work items (drop folders) need the host's item store: {@link #markItem} refuses.
 */
public final class RecordingFetchContext implements FetchContext {
    public final List<List<RawRecord>> pages = new ArrayList<>();
    public final List<String> calls = new ArrayList<>();
    public final List<CollectorException> failures = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    /** What {@link #stopping()} answers; a test sets it to stop a fetch between pages. */
    public volatile boolean stopping;
    private final int maxAttempts;

    public RecordingFetchContext(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    @Override
    public void page(List<RawRecord> records) {
        pages.add(List.copyOf(records));
    }

    @Override
    public <T> T call(String what, Request<T> request) throws CollectorException {
        boolean reauthenticated = false;
        for (int attempt = 1; ; attempt++) {
            calls.add(what);
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
