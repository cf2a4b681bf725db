package dev.cadet.detect;

import dev.cadet.collector.StreamSpec;
import dev.cadet.detect.eql.Query;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * How late an event may arrive and still take its place in a rule's sequences, per rule. In order:
 * <ol>
 * <li>the rule file's own {@code [rule] allowed_lateness};</li>
 * <li>{@code detection.allowed_lateness} from cadet.yaml (the operator's word for every other rule);</li>
 * <li>the longest re-scan overlap of the enabled streams whose dataset the rule reads: a record that
 *     late is still read, so the rule waits as long for it;</li>
 * <li>the longest re-scan overlap of all enabled streams, when a step of the rule does not pin
 *     {@code event.dataset} (it can read any stream) or no enabled stream has its datasets;</li>
 * <li>{@link #DEFAULT}.</li>
 * </ol>
 * A zero overlap (a stream with nothing to re-scan, e.g. a drop folder) says nothing and is skipped.
 * Immutable; built once at start.
 */
public final class AllowedLateness {
    /** When neither the rule, the config nor any stream says. */
    public static final Duration DEFAULT = Duration.ofHours(1);

    /** What one rule gets, and why (for the start-up log). */
    public record Choice(Duration lateness, String reason) {
    }

    private final Map<String, Choice> byRule;

    private AllowedLateness(Map<String, Choice> byRule) {
        this.byRule = byRule;
    }

    /**
     * @param configured {@code detection.allowed_lateness}, if set
     * @param streams    every enabled stream, with the operator's timing overrides applied
     */
    public static AllowedLateness resolve(RuleSet rules, Optional<Duration> configured, List<StreamSpec> streams) {
        Map<String, Choice> byRule = new LinkedHashMap<>();
        for (Rule r : rules.rules()) {
            byRule.put(r.id(), choose(r, configured, streams));
        }
        return new AllowedLateness(byRule);
    }

    private static Choice choose(Rule rule, Optional<Duration> configured, List<StreamSpec> streams) {
        if (rule.allowedLateness() != null) {
            return new Choice(rule.allowedLateness(), "the rule's allowed_lateness");
        }
        if (configured.isPresent()) {
            return new Choice(configured.get(), "detection.allowed_lateness");
        }
        Set<String> datasets = rule.query() == null ? null : datasets(rule.query());
        if (datasets != null) {
            Optional<StreamSpec> longest = streams.stream()
                    .filter(s -> datasets.contains(s.dataset().toLowerCase(Locale.ROOT)))
                    .filter(s -> !s.rescanOverlap().isZero())
                    .max((a, b) -> a.rescanOverlap().compareTo(b.rescanOverlap()));
            if (longest.isPresent()) {
                return new Choice(longest.get().rescanOverlap(), "re-scan overlap of " + longest.get().dataset());
            }
        }
        Optional<StreamSpec> longest = streams.stream().filter(s -> !s.rescanOverlap().isZero())
                .max((a, b) -> a.rescanOverlap().compareTo(b.rescanOverlap()));
        if (longest.isPresent()) {
            return new Choice(longest.get().rescanOverlap(), "longest re-scan overlap of all streams ("
                    + longest.get().dataset() + (datasets == null ? "): reads any dataset" : "): no stream of its datasets"));
        }
        return new Choice(DEFAULT, "no stream re-scans");
    }

    /**
     * The {@code event.dataset} values (lower-cased) some step of the query requires, or null when a
     * step (or {@code until}) could match an event of any dataset. Derived from the index keys, which
     * cover every event a step matches: a key without a dataset means "any dataset".
     */
    static Set<String> datasets(Query query) {
        Set<String> out = new TreeSet<>();
        for (Query.Step step : query.allSteps()) {
            List<Query.IndexKey> keys = step.indexKeys();
            if (keys == null || keys.isEmpty()) {
                return null;
            }
            for (Query.IndexKey k : keys) {
                if (k.dataset() == null) {
                    return null;
                }
                out.add(k.dataset().text().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** The allowed lateness of this rule (one this policy was resolved for). */
    public Duration of(Rule rule) {
        Choice c = byRule.get(rule.id());
        if (c == null) {
            throw new IllegalArgumentException("no allowed lateness resolved for rule " + rule.id());
        }
        return c.lateness();
    }

    /** The choice for the rule with this id, or null. */
    public Choice choice(String ruleId) {
        return byRule.get(ruleId);
    }

    /**
     * One line per distinct (lateness, reason) for the rules that keep sequence state (multi-step
     * sequences): the only ones lateness applies to. Rule ids are listed, at most {@code maxIds} per line.
     */
    public List<String> summary(RuleSet rules, int maxIds) {
        Map<Choice, List<String>> groups = new LinkedHashMap<>();
        for (Rule r : rules.rules()) {
            if (r.query() != null && r.query().steps().size() > 1 && byRule.containsKey(r.id())) {
                groups.computeIfAbsent(byRule.get(r.id()), c -> new ArrayList<>()).add(r.id());
            }
        }
        List<String> lines = new ArrayList<>();
        groups.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> b.lateness().compareTo(a.lateness())))
                .forEach(e -> {
                    List<String> ids = e.getValue();
                    List<String> shown = ids.subList(0, Math.min(maxIds, ids.size()));
                    String more = ids.size() > shown.size() ? " and " + (ids.size() - shown.size()) + " more" : "";
                    lines.add(e.getKey().lateness() + " (" + e.getKey().reason() + "): " + ids.size()
                            + (ids.size() == 1 ? " rule, " : " rules, ") + String.join(", ", shown) + more);
                });
        return lines;
    }
}
