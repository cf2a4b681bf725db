package dev.cadet.provider.gcp.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.Test;

/**
 * Every record of {@code corpus/google-workspace} and {@code corpus/gcp} (Panther test cases unwrapped
 * from {@code Log}). Records that carry a time normalize, with the fields read back against the raw
 * JSON; the few Panther fragments that carry no time at all are refused, naming the missing field.
 */
class GoogleCorpusTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final GoogleNormalizer normalizer = new GoogleNormalizer();

    record CorpusRecord(String origin, JsonNode node) {
    }

    static List<CorpusRecord> records(String provider) throws Exception {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", provider);
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
                        out.add(new CorpusRecord(f.getFileName() + ":" + (i + 1), line.has("Log") ? line.get("Log") : line));
                    }
                }
            }
        }
        return out;
    }

    static boolean hasText(JsonNode n) {
        return n.isValueNode() && !n.asText().isEmpty();
    }

    @Test
    void everyWorkspaceRecordWithATimeNormalizesOneEventPerEntry() throws Exception {
        List<CorpusRecord> records = records("google-workspace");
        assertTrue(records.size() >= 29, "records: " + records.size());
        int refused = 0;
        for (CorpusRecord r : records) {
            RawRecord raw = new RawRecord(JSON.writeValueAsString(r.node()), r.origin());
            assertTrue(normalizer.recognizes(raw), r.origin());
            if (!hasText(r.node().at("/id/time"))) {
                MalformedRecordException e = org.junit.jupiter.api.Assertions.assertThrows(MalformedRecordException.class,
                        () -> normalizer.normalize(raw), r.origin());
                assertTrue(e.getMessage().contains("id.time: missing"), e.getMessage());
                refused++;
                continue;
            }
            List<Event> events = normalizer.normalize(raw);
            JsonNode ev = r.node().get("events");
            int expected = ev == null ? 1 : ev.isArray() ? ev.size() : 1;
            assertEquals(expected, events.size(), r.origin());
            Event e = events.get(0);
            String name = ev == null ? r.node().path("name").asText() : (ev.isArray() ? ev.get(0) : ev).path("name").asText();
            assertEquals(name, e.text("event.action"), r.origin());
            assertEquals("google_workspace.admin", e.text("event.dataset"), r.origin());
            assertEquals(r.node().at("/actor/email").asText(), e.text("user.name"), r.origin());
            assertEquals(r.node().at("/id/customerId").asText(), e.text("cloud.account.id"), r.origin());
            assertTrue(e.id().endsWith("|" + name), e.id());
            String userEmail = userEmail(r.node());
            assertEquals(userEmail, e.text("user.target.name"), r.origin());
            if (name.equals("ASSIGN_ROLE")) {
                assertTrue(e.text("google_workspace.admin.role.name") != null, r.origin());
            }
        }
        assertEquals(1, refused, "only Panther's ASSIGN_ROLE fragment lacks id.time");
    }

    private static String userEmail(JsonNode activity) {
        JsonNode ev = activity.get("events");
        JsonNode params = ev == null ? activity.path("parameters") : (ev.isArray() ? ev.get(0) : ev).path("parameters");
        if (params.isObject()) {
            return params.hasNonNull("USER_EMAIL") ? params.get("USER_EMAIL").asText() : null;
        }
        for (JsonNode p : params) {
            if (p.path("name").asText().equals("USER_EMAIL")) {
                return p.path("value").asText();
            }
        }
        return null;
    }

    @Test
    void everyAuditLogRecordWithATimeNormalizes() throws Exception {
        List<CorpusRecord> records = records("gcp");
        assertTrue(records.size() >= 21, "records: " + records.size());
        int refused = 0;
        boolean sawCreate = false;
        boolean sawKey = false;
        for (CorpusRecord r : records) {
            JsonNode n = r.node();
            RawRecord raw = new RawRecord(JSON.writeValueAsString(n), r.origin());
            assertTrue(normalizer.recognizes(raw), r.origin());
            if (!hasText(n.path("timestamp"))) {
                MalformedRecordException e = org.junit.jupiter.api.Assertions.assertThrows(MalformedRecordException.class,
                        () -> normalizer.normalize(raw), r.origin());
                assertTrue(e.getMessage().contains("timestamp: missing"), e.getMessage());
                refused++;
                continue;
            }
            List<Event> events = normalizer.normalize(raw);
            assertEquals(1, events.size());
            Event e = events.get(0);
            String method = n.at("/protoPayload/methodName").asText();
            assertEquals(method, e.text("gcp.audit.method_name"));
            assertTrue(method.endsWith(e.text("event.action")), method);
            assertEquals(hasText(n.path("insertId")) ? n.path("insertId").asText() : e.id(), e.id());
            JsonNode principal = n.at("/protoPayload/authenticationInfo/principalEmail");
            assertEquals(hasText(principal) ? principal.asText() : null, e.text("user.name"), r.origin());
            boolean failed = n.at("/protoPayload/status/code").asLong(0) != 0;
            assertEquals(failed ? "failure" : "success", e.text("event.outcome"), r.origin());
            if (method.endsWith(".CreateServiceAccount") && !failed) {
                sawCreate = true;
                assertEquals(n.at("/protoPayload/response/email").asText(), e.text("user.target.name"), r.origin());
                assertEquals(n.at("/resource/labels/project_id").asText(), e.text("cloud.account.id"), r.origin());
            }
            if (method.endsWith(".CreateServiceAccountKey")) {
                sawKey = true;
                assertEquals(n.at("/resource/labels/email_id").asText(), e.text("user.target.name"), r.origin());
            }
            JsonNode deltas = n.at("/protoPayload/serviceData/policyDelta/bindingDeltas");
            if (deltas.isArray()) {
                assertEquals(deltas.size(), ((List<?>) e.fields().get("gcp.audit.policy_delta.role")).size(), r.origin());
            }
        }
        assertTrue(sawCreate && sawKey);
        assertEquals(2, refused, "only the two Panther SetIamPolicy fragments lack a timestamp");
        assertFalse(records.isEmpty());
    }
}
