package dev.cadet.collector;

import java.util.List;

/** What the host offers a {@link Source} during one fetch. Valid only until {@code fetch} returns. */
public interface FetchContext {

    /**
     * Hands over one page of records. The host normalizes, dedups and matches them before this
     * returns, keeping only ids and rule hits, so memory stays bounded by the page size.
     */
    void page(List<RawRecord> records);

    /**
     * Makes one remote request: waits for a permit of the stream's quota scope (shared by every
     * stream with that scope), runs the request, and on a {@link CollectorException.Kind#RETRY} error
     * waits (Retry-After, else exponential backoff with jitter) and tries again, a bounded number of
     * times. Other errors, and the last retry error, are thrown on.
     *
     * @param what a short description for logs and health, never containing secrets
     */
    <T> T call(String what, Request<T> request) throws CollectorException;

    /**
     * Tells the host that the request of the {@link #call} now running is being sent: call it from
     * inside {@link Request#run}, as late as the client allows before the request goes on the wire
     * (e.g. from an SDK hook that runs right before transmission). The host then spaces the next
     * request of the quota scope from this moment rather than from when the permit was granted, so
     * time spent between the two (a client's first use, credentials fetched on the way, a GC pause)
     * cannot bring two requests closer together at the service than the quota allows. Optional:
     * without it, spacing counts from the permit. Calling it more than once in a call is harmless
     * (the latest moment counts); outside a call it does nothing.
     *
     * @since SPI 1.1
     */
    default void sending() {
    }

    /** Records a warning on the stream's health (e.g. "possible data loss before T"), logged once. */
    void warn(String message);

    /**
     * Whether a work item (a file fingerprint, an O365 content id) was marked by an earlier poll
     * whose transaction committed.
     */
    boolean itemMarked(String itemKey);

    /** Marks a work item; the mark is committed in the same transaction as the window. */
    void markItem(String itemKey, String state);

    /** True once the daemon is stopping: return or throw soon, the window will be read again. */
    boolean stopping();

    @FunctionalInterface
    interface Request<T> {
        T run() throws CollectorException;
    }
}
