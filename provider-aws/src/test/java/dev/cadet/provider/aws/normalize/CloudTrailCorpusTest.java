package dev.cadet.provider.aws.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.RawRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every CloudTrail record of the shared corpus ({@code ${cadet.shared.dir}/corpus/aws}) normalizes.
 * NDJSON lines are either a record or a Panther test case holding the record in {@code Log}; the
 * LookupEvents answer file is normalized whole.
 */
class CloudTrailCorpusTest {

    private static Path corpus;
    private final CloudTrailNormalizer normalizer = new CloudTrailNormalizer();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void findCorpus() {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", "aws");
        boolean present = dir != null && Files.isDirectory(dir);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            fail("CADET_REQUIRE_CORPUS=1 but the AWS corpus is not at " + dir + " (system property cadet.shared.dir)");
        }
        Assumptions.assumeTrue(present, "SKIPPED: AWS corpus not found at " + dir + " (set -Dcadet.shared.dir)");
        corpus = dir;
    }

    /** (file:line, record body) for every record in the corpus. */
    private List<RawRecord> records() throws IOException {
        List<RawRecord> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".ndjson")) {
                    List<String> lines = Files.readAllLines(f);
                    for (int i = 0; i < lines.size(); i++) {
                        if (lines.get(i).isBlank()) {
                            continue;
                        }
                        JsonNode line = json.readTree(lines.get(i));
                        JsonNode record = line.has("Log") ? line.get("Log") : line;
                        out.add(new RawRecord(json.writeValueAsString(record), name + ":" + (i + 1)));
                    }
                } else if (name.endsWith(".json")) {
                    out.add(new RawRecord(Files.readString(f), name));
                }
            }
        }
        return out;
    }

    private List<Event> all() throws IOException {
        List<Event> events = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (RawRecord r : records()) {
            try {
                events.addAll(normalizer.normalize(r));
            } catch (MalformedRecordException e) {
                failures.add(e.getMessage());
            }
        }
        assertEquals(List.of(), failures, "every corpus record normalizes");
        return events;
    }

    @Test
    void everyRecordNormalizesWithTheCoreFields() throws IOException {
        List<Event> events = all();
        assertEquals(54, events.size(), "53 records + 1 LookupEvents entry (corpus-notes.md)");
        for (Event e : events) {
            assertNotNull(e.id());
            assertEquals("aws.cloudtrail", e.text("event.dataset"));
            assertEquals("aws", e.text("cloud.provider"));
            assertNotNull(e.text("event.action"));
            String outcome = e.text("event.outcome");
            assertEquals(e.text("error.code") == null ? "success" : "failure", outcome, e.toString());
        }
    }

    @Test
    void createUserRecordsHaveTargetAccountAndOutcome() throws IOException {
        List<Event> createUsers = all().stream().filter(e -> "CreateUser".equals(e.text("event.action"))).toList();
        // 7 Panther + 1 Elastic beats
        assertEquals(8, createUsers.size());
        List<Event> failed = createUsers.stream().filter(e -> e.text("error.code") != null).toList();
        assertEquals(1, failed.size());
        assertEquals("EntityAlreadyExists", failed.get(0).text("error.code"));
        assertEquals("failure", failed.get(0).text("event.outcome"));
        for (Event e : createUsers) {
            assertNotNull(e.text("user.target.name"), e.toString());
            if (e.text("error.code") == null && e.text("aws.cloudtrail.event_version") != null) {
                assertNotNull(e.text("cloud.account.id"), e.toString());
                assertNotNull(e.text("user.name"), e.toString());
            }
        }
        Event beats = createUsers.stream().filter(e -> "1.0".equals(e.text("aws.cloudtrail.event_version"))).findFirst().orElseThrow();
        assertEquals("Bob", beats.text("user.target.name"));
        assertEquals("Alice", beats.text("user.name"));
        assertEquals("123456789012", beats.text("cloud.account.id"));
        assertEquals("127.0.0.1", beats.text("source.ip"));
        assertTrue(beats.id().startsWith("sha256:"), "no eventID in eventVersion 1.0: " + beats.id());
    }

    @Test
    void specificCorpusRecordsMapAsDocumented() throws IOException {
        List<Event> events = all();
        Event attach = events.stream().filter(e -> "48a0efc2-e7b5-48d0-a3d7-38c44cd15525".equals(e.id())).findFirst().orElseThrow();
        assertEquals("pwncloud-backdoor-user", attach.text("user.target.name"));
        assertEquals("arn:aws:iam::aws:policy/AdministratorAccess", attach.text("aws.cloudtrail.request_parameters.policy_arn"));
        assertEquals("ec2-instance-role", attach.text("user.name"));
        assertEquals("000000000", attach.text("cloud.account.id"));

        Event service = events.stream().filter(e -> "b3d7f1a2-6c4e-4d8b-8e21-5a9c0e7f4d33".equals(e.id())).findFirst().orElseThrow();
        assertEquals("ec2.amazonaws.com", service.text("user.name"));
        assertEquals("ec2.amazonaws.com", service.text("source.domain"));
        assertNull(service.text("source.ip"));

        Event console = events.stream().filter(e -> "654ccbc0-ba0d-486a-9076-dbf7274677a7".equals(e.id())).findFirst().orElseThrow();
        assertEquals("ConsoleLogin", console.text("event.action"));
        assertEquals("my-role", console.text("user.name"));
        assertEquals("my-session-name", console.text("aws.cloudtrail.user_identity.session_name"));

        List<String> denied = events.stream().filter(e -> "AccessDenied".equals(e.text("error.code")))
                .map(e -> e.text("event.action")).toList();
        assertEquals(List.of("CreateServiceLinkedRole", "CreateServiceLinkedRole", "CreateServiceLinkedRole"), denied);
    }

    @Test
    void everyCorpusRecordIsRecognized() throws IOException {
        for (RawRecord r : records()) {
            if (r.origin().startsWith("panther-analysis_cloudtrail_iam_tests.ndjson:1")
                    && !r.body().contains("\"p_log_type\"")) {
                continue;
            }
            assertTrue(normalizer.recognizes(r), r.origin());
        }
        assertFalse(normalizer.recognizes(new RawRecord("{\"Operation\":\"Add user.\"}", "x")));
    }
}
