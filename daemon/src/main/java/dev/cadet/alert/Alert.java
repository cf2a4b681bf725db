package dev.cadet.alert;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * One alert, as stored in the outbox and sent to every output (DESIGN §6).
 *
 * @param id          stable: derived from the rule id and the record ids, so a re-run or a crash
 *                    never produces the same alert under a new identity
 * @param timestamp   event time of the last record of the match
 * @param eventIds    the vendor ids of every record of the match, in event-time order
 * @param test        true only for {@code cadet send-test-alert}
 */
public record Alert(
        String id,
        Instant timestamp,
        String ruleId,
        String ruleName,
        Severity severity,
        int riskScore,
        List<String> techniques,
        String dataset,
        String accountId,
        String userName,
        String targetName,
        String sourceIp,
        List<String> eventIds,
        boolean test) {

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(ruleName, "ruleName");
        Objects.requireNonNull(severity, "severity");
        if (riskScore < 0 || riskScore > 100) {
            throw new IllegalArgumentException("riskScore must be 0-100: " + riskScore);
        }
        techniques = List.copyOf(techniques == null ? List.of() : techniques);
        eventIds = List.copyOf(eventIds == null ? List.of() : eventIds);
    }

    /** The alert id for a rule and the ordered record ids of its match: 32 hex chars of SHA-256. */
    public static String idOf(String ruleId, List<String> eventIds) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(ruleId.getBytes(StandardCharsets.UTF_8));
            for (String e : eventIds) {
                sha.update((byte) '\n');
                sha.update(e.getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
