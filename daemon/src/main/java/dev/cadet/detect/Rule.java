package dev.cadet.detect;

import dev.cadet.alert.Severity;
import dev.cadet.detect.eql.Query;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A loaded detection rule: its EQL query and the metadata alerts carry.
 *
 * @param techniques MITRE ATT&CK technique and sub-technique ids, e.g. T1136.003
 * @param source     the file it was loaded from
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
        Path source) {

    public Rule {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(query, "query");
        techniques = List.copyOf(techniques);
        references = List.copyOf(references);
        falsePositives = List.copyOf(falsePositives);
    }
}
