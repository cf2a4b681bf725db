package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM as systemd sends it, to the daemon started by the distribution's launcher: it exits with
 * 143 (the unit's SuccessExitStatus) or 0 well within the unit's TimeoutStopSec, and no alert that
 * reached the outbox is lost: what was not delivered before the stop is delivered after the restart.
 */
class CleanStopIT {
    static final int FILES = 40;
    static final int USERS_PER_FILE = 50;
    /** The unit's TimeoutStopSec. */
    static final Duration UNIT_STOP_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void sigtermStopsWithinTheUnitTimeoutAndLosesNoCommittedAlert() throws Exception {
        Path drop = Files.createDirectories(dir.resolve("drop"));
        Path alerts = dir.resolve("alerts.jsonl");
        Set<String> expectedTargets = writeCreateUserExports(drop);
        Path config = dir.resolve("cadet.yaml");
        Files.writeString(config, """
                store:
                  path: %s
                plugins:
                  dir: %s
                detection:
                  rules: [%s]
                providers:
                  file:
                    - name: drop
                      folder: %s
                      schedule: 1s
                      settle_lag: 0s
                outputs:
                  - type: file
                    name: file
                    path: %s
                """.formatted(dir.resolve("cadet.db"), AwsPipeline.distDir().resolve("plugins"),
                BuildOutputs.ruleDir(), drop, alerts));
        Path launcher = AwsPipeline.distDir().resolve("bin/cadet");

        int exit;
        try (ChildDaemon first = ChildDaemon.start(launcher, dir, Map.of(), "run", "--config", config.toString())) {
            // Stop while it is at work: the first alerts are out, most of the exports are not read yet.
            first.await("first alert in " + alerts, Duration.ofSeconds(60), () -> lines(alerts) > 0);
            long t0 = System.nanoTime();
            exit = first.stop(UNIT_STOP_TIMEOUT);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertTrue(exit == 143 || exit == 0, "exit code after SIGTERM: " + exit + "\n" + first.output());
            assertTrue(first.stderr().contains("cadet stopped"), first.output());
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "stop took " + took);
        }
        int afterFirst = targets(alerts).size();

        try (ChildDaemon second = ChildDaemon.start(launcher, dir, Map.of(), "run", "--config", config.toString())) {
            second.await("all " + expectedTargets.size() + " alerts in " + alerts, Duration.ofSeconds(90),
                    () -> targets(alerts).size() >= expectedTargets.size());
            assertEquals(143, second.stop(UNIT_STOP_TIMEOUT), second.output());
        }
        assertEquals(expectedTargets, targets(alerts),
                "every created user alerted exactly once or more (first run delivered " + afterFirst + ")");
        Cli.Run status = Cli.run("status", "--config", config.toString(), "--json");
        assertEquals(0, status.exit(), status.toString());
        assertEquals(0, JSON.readTree(status.out()).get("outbox").get("file").asLong(), "outbox depth: " + status.out());
    }

    /** CloudTrail exports, each with distinct CreateUser records (distinct event ids and user names). */
    private static Set<String> writeCreateUserExports(Path drop) throws IOException {
        JsonNode sample = JSON.readTree(BuildOutputs.projectRoot().resolve("conf/samples/cloudtrail-s3-111122223333-us-east-1.json").toFile());
        ObjectNode createUser = null;
        for (JsonNode r : sample.get("Records")) {
            if (r.get("eventName").asText().equals("CreateUser")) {
                createUser = (ObjectNode) r;
                break;
            }
        }
        Set<String> targets = new TreeSet<>();
        for (int f = 0; f < FILES; f++) {
            ObjectNode file = JSON.createObjectNode();
            ArrayNode records = file.putArray("Records");
            for (int u = 0; u < USERS_PER_FILE; u++) {
                String name = "stop-test-%02d-%03d".formatted(f, u);
                ObjectNode r = createUser.deepCopy();
                r.put("eventID", "5e0f0000-%04d-4000-8000-%012d".formatted(f, u));
                r.put("eventTime", "2026-11-20T10:%02d:%02dZ".formatted(f % 60, u % 60));
                ((ObjectNode) r.get("requestParameters")).put("userName", name);
                ((ObjectNode) r.get("responseElements").get("user")).put("userName", name);
                records.add(r);
                targets.add(name);
            }
            JSON.writeValue(drop.resolve("export-%02d.json".formatted(f)).toFile(), file);
        }
        return targets;
    }

    private static long lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static Set<String> targets(Path alerts) {
        Set<String> out = new HashSet<>();
        try {
            if (!Files.exists(alerts)) {
                return out;
            }
            for (String line : Files.readAllLines(alerts, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode a = JSON.readTree(line);
                JsonNode t = a.get("user.target.name");
                if (t != null) {
                    out.add(t.asText());
                }
            }
        } catch (IOException e) {
            // a line being written: read again next time
        }
        return new TreeSet<>(out);
    }
}
