package dev.cadet.detect;

import dev.cadet.collector.Event;
import dev.cadet.store.Store.SequenceKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The detection engine as the poller sees it. Two phases, so that a window never has to be held in
 * memory: {@link #hits} tests one event against every rule step as pages arrive (order does not
 * matter there), and {@link #advance} runs the hits of a window through the sequences in event-time
 * order.
 */
public interface Detector {

    /** The rule steps this event satisfies; empty for almost every event. Thread-safe. */
    List<StepHit> hits(Event event);

    /**
     * Feeds one stream's hits, sorted by event time, into the sequences and returns completed matches
     * plus the state changes to persist in the same transaction. {@code watermark} is that stream's new
     * watermark: the partial sequences that hold its hits settle and are evicted once it (and any other
     * stream whose hits they hold) has passed them by maxspan and allowed lateness; another stream's
     * watermark never evicts them. Callers serialize calls; if the transaction then fails they call
     * {@link #restore}.
     */
    Advance advance(List<StepHit> hits, StreamWatermark watermark);

    /** {@link #advance(List, StreamWatermark)} for a caller with a single stream (rule tests, the benchmark). */
    default Advance advance(List<StepHit> hits, Instant watermark) {
        return advance(hits, new StreamWatermark(SINGLE_STREAM, watermark));
    }

    /** The stream of {@link #advance(List, Instant)}. */
    String SINGLE_STREAM = "";

    /**
     * Replaces in-memory sequence state with what the store holds, and sets the given streams'
     * watermarks as the store holds them (at start: every enabled stream; after a failed commit: the
     * committing stream, whose advance ran ahead of the store). A restored state whose stream is none
     * of the streams known then (a stream taken out of the config) settles by those that have read
     * something, else by all of them.
     */
    void restore(Map<SequenceKey, String> state, List<StreamWatermark> watermarks);

    /** {@link #restore(Map, List)} with every stream's watermark left as it is. */
    default void restore(Map<SequenceKey, String> state) {
        restore(state, List.of());
    }

    /** How far a stream has read: its key and its watermark (null: nothing yet). */
    record StreamWatermark(String stream, Instant watermark) {
    }

    /**
     * One event satisfying one step of one rule. {@code joinKey}: the JSON array of its join values,
     * which sequence state is kept by; {@code []} for rules that keep no state (an event query, a
     * sequence of one).
     */
    record StepHit(String ruleId, int step, MatchedEvent event, String joinKey) {
    }

    /** What an alert needs of an event of a match; small, so it can live in sequence state. */
    record MatchedEvent(String id, Instant timestamp, Map<String, String> fields) {
    }

    /** A completed match: the rule and its events in event-time order. */
    record Match(String ruleId, List<MatchedEvent> events) {
    }

    record Advance(List<Match> matches, Map<SequenceKey, String> upserts, Set<SequenceKey> deletes) {
    }
}
