package dev.cadet.e2e;

import static dev.cadet.e2e.AwsPipeline.ACCOUNT;
import static dev.cadet.e2e.AwsPipeline.RULE;
import static dev.cadet.e2e.AwsPipeline.createUser;
import static dev.cadet.e2e.AwsPipeline.iamEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.alert.Alert;
import dev.cadet.e2e.LookupEventsStandIn.TrailEvent;
import dev.cadet.forward.cef.StrictCefParser;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cadet replay} as a user runs it: CloudTrail S3 files (plain and gzipped), a LookupEvents
 * answer and NDJSON records, through the distribution's plugins and shipped rules, alerts on stdout.
 */
class ReplayCliE2ETest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Instant T = Instant.parse("2026-02-10T08:00:00Z");

    @TempDir
    Path dir;
    List<String> files = new ArrayList<>();
    /** event id -> (actor, target) of every record that must alert. */
    Map<String, List<String>> expected = new TreeMap<>();

    @BeforeEach
    void writeFixtures() throws Exception {
        TrailEvent s3User = createUser("s3-1", T, "alice", "bob");
        TrailEvent s3Attach = iamEvent("s3-2", "AttachUserPolicy", T.plusSeconds(10), "alice", "bob", null);
        TrailEvent s3Role = iamEvent("s3-3", "CreateRole", T.plusSeconds(20), "carol", "deploy-role", null);
        Path s3 = dir.resolve("111122223333_CloudTrail_us-east-1_20260210T0800Z_a.json");
        Files.writeString(s3, records(s3User, s3Attach, s3Role));

        Path gz = dir.resolve("111122223333_CloudTrail_us-east-1_20260210T0805Z_b.json.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(records(createUser("gz-1", T.plusSeconds(300), "dave", "erin")).getBytes(StandardCharsets.UTF_8));
        }

        ObjectNode lookup = JSON.createObjectNode();
        ArrayNode events = lookup.putArray("Events");
        TrailEvent le = createUser("le-1", T.plusSeconds(400), "frank", "grace");
        events.addObject().put("EventId", le.id()).put("EventName", le.name()).put("EventTime", le.time().getEpochSecond())
                .put("CloudTrailEvent", le.recordJson());
        Path lookupFile = dir.resolve("lookup-events.json");
        Files.writeString(lookupFile, lookup.toPrettyString());

        Path ndjson = dir.resolve("records.ndjson");
        Files.writeString(ndjson, String.join("\n",
                createUser("nd-1", T.plusSeconds(500), "heidi", "ivan").recordJson(),
                "{\"eventName\": \"CreateUser\", \"eventSource\": \"iam.amazonaws.com\", broken",
                iamEvent("nd-3", "CreateVirtualMFADevice", T.plusSeconds(520), "heidi", "ivan-mfa", null).recordJson(),
                iamEvent("nd-4", "CreateUser", T.plusSeconds(540), "heidi", "judy", "EntityAlreadyExists").recordJson()) + "\n");

        files.addAll(List.of(s3.toString(), gz.toString(), lookupFile.toString(), ndjson.toString()));
        expected.put("s3-1", List.of("alice", "bob"));
        expected.put("s3-3", List.of("carol", "deploy-role"));
        expected.put("gz-1", List.of("dave", "erin"));
        expected.put("le-1", List.of("frank", "grace"));
        expected.put("nd-1", List.of("heidi", "ivan"));
        expected.put("nd-3", List.of("heidi", "ivan-mfa"));
    }

    private static String records(TrailEvent... events) throws Exception {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode list = root.putArray("Records");
        for (TrailEvent e : events) {
            list.add(JSON.readTree(e.recordJson()));
        }
        return root.toString();
    }

    @Test
    void noProgressLineWhenNotOnATerminal() {
        Cli.Run run = replay();
        assertEquals(0, run.exit(), run.toString());
        assertFalse(run.err().contains("\r"), run.err());
        assertFalse(run.err().matches("(?s).*files [0-9]+/[0-9]+.*"), run.err());
        assertFalse(run.out().contains("\r"), run.out());
    }

    private Cli.Run replay(String... options) {
        List<String> args = new ArrayList<>(List.of("replay",
                "--rules", AwsPipeline.distDir().resolve("conf/rules").toString(),
                "--plugins", AwsPipeline.distDir().resolve("plugins").toString()));
        args.addAll(List.of(options));
        args.addAll(files);
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void jsonLinesForEveryShapeAndTheMalformedLineOnStderr() throws Exception {
        Cli.Run run = replay("--format", "json");

        assertEquals(0, run.exit(), run.toString());
        Map<String, List<String>> alerted = new TreeMap<>();
        for (String line : run.outLines()) {
            JsonNode a = JSON.readTree(line);
            assertEquals(RULE, a.path("rule.id").asText(), line);
            assertEquals(ACCOUNT, a.path("cloud.account.id").asText(), line);
            assertEquals("aws.cloudtrail", a.path("event.dataset").asText(), line);
            assertEquals(1, a.path("event_ids").size(), line);
            String id = a.path("event_ids").get(0).asText();
            assertEquals(Alert.idOf(RULE, List.of(id)), a.path("alert.id").asText(), line);
            assertFalse(alerted.containsKey(id), "two alerts for " + id);
            alerted.put(id, List.of(a.path("user.name").asText(), a.path("user.target.name").asText()));
        }
        assertEquals(expected, alerted);
        assertTrue(run.err().contains("records.ndjson:2"), "the malformed line is named by file:line: " + run.err());
    }

    @Test
    void cefLines() {
        Cli.Run run = replay("--format", "cef");

        assertEquals(0, run.exit(), run.toString());
        Map<String, List<String>> alerted = new TreeMap<>();
        for (String line : run.outLines()) {
            StrictCefParser.Record cef = StrictCefParser.parse(line);
            assertEquals("cadet", cef.vendor());
            assertEquals(RULE, cef.classId());
            assertEquals(RULE, cef.extension().get("cs1"));
            String id = cef.extension().get("externalId");
            List<String> match = expected.entrySet().stream().filter(e -> Alert.idOf(RULE, List.of(e.getKey())).equals(id))
                    .map(Map.Entry::getKey).toList();
            assertEquals(1, match.size(), "alert id " + id + " is the id of one expected record");
            alerted.put(match.get(0), List.of(cef.extension().get("suser"), cef.extension().get("duser")));
        }
        assertEquals(expected, alerted);
    }

    @Test
    void sourceAwsSelectsTheAwsNormalizer() throws Exception {
        Cli.Run run = replay("--source", "aws");

        assertEquals(0, run.exit(), run.toString());
        List<String> ids = new ArrayList<>();
        for (String line : run.outLines()) {
            ids.add(JSON.readTree(line).path("event_ids").get(0).asText());
        }
        assertEquals(new ArrayList<>(expected.keySet()), ids.stream().sorted().toList());
    }

    @Test
    void badArgumentsExitTwo() {
        Path noRules = dir.resolve("no-such-rules");
        Cli.Run badRules = Cli.run("replay", "--rules", noRules.toString(),
                "--plugins", AwsPipeline.distDir().resolve("plugins").toString(), files.get(0));
        assertEquals(2, badRules.exit(), badRules.toString());
        assertTrue(badRules.err().contains(noRules.toString()), badRules.toString());
        assertEquals("", badRules.out());

        Cli.Run badSource = replay("--source", "okta");
        assertEquals(2, badSource.exit(), badSource.toString());
        assertTrue(badSource.err().contains("--source okta"), badSource.toString());
        assertEquals("", badSource.out());
    }
}
