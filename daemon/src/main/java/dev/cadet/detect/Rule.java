package dev.cadet.detect;

import dev.cadet.alert.Severity;
import dev.cadet.detect.eql.Query;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A loaded detection rule: its EQL query and the metadata alerts carry.
 *
 * @param techniques MITRE ATT&CK technique and sub-technique ids, e.g. T1136.003
 * @param source     the file it was loaded from
 * @param query      the EQL query; null for a built-in stateful rule
 * @param adminBaseline the settings of the built-in {@code admin_baseline} rule, else null
 * @param allowedLateness the rule file's own {@code allowed_lateness}, or null when it has none (then
 *                   {@link AllowedLateness} decides from config and streams)
 */
public record Rule(
        String id,
        String name,
        String description,
        Severity severity,
        int riskScore,
        List<String> techniques,
        List<String> references,
        List<String> falsePositives,
        Query query,
        Path source,
        AdminBaseline adminBaseline,
        Duration allowedLateness) {

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        if ((query == null) == (adminBaseline == null)) {
            throw new IllegalArgumentException("rule " + id + ": either an EQL query or a built-in admin_baseline");
        }
        if (allowedLateness != null && allowedLateness.isNegative()) {
            throw new IllegalArgumentException("rule " + id + ": allowed lateness must not be negative");
        }
        techniques = List.copyOf(techniques);
        references = List.copyOf(references);
        falsePositives = List.copyOf(falsePositives);
    }

    /** A rule without its own allowed lateness. */
    public Rule(String id, String name, String description, Severity severity, int riskScore, List<String> techniques,
                List<String> references, List<String> falsePositives, Query query, Path source, AdminBaseline adminBaseline) {
        this(id, name, description, severity, riskScore, techniques, references, falsePositives, query, source,
                adminBaseline, null);
    }

    /** An EQL rule. */
    public Rule(String id, String name, String description, Severity severity, int riskScore, List<String> techniques,
                List<String> references, List<String> falsePositives, Query query, Path source) {
        this(id, name, description, severity, riskScore, techniques, references, falsePositives, query, source, null, null);
    }

    /** This rule with its own allowed lateness (null: none). */
    public Rule withAllowedLateness(Duration lateness) {
        return new Rule(id, name, description, severity, riskScore, techniques, references, falsePositives, query, source,
                adminBaseline, lateness);
    }

    /** True for a built-in stateful rule ({@code type = "admin_baseline"}), which has no {@link #query()}. */
    public boolean isBuiltIn() {
        return adminBaseline != null;
    }
}
