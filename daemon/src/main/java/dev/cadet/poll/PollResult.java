package dev.cadet.poll;

/**
 * What one {@link StreamPoller#pollOnce()} did.
 *
 * @param partsCommitted window parts whose transaction committed
 * @param newEvents      events not seen before, in committed parts
 * @param alerts         alerts handed to the outbox (a repeated alert id is ignored there)
 * @param rejected       records that could not be normalized
 */
public record PollResult(Outcome outcome, int partsCommitted, long newEvents, long alerts, long rejected) {

    public enum Outcome {
        /** The whole window was read and committed. */
        POLLED,
        /** Nothing to read yet: the window's end is not after its start. */
        NOTHING_TO_READ,
        /** The daemon is stopping; parts read so far are committed, the rest is read next run. */
        INTERRUPTED,
        /** The poll failed; committed parts stay, the rest is read again next run. */
        FAILED,
        /** A fatal error stopped the stream earlier; it is tried again every {@link StreamPoller#FATAL_RECHECK} or at restart. */
        STOPPED
    }
}
