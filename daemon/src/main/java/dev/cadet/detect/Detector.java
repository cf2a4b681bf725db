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
     * Feeds hits, sorted by event time, into the sequences and returns completed matches plus the
     * state changes to persist in the same transaction. {@code watermark} is the stream's new
     * watermark: partial sequences it has passed (beyond maxspan and allowed lateness) are evicted.
     * Callers serialize calls; if the transaction then fails they call {@link #restore}.
     */
    Advance advance(List<StepHit> hits, Instant watermark);

    /** Replaces in-memory sequence state with what the store holds (at start, and after a failed commit). */
    void restore(Map<SequenceKey, String> state);

    /** One event satisfying one step of one rule. */
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
