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
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record of {@code corpus/google-workspace} and {@code corpus/gcp} through the distribution's gcp
 * plugin and the distribution's rules ({@code conf/rules}), plus this test's own minimal queries
 * ({@link GooglePipeline#TEST_RULES}) so the emitted fields are checked whether or not the rule pack's
 * {@code gws-user-created} / {@code gcp-service-account-created} are there. Which records must alert
 * is computed from the raw JSON: a CREATE_USER activity, and a CreateServiceAccount entry without a
 * non-zero {@code status.code}; records without any time are refused (they cannot be ordered) and
 * must say so.
 */
class GoogleCorpusE2ETest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Map<String, String> OWN_RULE = Map.of("google-workspace", "e2e-gws-user-created", "gcp", "e2e-gcp-sa-created");
    static final Map<String, String> PACK_RULE = Map.of("google-workspace", "gws-user-created", "gcp", "gcp-service-account-created");

    record CorpusRecord(String dir, String origin, JsonNode node) {
        boolean timeless() {
            JsonNode t = dir.equals("gcp") ? node.path("timestamp") : node.at("/id/time");
            return !(t.isTextual() && !t.asText().isEmpty());
        }

        boolean mustAlert() {
            if (timeless()) {
                return false;
            }
            if (dir.equals("gcp")) {
                return node.at("/protoPayload/methodName").asText().endsWith(".CreateServiceAccount")
                        && node.at("/protoPayload/status/code").asLong(0) == 0;
            }
            JsonNode ev = node.get("events");
            String name = ev == null ? node.path("name").asText() : (ev.isArray() ? ev.get(0) : ev).path("name").asText();
            return name.equals("CREATE_USER");
        }
    }

    static PluginRegistry plugins;
    static RuleSet rules;
    static Path rulesDir;

    @BeforeAll
    static void load(@TempDir Path tmp) throws Exception {
        plugins = PluginRegistry.load(AwsPipeline.distDir().resolve("plugins"));
        rulesDir = Files.createDirectories(tmp.resolve("own-rules"));
        for (Map.Entry<String, String> r : GooglePipeline.TEST_RULES.entrySet()) {
            Files.writeString(rulesDir.resolve(r.getKey() + ".eql"), r.getValue());
        }
        rules = RuleSet.load(List.of(AwsPipeline.distDir().resolve("conf/rules"), rulesDir));
    }

    @AfterAll
    static void close() {
        if (plugins != null) {
            plugins.close();
        }
    }

    static List<CorpusRecord> records(String dirName) throws Exception {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", dirName);
        boolean present = dir != null && Files.isDirectory(dir);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            fail("CADET_REQUIRE_CORPUS=1 but the corpus is not at " + dir);
        }
        Assumptions.assumeTrue(present, "SKIPPED: corpus not found at " + dir + " (set -Dcadet.shared.dir)");
        List<CorpusRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                for (int i = 0; i < lines.size(); i++) {
                    if (!lines.get(i).isBlank()) {
                        JsonNode line = JSON.readTree(lines.get(i));
                        out.add(new CorpusRecord(dirName, f.getFileName() + ":" + (i + 1), line.has("Log") ? line.get("Log") : line));
                    }
                }
            }
        }
        return out;
    }

    void everyRecordNormalizesAndTheCreationsAlert(String dirName) throws Exception {
        Normalizer normalizer = plugins.factory("gcp").normalizer();
        DetectionEngine engine = new DetectionEngine(rules, Duration.ofHours(1));
        Map<String, Set<String>> alertedByRule = new TreeMap<>();
        Set<String> expected = new TreeSet<>();
        List<String> failures = new ArrayList<>();
        for (CorpusRecord r : records(dirName)) {
            RawRecord raw = new RawRecord(JSON.writeValueAsString(r.node()), r.origin());
            assertTrue(normalizer.recognizes(raw), r.origin());
            if (r.timeless()) {
                try {
                    normalizer.normalize(raw);
                    failures.add(r.origin() + ": a record without a time was accepted");
                } catch (MalformedRecordException e) {
                    assertTrue(e.getMessage().startsWith(r.origin() + ": ") && e.getMessage().contains("missing"), e.getMessage());
                }
                continue;
            }
            List<Event> events;
            try {
                events = normalizer.normalize(raw);
            } catch (MalformedRecordException | RuntimeException e) {
                failures.add(r.origin() + ": " + e);
                continue;
            }
            if (r.mustAlert()) {
                expected.add(r.origin());
            }
            for (Event e : events) {
                for (Detector.Match m : engine.advance(engine.hits(e), e.timestamp()).matches()) {
                    alertedByRule.computeIfAbsent(m.ruleId(), k -> new TreeSet<>()).add(r.origin());
                }
            }
        }
        assertEquals(List.of(), failures, "every corpus record with a time normalizes");
        assertFalse(expected.isEmpty());
        assertEquals(expected, alertedByRule.getOrDefault(OWN_RULE.get(dirName), Set.of()),
                "records the test's own query alerts on");
        String pack = PACK_RULE.get(dirName);
        if (rules.rules().stream().anyMatch(rule -> rule.id().equals(pack))) {
            assertEquals(expected, alertedByRule.getOrDefault(pack, Set.of()), "records the pack rule " + pack + " alerts on");
        } else {
            System.out.println("NOTE: rule " + pack + " is not in the distribution's conf/rules; checked with the test's own query only");
        }
    }

    @Test
    void workspaceCorpus() throws Exception {
        everyRecordNormalizesAndTheCreationsAlert("google-workspace");
    }

    @Test
    void gcpCorpus() throws Exception {
        everyRecordNormalizesAndTheCreationsAlert("gcp");
    }

    @Test
    void replayReadsTheRecordsThroughTheDropFolderRouting(@TempDir Path tmp) throws Exception {
        List<String> args = new ArrayList<>(List.of("replay", "--format", "json", "--rules", rulesDir.toString(),
                "--plugins", AwsPipeline.distDir().resolve("plugins").toString()));
        Set<String> expectedTargets = new TreeSet<>();
        Map<String, Integer> mustAlert = new TreeMap<>();
        for (String dirName : List.of("google-workspace", "gcp")) {
            List<String> lines = new ArrayList<>();
            for (CorpusRecord r : records(dirName)) {
                if (!r.timeless()) {
                    lines.add(JSON.writeValueAsString(r.node()));
                }
                if (r.mustAlert()) {
                    mustAlert.merge(dirName, 1, Integer::sum);
                }
            }
            Path f = tmp.resolve(dirName + ".ndjson");
            Files.write(f, lines);
            args.add(f.toString());
        }
        // a Reports page and a Cloud Logging page, as the APIs answer them
        Path page = tmp.resolve("reports-page.json");
        Files.writeString(page, "{\"kind\":\"admin#reports#activities\",\"items\":[{\"kind\":\"admin#reports#activity\",\"id\":{\"time\":"
                + "\"2026-03-01T10:00:00Z\",\"uniqueQualifier\":\"77\",\"applicationName\":\"admin\",\"customerId\":\"C9\"},\"actor\":{\"email\":"
                + "\"a@example.org\"},\"events\":[{\"type\":\"USER_SETTINGS\",\"name\":\"CREATE_USER\",\"parameters\":[{\"name\":\"USER_EMAIL\","
                + "\"value\":\"page-user@example.org\"}]}]}]}");
        args.add(page.toString());
        expectedTargets.add("page-user@example.org");

        Cli.Run run = Cli.run(args.toArray(String[]::new));

        assertEquals(0, run.exit(), run.toString());
        assertFalse(run.err().contains("rejected:"), run.err());
        Set<String> targets = new TreeSet<>();
        int gws = 0;
        int gcp = 0;
        for (String line : run.outLines()) {
            JsonNode alert = JSON.readTree(line);
            String rule = alert.path("rule.id").asText();
            if (rule.equals("e2e-gws-user-created")) {
                gws++;
                targets.add(alert.path("user.target.name").asText());
            } else if (rule.equals("e2e-gcp-sa-created")) {
                gcp++;
            }
        }
        assertTrue(targets.containsAll(expectedTargets), targets.toString());
        assertEquals(mustAlert.get("google-workspace") + 1, gws, "CREATE_USER alerts (corpus and the page)\n" + run);
        assertEquals(mustAlert.get("gcp"), gcp, "CreateServiceAccount alerts\n" + run);
    }
}
