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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every CloudTrail record of the shared corpus ({@code ${cadet.shared.dir}/corpus/aws}) through the
 * distribution's AWS plugin normalizer and the shipped seed rule: directly, record by record, and
 * through {@code cadet replay}. Which records must alert is computed from the raw JSON, not from
 * cadet: a successful (no {@code errorCode}) CreateUser, CreateRole, CreateServiceLinkedRole or
 * CreateVirtualMFADevice that names its account ({@code recipientAccountId} or
 * {@code userIdentity.accountId}): the seed rule is {@code sequence by cloud.account.id}, and in EQL a
 * non-optional join key never matches null.
 */
class CloudTrailCorpusE2ETest {
    static final Set<String> CREATIONS = Set.of("CreateUser", "CreateRole", "CreateServiceLinkedRole", "CreateVirtualMFADevice");
    static final ObjectMapper JSON = new ObjectMapper();

    /** One corpus record: where it is, the body handed to the normalizer, and the CloudTrail record itself. */
    record CorpusRecord(String origin, String body, JsonNode trail) {
        boolean mustAlert() {
            String account = text(trail.path("recipientAccountId"));
            if (account == null) {
                account = text(trail.path("userIdentity").path("accountId"));
            }
            return CREATIONS.contains(trail.path("eventName").asText()) && text(trail.path("errorCode")) == null && account != null;
        }

        String vendorId() {
            return text(trail.path("eventID"));
        }

        private static String text(JsonNode n) {
            return n.isTextual() && !n.asText().isEmpty() ? n.asText() : null;
        }
    }

    static Path corpus;
    static PluginRegistry plugins;
    static RuleSet rules;

    @BeforeAll
    static void findCorpus() throws Exception {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", "aws");
        boolean present = dir != null && Files.isDirectory(dir);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            fail("CADET_REQUIRE_CORPUS=1 but the AWS corpus is not at " + dir + " (system property cadet.shared.dir)");
        }
        Assumptions.assumeTrue(present, "SKIPPED: AWS corpus not found at " + dir + " (set -Dcadet.shared.dir)");
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

    static List<Path> corpusFiles() throws IOException {
        try (Stream<Path> s = Files.list(corpus)) {
            return s.filter(p -> p.toString().endsWith(".ndjson") || p.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** Every record, in file and line order; a LookupEvents answer gives one record per Events[] entry. */
    static List<CorpusRecord> records() throws IOException {
        List<CorpusRecord> out = new ArrayList<>();
        for (Path f : corpusFiles()) {
            String name = f.getFileName().toString();
            if (name.endsWith(".ndjson")) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).isBlank()) {
                        continue;
                    }
                    JsonNode line = JSON.readTree(lines.get(i));
                    JsonNode trail = line.has("Log") ? line.get("Log") : line; // Panther test cases hold it in Log
                    out.add(new CorpusRecord(name + ":" + (i + 1), JSON.writeValueAsString(trail), trail));
                }
            } else {
                JsonNode events = JSON.readTree(f.toFile()).get("Events");
                for (int i = 0; i < events.size(); i++) {
                    JsonNode entry = events.get(i);
                    out.add(new CorpusRecord(name + "#Events[" + i + "]", JSON.writeValueAsString(entry),
                            JSON.readTree(entry.get("CloudTrailEvent").asText())));
                }
            }
        }
        return out;
    }

    /** The event id cadet gives a record: its eventID, else what the plugin derives (records without one). */
    static String eventId(CorpusRecord r, Map<String, Event> normalized) {
        return r.vendorId() != null ? r.vendorId() : normalized.get(r.origin()).id();
    }

    @Test
    void everyRecordNormalizesAndTheSeedRuleAlertsExactlyOnTheSuccessfulCreations() throws Exception {
        Normalizer normalizer = plugins.factory("aws").normalizer();
        DetectionEngine engine = new DetectionEngine(rules, Duration.ofHours(1));
        List<CorpusRecord> records = records();
        assertTrue(records.size() >= 50, "corpus records: " + records.size());

        List<String> failures = new ArrayList<>();
        Set<String> alerted = new TreeSet<>();
        Map<String, Event> normalized = new LinkedHashMap<>();
        for (CorpusRecord r : records) {
            List<Event> events;
            try {
                events = normalizer.normalize(new RawRecord(r.body(), r.origin()));
            } catch (MalformedRecordException | RuntimeException e) {
                failures.add(r.origin() + ": " + e);
                continue;
            }
            assertEquals(1, events.size(), r.origin());
            Event e = events.get(0);
            normalized.put(r.origin(), e);
            if (r.vendorId() != null) {
                assertEquals(r.vendorId(), e.id(), r.origin());
            }
            Detector.Advance advance = engine.advance(engine.hits(e), e.timestamp());
            for (Detector.Match m : advance.matches()) {
                assertEquals(AwsPipeline.RULE, m.ruleId(), r.origin());
                assertEquals(List.of(e.id()), m.events().stream().map(Detector.MatchedEvent::id).toList());
                assertTrue(alerted.add(r.origin()), "two alerts for " + r.origin());
            }
        }
        assertEquals(List.of(), failures, "every corpus record normalizes");

        Set<String> expected = new TreeSet<>();
        records.stream().filter(CorpusRecord::mustAlert).forEach(r -> expected.add(r.origin()));
        assertFalse(expected.isEmpty());
        assertEquals(expected, alerted, "records the seed rule alerts on");
        Set<String> expectedIds = new HashSet<>();
        Set<String> alertedIds = new HashSet<>();
        for (CorpusRecord r : records) {
            if (expected.contains(r.origin())) {
                expectedIds.add(eventId(r, normalized));
            }
            if (alerted.contains(r.origin())) {
                alertedIds.add(normalized.get(r.origin()).id());
            }
        }
        assertEquals(expectedIds, alertedIds);
    }

    @Test
    void replayOfTheCorpusFilesAlertsOnTheSameRecords(@TempDir Path tmp) throws Exception {
        Normalizer normalizer = plugins.factory("aws").normalizer();
        // Panther test-case lines are not an export format: their records (.Log) go into a file of their own.
        List<String> args = new ArrayList<>(List.of("replay", "--format", "json",
                "--rules", AwsPipeline.distDir().resolve("conf/rules").toString(),
                "--plugins", AwsPipeline.distDir().resolve("plugins").toString()));
        for (Path f : corpusFiles()) {
            List<String> lines = f.toString().endsWith(".ndjson") ? Files.readAllLines(f) : List.of();
            if (lines.stream().anyMatch(l -> l.contains("\"Log\""))) {
                Path extracted = tmp.resolve(f.getFileName());
                List<String> logs = new ArrayList<>();
                for (String l : lines) {
                    if (!l.isBlank()) {
                        logs.add(JSON.writeValueAsString(JSON.readTree(l).get("Log")));
                    }
                }
                Files.write(extracted, logs);
                args.add(extracted.toString());
            } else {
                args.add(f.toString());
            }
        }

        Cli.Run run = Cli.run(args.toArray(String[]::new));

        assertEquals(0, run.exit(), run.toString());
        assertFalse(run.err().contains("rejected:"), run.err());
        // Replay reads the files in order, one stream, deduplicated by event id: the first record with an id decides.
        Map<String, Event> normalized = new LinkedHashMap<>();
        for (CorpusRecord r : records()) {
            if (r.vendorId() == null) {
                normalized.put(r.origin(), normalizer.normalize(new RawRecord(r.body(), r.origin())).get(0));
            }
        }
        Map<String, Boolean> firstById = new LinkedHashMap<>();
        for (CorpusRecord r : records()) {
            firstById.putIfAbsent(eventId(r, normalized), r.mustAlert());
        }
        Set<String> expected = new TreeSet<>();
        firstById.forEach((id, alerts) -> {
            if (alerts) {
                expected.add(id);
            }
        });
        List<String> alertedIds = new ArrayList<>();
        for (String line : run.outLines()) {
            JsonNode alert = JSON.readTree(line);
            assertEquals(AwsPipeline.RULE, alert.path("rule.id").asText(), line);
            assertEquals(1, alert.path("event_ids").size(), line);
            alertedIds.add(alert.path("event_ids").get(0).asText());
        }
        assertEquals(expected.size(), alertedIds.size(), "one alert per record: " + alertedIds);
        assertEquals(expected, new TreeSet<>(alertedIds));
    }
}
