package dev.cadet.provider.o365.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.RawRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every audit record of {@code corpus/o365} normalizes; the API envelopes (listing, webhook, error)
 * are recognized as what they are and not claimed as records.
 */
class O365CorpusTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final O365Normalizer normalizer = new O365Normalizer();

    static Path corpus() {
        String shared = System.getProperty("cadet.shared.dir");
        Path dir = shared == null ? null : Path.of(shared, "corpus", "o365");
        boolean present = dir != null && Files.isDirectory(dir);
        if (!present && "1".equals(System.getenv("CADET_REQUIRE_CORPUS"))) {
            throw new AssertionError("corpus/o365 not found under cadet.shared.dir=" + shared);
        }
        Assumptions.assumeTrue(present, "corpus/o365 not found under cadet.shared.dir=" + shared + "; corpus tests skipped");
        return dir;
    }

    /** Each audit record of the corpus with its origin; Panther test cases contribute their {@code Log}. */
    static List<RawRecord> records(Path dir) throws Exception {
        List<RawRecord> out = new ArrayList<>();
        Path blob = dir.resolve("msdocs_activity-api_retrieve_content_audit_aad_response.json");
        JsonNode array = JSON.readTree(blob.toFile());
        for (int i = 0; i < array.size(); i++) {
            out.add(new RawRecord(array.get(i).toString(), blob.getFileName() + "[" + i + "]"));
        }
        Path elastic = dir.resolve("elastic-beats_o365-audit_azuread-users.ndjson");
        List<String> lines = Files.readAllLines(elastic);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(new RawRecord(lines.get(i), elastic.getFileName() + ":" + (i + 1)));
            }
        }
        Path panther = dir.resolve("panther-analysis_m365_audit_tests.ndjson");
        lines = Files.readAllLines(panther);
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isBlank()) {
                out.add(new RawRecord(JSON.readTree(lines.get(i)).get("Log").toString(), panther.getFileName() + ":" + (i + 1) + ".Log"));
            }
        }
        return out;
    }

    @Test
    void everyAuditRecordNormalizes() throws Exception {
        List<RawRecord> records = records(corpus());
        assertEquals(3 + 11 + 14, records.size());
        for (RawRecord r : records) {
            assertTrue(normalizer.recognizes(r), "not recognized: " + r.origin());
            List<Event> events = normalizer.normalize(r);
            assertEquals(1, events.size(), r.origin());
            Event e = events.get(0);
            JsonNode raw = JSON.readTree(r.body());
            assertEquals(field(raw, "Id"), e.id(), r.origin());
            assertEquals(field(raw, "Operation"), e.text(Event.ACTION), r.origin());
            assertEquals(field(raw, "OrganizationId"), e.text(Event.ACCOUNT_ID), r.origin());
            assertEquals("o365.audit", e.text(Event.DATASET));
            assertNotNull(e.text(Event.USER_NAME), r.origin());
            assertTrue(e.timestamp().isAfter(Instant.parse("2015-01-01T00:00:00Z")), r.origin());
        }
    }

    @Test
    void specificCorpusRecords() throws Exception {
        Map<String, Event> byOrigin = new java.util.HashMap<>();
        for (RawRecord r : records(corpus())) {
            byOrigin.put(r.origin(), normalizer.normalize(r).get(0));
        }
        Event addUser = byOrigin.get("elastic-beats_o365-audit_azuread-users.ndjson:2");
        assertEquals("Add user.", addUser.text(Event.ACTION));
        assertEquals(Instant.parse("2021-02-04T16:00:05Z"), addUser.timestamp());
        assertEquals("root@testsiem4.onmicrosoft.com", addUser.text(Event.USER_NAME));
        assertEquals("eve@testsiem4.onmicrosoft.com", addUser.text(Event.TARGET_NAME));
        assertEquals("success", addUser.text(Event.OUTCOME));
        Event role = byOrigin.get("elastic-beats_o365-audit_azuread-users.ndjson:4");
        assertEquals("Global Reader", role.text("o365.audit.role.display_name"));
        assertEquals("f2ef992c-3afb-46b9-b7cf-a126ee74c451", role.text("o365.audit.role.template_id"));
        Event failedLogon = byOrigin.get("msdocs_activity-api_retrieve_content_audit_aad_response.json[0]");
        assertEquals("failure", failedLogon.text(Event.OUTCOME));
        assertEquals("134.170.188.221", failedLogon.text(Event.SOURCE_IP));
        Event exchange = byOrigin.get("panther-analysis_m365_audit_tests.ndjson:3.Log");
        assertEquals("Set-Mailbox", exchange.text(Event.ACTION));
        assertEquals("success", exchange.text(Event.OUTCOME), "Exchange writes True");
        assertEquals(Instant.parse("2022-12-12T22:19:00Z"), exchange.timestamp());
    }

    @Test
    void envelopesAreNotRecords() throws Exception {
        Path dir = corpus();
        for (String name : Set.of("msdocs_activity-api_subscriptions-content_list_response.json",
                "msdocs_activity-api_webhook_notification.json", "msdocs_activity-api_error_response.json")) {
            JsonNode doc = JSON.readTree(dir.resolve(name).toFile());
            List<JsonNode> parts = new ArrayList<>();
            if (doc.isArray()) {
                doc.forEach(parts::add);
            } else {
                parts.add(doc);
            }
            for (JsonNode p : parts) {
                assertFalse(normalizer.recognizes(new RawRecord(p.toString(), name)), name + " is not an audit record");
            }
        }
        // The listing names blobs by contentId and contentUri, which the source reads.
        JsonNode listing = JSON.readTree(dir.resolve("msdocs_activity-api_subscriptions-content_list_response.json").toFile());
        assertTrue(listing.get(0).hasNonNull("contentId") && listing.get(0).hasNonNull("contentUri"));
    }

    private static String field(JsonNode raw, String name) {
        JsonNode n = AuditFields.field(raw, name);
        return n == null ? null : n.asText();
    }
}
