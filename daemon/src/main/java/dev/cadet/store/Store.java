package dev.cadet.store;

import dev.cadet.alert.Alert;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The daemon's durable state: stream watermarks, seen event ids, work-item marks, sequence state,
 * the alert outbox with a delivery cursor per output, stream health and quarantined records.
 * SQLite by default; kept behind this interface so PostgreSQL can back the same tables.
 *
 * <p>Thread-safe. All writes go through one writer; {@link #commit} is one transaction.
 */
public interface Store extends AutoCloseable {

    /** The stream's watermark: everything before it has been read, matched and committed. */
    Optional<Instant> watermark(String streamKey);

    /** Which of the given event ids were already committed for the stream. */
    Set<String> seen(String streamKey, Collection<String> eventIds);

    /** Whether a work item (file fingerprint, O365 content id) was marked by a committed poll. */
    boolean itemMarked(String streamKey, String itemKey);

    /** All persisted partial-sequence state, for the detection engine at start. */
    Map<SequenceKey, String> loadSequenceState();

    /** All persisted suppression windows, for {@code dev.cadet.detect.Tuning} at start. */
    Map<SuppressionKey, SuppressionWindow> loadSuppressions();

    /** Per rule: alerts written to the outbox and matches excepted or suppressed by tuning, by rule id. */
    List<RuleStats> ruleStats();

    /**
     * The poll transaction (DESIGN §2): seen ids, new alerts into the outbox (an alert id already
     * there is ignored), sequence state changes, item marks, quarantined records, stream health and
     * the new watermark, all or nothing; also tuning's suppression windows and per-rule counts
     * (alerts counted as they enter the outbox).
     */
    void commit(PollCommit commit);

    /** Records a failed poll on the stream's health; the watermark does not move. */
    void recordFailure(String streamKey, Instant at, String error, boolean fatal);

    /** Records a warning on the stream's health (e.g. possible data loss). */
    void recordWarning(String streamKey, Instant at, String warning);

    List<StreamHealth> streamHealth();

    /** The stream's quarantined records, oldest first, at most {@code limit}. */
    List<Rejected> rejected(String streamKey, int limit);

    /** Alerts the output has not sent yet, oldest first. */
    List<OutboxEntry> pending(String output, int limit);

    /** Everything up to and including {@code seq} was handed to the output. */
    void markSent(String output, long seq);

    /** Alerts waiting per output. */
    Map<String, Long> outboxDepth(Collection<String> outputs);

    /**
     * Adds an alert outside a poll (e.g. {@code send-test-alert}); returns false if its id is
     * already in the outbox.
     */
    boolean enqueue(Alert alert);

    /** Deletes seen ids, item marks and quarantined records older than the cutoff, and alerts sent by every output. */
    void prune(Instant cutoff, Collection<String> outputs);

    @Override
    void close();

    /** Which partial-sequence state row: one per rule and join key. */
    record SequenceKey(String ruleId, String joinKey) {
    }

    /**
     * Which suppression window: one per rule and key. {@code key} is the suppression entry's
     * {@code by} fields and their values, as JSON.
     */
    record SuppressionKey(String ruleId, String key) {
    }

    /** An open suppression window: matches with an event time in {@code [start - length, until)} are suppressed. */
    record SuppressionWindow(Instant start, Instant until) {
    }

    /** Matches of one rule that tuning kept from becoming alerts, in one poll. */
    record TuningCounts(long excepted, long suppressed) {
    }

    /**
     * What tuning changed in one poll, committed with it: opened suppression windows and, per rule
     * id, the matches it excepted or suppressed.
     */
    record TuningCommit(Map<SuppressionKey, SuppressionWindow> suppressionUpserts, Map<String, TuningCounts> counts) {
        public static final TuningCommit NONE = new TuningCommit(Map.of(), Map.of());

        public TuningCommit {
            suppressionUpserts = Map.copyOf(suppressionUpserts);
            counts = Map.copyOf(counts);
        }
    }

    /** What {@code cadet status} shows per rule. */
    record RuleStats(String ruleId, long alerts, long excepted, long suppressed) {
    }

    /** A record that could not be normalized, kept for the operator instead of lost. */
    record Rejected(String origin, String reason, String body) {
    }

    /** A new event of the poll: its id and event time. */
    record SeenEvent(String eventId, Instant eventTime) {
    }

    record OutboxEntry(long seq, Alert alert) {
    }

    /**
     * @param newWatermark     null to leave it where it is
     * @param arrivalDelaysMs  now minus event time of each new event, for the p50/p99 in status
     */
    record PollCommit(
            String streamKey,
            Instant at,
            Instant newWatermark,
            List<SeenEvent> seen,
            List<Alert> alerts,
            Map<SequenceKey, String> sequenceUpserts,
            Set<SequenceKey> sequenceDeletes,
            Map<String, String> itemMarks,
            List<Rejected> rejected,
            long requests,
            long throttles,
            List<Long> arrivalDelaysMs,
            TuningCommit tuning) {

        /** A poll without tuning changes. */
        public PollCommit(String streamKey, Instant at, Instant newWatermark, List<SeenEvent> seen, List<Alert> alerts,
                          Map<SequenceKey, String> sequenceUpserts, Set<SequenceKey> sequenceDeletes,
                          Map<String, String> itemMarks, List<Rejected> rejected, long requests, long throttles,
                          List<Long> arrivalDelaysMs) {
            this(streamKey, at, newWatermark, seen, alerts, sequenceUpserts, sequenceDeletes, itemMarks, rejected,
                    requests, throttles, arrivalDelaysMs, TuningCommit.NONE);
        }
    }

    /** What {@code cadet status} shows per stream. */
    record StreamHealth(
            String streamKey,
            Instant watermark,
            Instant lastSuccess,
            Instant lastFailure,
            String lastError,
            String lastWarning,
            int consecutiveFailures,
            boolean stopped,
            long requests,
            long throttles,
            long events,
            long rejected,
            Long arrivalDelayP50Ms,
            Long arrivalDelayP99Ms) {
    }
}
