package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.Detector;
import dev.cadet.detect.RuleSet;
import dev.cadet.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every record of {@code ${cadet.shared.dir}/corpus/azure-graph} through the distribution's azure plugin
 * normalizer and the shipped seed rule. Which records must alert is computed from the raw JSON: a
 * directoryAudit (the record, or a diagnostic record's {@code properties}) whose activityDisplayName is
 * Add user / Add service principal / Add application / Add service principal credentials, whose result
 * is "success", and that names its tenant (the diagnostic {@code tenantId}): the seed rule is
 * {@code sequence by cloud.account.id}, and a non-optional join key never matches null.
 */
class GraphCorpusE2ETest {
    static final Set<String> CREATIONS = Set.of("Add user", "Add service principal", "Add application",
            "Add service principal credentials");
    static final ObjectMapper JSON = new ObjectMapper();
    static Path corpus;
    static PluginRegistry plugins;
    static RuleSet rules;

    record CorpusRecord(String origin, JsonNode record) {
        boolean mustAlert() {
            JsonNode audit = record.has("properties") ? record.get("properties") : record;
            return CREATIONS.contains(audit.path("activityDisplayName").asText())
                    && "success".equals(audit.path("result").asText())
                    && !record.path("tenantId").asText().isEmpty();
        }
    }

    @BeforeAll
    static void findCorpus() throws Exception {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", "azure-graph");
        boolean present = dir != null && Files.isDirectory(dir);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            fail("CADET_REQUIRE_CORPUS=1 but the Graph corpus is not at " + dir + " (system property cadet.shared.dir)");
        }
        Assumptions.assumeTrue(present, "SKIPPED: Graph corpus not found at " + dir + " (set -Dcadet.shared.dir)");
        corpus = dir;
        plugins = PluginRegistry.load(AwsPipeline.distDir().resolve("plugins"));
        rules = RuleSet.load(List.of(AwsPipeline.distDir().resolve("conf/rules")));
    }

    @AfterAll
    static void closePlugins() {
        if (plugins != null) {
            plugins.close();
        }
    }

    static List<CorpusRecord> records() throws Exception {
        List<CorpusRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".ndjson")) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        if (!lines.get(i).isBlank()) {
                            JsonNode n = JSON.readTree(lines.get(i));
                            out.add(new CorpusRecord(name + ":" + (i + 1), n.has("Log") ? n.get("Log") : n));
                        }
                    }
                } else if (name.endsWith(".json")) {
                    JsonNode value = JSON.readTree(f.toFile()).get("value");
                    for (int i = 0; i < value.size(); i++) {
                        out.add(new CorpusRecord(name + "#value[" + i + "]", value.get(i)));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void everyRecordNormalizesAndTheSeedRuleAlertsExactlyOnTheSuccessfulCreations() throws Exception {
        Normalizer normalizer = plugins.factory("azure").normalizer();
        DetectionEngine engine = new DetectionEngine(rules, Duration.ofHours(1));
        List<CorpusRecord> records = records();
        assertEquals(26, records.size());
        List<String> failures = new ArrayList<>();
        Set<String> alerted = new TreeSet<>();
        for (CorpusRecord r : records) {
            RawRecord raw = new RawRecord(JSON.writeValueAsString(r.record()), r.origin());
            assertTrue(normalizer.recognizes(raw), r.origin());
            List<Event> events;
            try {
                events = normalizer.normalize(raw);
            } catch (MalformedRecordException | RuntimeException e) {
                failures.add(r.origin() + ": " + e);
                continue;
            }
            assertEquals(1, events.size(), r.origin());
            Event e = events.get(0);
            Detector.Advance advance = engine.advance(engine.hits(e), e.timestamp());
            for (Detector.Match m : advance.matches()) {
                assertEquals("cloud-account-created", m.ruleId(), r.origin());
                assertEquals(List.of(e.id()), m.events().stream().map(Detector.MatchedEvent::id).toList());
                assertTrue(alerted.add(r.origin()), "two alerts for " + r.origin());
            }
        }
        assertEquals(List.of(), failures, "every corpus record normalizes");
        Set<String> expected = new TreeSet<>();
        records.stream().filter(CorpusRecord::mustAlert).forEach(r -> expected.add(r.origin()));
        assertFalse(expected.isEmpty());
        assertEquals(expected, alerted, "records the seed rule alerts on");
    }
}
