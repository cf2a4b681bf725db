package dev.cadet.poll;

/**
 * Told how a stream's first poll (the initial backfill, when the stream has no watermark yet)
 * advances, e.g. to draw a progress bar. Called on the poller's thread; must not block.
 */
public interface BackfillListener {
    /** No one listens. */
    BackfillListener NONE = new BackfillListener() {
        @Override
        public void partCommitted(String streamKey, int done, int total) {
        }

        @Override
        public void ended(String streamKey) {
        }
    };

    /** {@code done} of the {@code total} window parts of the backfill are committed. */
    void partCommitted(String streamKey, int done, int total);

    /** The backfill poll ended: read, failed or interrupted (a failed one goes on at the next poll). */
    void ended(String streamKey);
}
