package dev.cadet.detect.tuning;

import java.time.Duration;
import java.util.List;

/**
 * One suppression: after an alert of {@code rule} (or any rule, {@code "*"}), further matches with
 * the same values of the {@code by} fields (of the match's first event) within {@code length} of it,
 * in event time, are suppressed: counted, logged at debug, not alerted.
 *
 * @param where {@code file: suppress[i]}, for messages
 */
public record SuppressionEntry(String where, String rule, List<String> by, Duration length, String reason) {

    public SuppressionEntry {
        by = List.copyOf(by);
    }

    public boolean appliesTo(String ruleId) {
        return rule.equals("*") || rule.equals(ruleId);
    }
}
