package dev.cadet.provider.gcp;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in for the host's FetchContext: records pages, calls and the failures each call saw, and
 * retries {@link CollectorException.Kind#RETRY} failures up to {@code maxAttempts} times without
 * sleeping (the real host waits and paces by quota), and calls once more after a
 * {@link CollectorException.Kind#REAUTH}, as the host does.
 */
public final class RecordingFetchContext implements FetchContext {
    public final List<List<RawRecord>> pages = new ArrayList<>();
    public final List<String> calls = new ArrayList<>();
    public final List<CollectorException> failures = new ArrayList<>();
    public final List<String> warnings = new ArrayList<>();
    private final int maxAttempts;
    public volatile boolean stopping;

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
                    reauthenticated = true;
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
        throw new UnsupportedOperationException("Google sources have no work items");
    }

    @Override
    public boolean stopping() {
        return stopping;
    }

    public List<RawRecord> records() {
        return pages.stream().flatMap(List::stream).toList();
    }
}
