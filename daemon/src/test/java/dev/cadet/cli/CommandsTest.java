package dev.cadet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.Main;
import dev.cadet.alert.Alert;
import dev.cadet.alert.AlertJson;
import dev.cadet.alert.Severity;
import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands' behaviour as an operator sees it: output and exit codes. */
class CommandsTest {
    private static final Path DIST = Path.of(System.getProperty("cadet.dist.dir", "target/cadet"));

    @TempDir
    Path dir;

    /** Runs the CLI with stdout and stderr captured. */
    private record Ran(int code, String out, String err) {
    }

    private static Ran cadet(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Ran(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private Path config(String yaml) throws Exception {
        Path f = dir.resolve("cadet.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void sendTestAlertReachesEveryOutputAndIsLabelledAsATest() throws Exception {
        Path a = dir.resolve("a.jsonl");
        Path b = dir.resolve("b.jsonl");
        Path cfg = config("""
                store: {path: %s}
                plugins: {dir: %s}
                outputs:
                  - {type: file, name: one, path: %s}
                  - {type: file, name: two, path: %s}
                """.formatted(dir.resolve("s.db"), DIST.resolve("plugins"), a, b));
        Ran r = cadet("send-test-alert", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        for (Path f : List.of(a, b)) {
            List<String> lines = Files.readAllLines(f);
            assertEquals(1, lines.size(), f + ": " + lines);
            Alert alert = AlertJson.fromJson(lines.get(0));
            assertTrue(alert.test(), "labelled as a test");
            assertEquals(SendTestAlertCommand.RULE_ID, alert.ruleId());
        }
        assertTrue(r.err().contains("output \"one\"") && r.err().contains("output \"two\""), r.err());
    }

    @Test
    void sendTestAlertFailsNamingTheOutputThatDidNotTakeIt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path ok = dir.resolve("ok.jsonl");
        Path cfg = config("""
                outputs:
                  - {type: file, name: local, path: %s}
                  - {type: syslog, name: siem, host: 127.0.0.1, port: %d, protocol: tcp, connect_timeout: 2s}
                """.formatted(ok, closedPort));
        Ran r = cadet("send-test-alert", "--config", cfg.toString());
        assertEquals(ExitCodes.FAILURE, r.code());
        assertTrue(r.err().contains("NOT sent to output \"siem\""), r.err());
        assertEquals(1, Files.readAllLines(ok).size(), "the reachable output still got it");
    }

    @Test
    void statusShowsEachStreamAndTheOutboxDepthPerOutput() throws Exception {
        Path db = dir.resolve("state.db");
        Instant wm = Instant.parse("2026-11-20T10:00:00Z");
        try (Store store = new SqliteStore(db.toString())) {
            store.commit(new Store.PollCommit("aws/111122223333/us-east-1", wm.plusSeconds(300), wm, List.of(), List.of(
                    new Alert(Alert.idOf("r", List.of("e1")), wm, "r", "R", Severity.HIGH, 73, List.of(), null, null, null,
                            null, null, List.of("e1"), false)),
                    Map.of(), Set.of(), Map.of(), List.of(), 4, 1, List.of(1000L, 3000L)));
            store.recordFailure("aws/111122223333/eu-west-1", wm, "AccessDenied: grant cloudtrail:LookupEvents", true);
        }
        Path cfg = config("""
                store: {path: %s}
                outputs:
                  - {type: file, name: archive, path: %s}
                """.formatted(db, dir.resolve("x.jsonl")));

        Ran json = cadet("status", "--config", cfg.toString(), "--json");
        assertEquals(0, json.code(), json.err());
        JsonNode root = new ObjectMapper().readTree(json.out());
        assertEquals(1, root.path("outbox").path("archive").asInt());
        JsonNode streams = root.path("streams");
        assertEquals(2, streams.size());
        JsonNode failed = streams.get(0);
        assertEquals("aws/111122223333/eu-west-1", failed.path("stream").asText(), "streams in key order");
        assertTrue(failed.path("stopped").asBoolean());
        assertTrue(failed.path("last_error").asText().contains("cloudtrail:LookupEvents"));
        JsonNode ok = streams.get(1);
        assertEquals(wm.toString(), ok.path("watermark").asText());
        assertEquals(4, ok.path("requests").asInt());
        assertEquals(1, ok.path("throttles").asInt());
        assertTrue(ok.path("lag_seconds").asLong() > 0);

        Ran table = cadet("status", "--config", cfg.toString());
        assertEquals(0, table.code());
        assertTrue(table.out().contains("STOPPED: AccessDenied"), table.out());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("archive") && l.trim().endsWith("1")), table.out());
    }

    @Test
    void runRefusesABadConfigWithEveryProblemAndExitCode2() throws Exception {
        Path cfg = config("""
                store: {path: %s, retention: 3x}
                plugins: {dir: %s}
                providers:
                  nosuch: [{folder: /tmp}]
                outputs:
                  - {type: stdout, colour: red}
                """.formatted(dir.resolve("s.db"), DIST.resolve("plugins")));
        Ran r = cadet("run", "--config", cfg.toString());
        assertEquals(ExitCodes.INVALID, r.code());
        assertTrue(r.err().contains("store.retention: not a duration: \"3x\""), r.err());
        assertTrue(r.err().contains("providers.nosuch[0]: no plugin provides \"nosuch\""), r.err());
        assertTrue(r.err().contains("outputs[0].colour: unknown key"), r.err());
        assertFalse(Files.exists(dir.resolve("s.db")), "nothing started");
    }

    @Test
    void pluginsListsTheShippedProvidersWithTheirSpiVersion() throws Exception {
        Path cfg = config("plugins: {dir: %s}\n".formatted(DIST.resolve("plugins")));
        Ran r = cadet("plugins", "--config", cfg.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("aws\\s+\\S+\\s+1\\s+.*")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("file\\s+\\S+\\s+1\\s+.*")), r.out());
    }

    @Test
    void rulesCheckPassesTheShippedPackAndPointsAtABrokenRule() throws Exception {
        Ran shipped = cadet("rules", "check", DIST.resolve("conf/rules").toString());
        assertEquals(0, shipped.code(), shipped.out());
        assertTrue(shipped.out().contains("warning:"), "the seed's sequence of one is warned about: " + shipped.out());

        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.writeString(rules.resolve("broken.eql"), "any where event.action == \"CreateUser\" | head 5\n");
        Ran broken = cadet("rules", "check", rules.toString());
        assertEquals(ExitCodes.INVALID, broken.code());
        assertTrue(broken.out().contains("broken.eql:1:"), broken.out());
    }

    @Test
    void rulesCheckAcceptsAnElasticRuleAndWarnsOnceAboutTheKeysCadetDoesNotUse() throws Exception {
        Path rules = Files.createDirectories(dir.resolve("elastic"));
        Path rule = rules.resolve("persistence_iam_user_created_with_console_login.toml");
        try (var in = CommandsTest.class.getResourceAsStream("/elastic-rules/" + rule.getFileName())) {
            Files.copy(in, rule);
        }
        Ran r = cadet("rules", "check", rules.toString());
        assertEquals(0, r.code(), r.out());
        List<String> warnings = r.out().lines().filter(l -> l.startsWith("warning: ")).toList();
        assertEquals(1, warnings.size(), r.out());
        assertTrue(warnings.get(0).startsWith("warning: " + rule + ": keys cadet does not use: metadata.integration,"), r.out());
        assertTrue(warnings.get(0).contains(" rule.index,") && warnings.get(0).contains(" rule.timestamp_override,"), r.out());
        assertTrue(r.out().contains(rules + ": OK"), r.out());
    }

    @Test
    void rulesTestRunsTheShippedFixturesAndReportsAFailingCaseAndAnUntestedRule() throws Exception {
        Ran shipped = cadet("rules", "test", DIST.resolve("conf/rules").toString());
        assertEquals(0, shipped.code(), shipped.out());
        assertTrue(shipped.out().contains("PASS aws-user-created-then-credentials: the key arrives first, and the daemon restarts"), shipped.out());
        assertFalse(shipped.out().contains("FAIL"), shipped.out());

        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.createDirectories(rules.resolve("tests"));
        Files.writeString(rules.resolve("keyed.eql"), """
                sequence by user.target.name with maxspan=5m
                  [any where event.action == "CreateUser"]
                  [any where event.action == "CreateAccessKey"]
                """);
        Files.writeString(rules.resolve("untested.eql"), "any where event.action == \"DeleteUser\"\n");
        Files.writeString(rules.resolve("tests/keyed.yaml"), """
                rule: keyed
                cases:
                  - name: chain
                    expect: alert
                    event_ids: [c1, k1]
                    events:
                      - {"@timestamp": "2026-11-20T10:00:00Z", event.id: c1, event.action: CreateUser, user.target.name: m}
                      - {"@timestamp": "2026-11-20T10:01:00Z", event.id: k1, event.action: CreateAccessKey, user.target.name: m}
                  - name: wrongly expects an alert beyond maxspan
                    expect: alert
                    events:
                      - {"@timestamp": "2026-11-20T10:00:00Z", event.id: c1, event.action: CreateUser, user.target.name: m}
                      - {"@timestamp": "2026-11-20T10:06:00Z", event.id: k1, event.action: CreateAccessKey, user.target.name: m}
                  - name: other user
                    expect: none
                    events:
                      - {"@timestamp": "2026-11-20T10:00:00Z", event.id: c1, event.action: CreateUser, user.target.name: m}
                      - {"@timestamp": "2026-11-20T10:01:00Z", event.id: k1, event.action: CreateAccessKey, user.target.name: x}
                """);
        Ran r = cadet("rules", "test", rules.toString());
        assertEquals(ExitCodes.INVALID, r.code(), r.out());
        List<String> lines = r.out().lines().toList();
        assertEquals(List.of(
                "PASS keyed: chain",
                "FAIL keyed: wrongly expects an alert beyond maxspan: expected 1 alert, got 0 alerts",
                "PASS keyed: other user",
                "UNTESTED untested: no fixture cases",
                "2 rules, 3 cases: 2 passed, 1 failed; 1 rule(s) without both a positive and a negative case"), lines);

        Files.delete(rules.resolve("untested.eql"));
        Files.writeString(rules.resolve("tests/keyed.yaml"), Files.readString(rules.resolve("tests/keyed.yaml"))
                .replace("wrongly expects an alert beyond maxspan\n    expect: alert", "beyond maxspan\n    expect: none"));
        Ran fixed = cadet("rules", "test", rules.toString());
        assertEquals(0, fixed.code(), fixed.out());
        assertTrue(fixed.out().endsWith("1 rules, 3 cases: 3 passed, 0 failed\n"), fixed.out());

        Files.writeString(rules.resolve("tests/keyed.yaml"), "rule: keyed\ncases:\n  - name: only a positive\n    expect: alert\n"
                + "    events: [{\"@timestamp\": \"2026-11-20T10:00:00Z\", event.id: c1, event.action: CreateUser, user.target.name: m},"
                + " {\"@timestamp\": \"2026-11-20T10:00:01Z\", event.id: k1, event.action: CreateAccessKey, user.target.name: m}]\n");
        Ran onlyPositive = cadet("rules", "test", rules.toString());
        assertEquals(ExitCodes.INVALID, onlyPositive.code(), onlyPositive.out());
        assertTrue(onlyPositive.out().contains("UNTESTED keyed: no negative case (expect: none)"), onlyPositive.out());
    }

    /** The shipped example config is true to the code: its only problems are things of this machine. */
    @Test
    void theShippedExampleConfigHasNoProblemOfItsOwn() throws Exception {
        Path creds = Files.createDirectories(dir.resolve("creds"));
        ConfigLoader loader = new ConfigLoader(DIST, new SecretReferences(Map.of("CREDENTIALS_DIRECTORY", creds.toString())));
        CadetConfig config = loader.load(DIST.resolve("conf/cadet.yaml"));
        try (PluginRegistry plugins = PluginRegistry.load(DIST.resolve("plugins"));
             ConfigCheck.Result result = ConfigCheck.check(config, plugins, CheckConfigCommand::readOutput)) {
            List<String> own = result.problems().stream()
                    .filter(p -> !p.matches(".*(is not set|does not exist|cannot read).*"))
                    .toList();
            assertEquals(List.of(), own);
        }
    }
}
