package dev.cadet.provider.azure.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.RawRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every record of {@code ${cadet.shared.dir}/corpus/azure-graph} normalizes: Graph pages entry by entry,
 * NDJSON lines (Panther test cases hold the record in {@code Log}) whole, in the diagnostic shape.
 */
class AzureGraphCorpusTest {
    static Path corpus;
    final DirectoryAuditNormalizer normalizer = new DirectoryAuditNormalizer();
    final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void findCorpus() {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", "azure-graph");
        boolean present = dir != null && Files.isDirectory(dir);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            fail("CADET_REQUIRE_CORPUS=1 but the Graph corpus is not at " + dir + " (system property cadet.shared.dir)");
        }
        Assumptions.assumeTrue(present, "SKIPPED: Graph corpus not found at " + dir + " (set -Dcadet.shared.dir)");
        corpus = dir;
    }

    @Test
    void everyRecordNormalizesWithItsVendorIdTimeAndAction() throws Exception {
        List<String> failures = new ArrayList<>();
        int count = 0;
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                List<JsonNode> records = new ArrayList<>();
                if (name.endsWith(".ndjson")) {
                    for (String line : Files.readAllLines(f)) {
                        if (!line.isBlank()) {
                            JsonNode n = json.readTree(line);
                            records.add(n.has("Log") ? n.get("Log") : n);
                        }
                    }
                } else if (name.endsWith(".json")) {
                    json.readTree(f.toFile()).get("value").forEach(records::add);
                }
                for (int i = 0; i < records.size(); i++) {
                    JsonNode r = records.get(i);
                    RawRecord raw = new RawRecord(json.writeValueAsString(r), name + "#" + i);
                    assertTrue(normalizer.recognizes(raw), raw.origin());
                    try {
                        List<Event> events = normalizer.normalize(raw);
                        assertEquals(1, events.size());
                        Event e = events.get(0);
                        JsonNode audit = r.has("properties") ? r.get("properties") : r;
                        if (audit.hasNonNull("id")) {
                            assertEquals(audit.get("id").asText(), e.id(), raw.origin());
                        }
                        String action = audit.hasNonNull("activityDisplayName") ? audit.get("activityDisplayName").asText()
                                : r.get("operationName").asText();
                        assertEquals(action, e.text("event.action"), raw.origin());
                        JsonNode by = audit.path("initiatedBy");
                        String upn = by.path("user").path("userPrincipalName").textValue();
                        String app = by.path("app").path("displayName").textValue();
                        assertEquals(upn != null ? upn : app, e.text("user.name"), raw.origin() + " actor");
                        if (r.hasNonNull("tenantId")) {
                            assertEquals(r.get("tenantId").asText(), e.text("cloud.account.id"), raw.origin());
                        }
                        count++;
                    } catch (MalformedRecordException ex) {
                        failures.add(ex.getMessage());
                    }
                }
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(26, count, "2 Graph doc records + 24 diagnostic-shape records (corpus-notes.md)");
    }
}
