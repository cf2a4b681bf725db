package dev.cadet.collector;

import java.time.Instant;

/**
 * Reads the records of one window of one stream.
 *
 * <p>Threading: called from a scheduler worker thread. The host never runs two fetches of the same
 * stream at once; fetches of different streams of one provider may run concurrently, so a source must
 * be thread-safe across streams.
 *
 * <p>Contract: push every record whose time (on the stream's {@link TimeAxis}) lies in the window,
 * bounds included, page by page with {@link FetchContext#page}; never hold a whole window in memory.
 * Records may be pushed in any order and more than once (the host dedups by event id). Make every
 * remote call through {@link FetchContext#call} so the host can pace it by quota and retry it.
 * Page tokens live only inside one fetch: never keep them for the next window. Throw
 * {@link CollectorException} to fail the window; the host commits nothing of it and the next run
 * reads the whole window again.
 */
public interface Source {

    void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException;

    /**
     * The server's idea of now, for window ends ({@code serverNow - settleLag}). Sources that can
     * measure clock skew (e.g. from a {@code Date} header) override this.
     */
    default Instant serverNow(StreamSpec stream) {
        return Instant.now();
    }
}
