package dev.cadet.detect.tuning;

import dev.cadet.collector.Event;
import dev.cadet.detect.Detector.MatchedEvent;
import java.time.Instant;
import java.util.Map;

/**
 * One exception: matches of {@code rule} (or of every rule, {@code "*"}) whose first event meets
 * every given condition do not become alerts. Null conditions are not tested; at least one is given.
 *
 * @param where       {@code file: exceptions[i]}, for messages
 * @param actor       glob on {@code user.name}
 * @param userAgent   glob on {@code user_agent.original}
 * @param sourceIp    IP or CIDR containing {@code source.ip}
 * @param target      glob on {@code user.target.name}
 * @param account     exact {@code cloud.account.id}
 * @param expires     from this instant on (wall clock) the entry no longer applies and is reported
 * @param activeFrom  with {@code activeUntil}: the entry applies only to matches whose first event
 *                    happened in {@code [activeFrom, activeUntil)} (event time), e.g. an onboarding week
 */
public record ExceptionEntry(
        String where,
        String rule,
        Glob actor,
        Glob userAgent,
        IpRange sourceIp,
        Glob target,
        String account,
        String reason,
        Instant expires,
        Instant activeFrom,
        Instant activeUntil) {

    public boolean appliesTo(String ruleId) {
        return rule.equals("*") || rule.equals(ruleId);
    }

    public boolean expired(Instant now) {
        return !now.isBefore(expires);
    }

    /** Whether the event meets every condition of the entry (expiry not included). */
    public boolean matches(MatchedEvent event) {
        Map<String, String> f = event.fields();
        if (activeFrom != null && (event.timestamp().isBefore(activeFrom) || !event.timestamp().isBefore(activeUntil))) {
            return false;
        }
        return (actor == null || actor.matches(f.get(Event.USER_NAME)))
                && (userAgent == null || userAgent.matches(f.get(Event.USER_AGENT)))
                && (sourceIp == null || sourceIp.contains(f.get(Event.SOURCE_IP)))
                && (target == null || target.matches(f.get(Event.TARGET_NAME)))
                && (account == null || account.equals(f.get(Event.ACCOUNT_ID)));
    }
}
