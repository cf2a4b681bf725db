package dev.cadet.provider.aws.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.RawRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloudTrailNormalizerTest {

    private final CloudTrailNormalizer normalizer = new CloudTrailNormalizer();
    private final ObjectMapper json = new ObjectMapper();

    static String fixture(String name) {
        try (InputStream in = CloudTrailNormalizerTest.class.getResourceAsStream("/cloudtrail/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private Event one(String body) throws MalformedRecordException {
        List<Event> events = normalizer.normalize(new RawRecord(body, "test.json:1"));
        assertEquals(1, events.size());
        return events.get(0);
    }

    @Test
    void createUserByIamUserMapsEcsFields() throws Exception {
        Event e = one(fixture("create-user-by-iam-user.json"));
        assertEquals("7c4a1b2e-1111-4a2b-9c3d-000000000001", e.id());
        assertEquals(Instant.parse("2026-03-02T10:15:30Z"), e.timestamp());
        Map<String, Object> f = e.fields();
        assertEquals("2026-03-02T10:15:30Z", f.get("@timestamp"));
        assertEquals("aws.cloudtrail", f.get("event.dataset"));
        assertEquals("iam.amazonaws.com", f.get("event.provider"));
        assertEquals("CreateUser", f.get("event.action"));
        assertEquals("success", f.get("event.outcome"));
        assertFalse(f.containsKey("error.code"));
        assertFalse(f.containsKey("error.message"));
        assertEquals("aws", f.get("cloud.provider"));
        assertEquals("210987654321", f.get("cloud.account.id"));
        assertEquals("us-east-1", f.get("cloud.region"));
        assertEquals("ops-admin", f.get("user.name"));
        assertEquals("AIDAFIXTUREADMIN0001", f.get("user.id"));
        assertEquals("backup-svc", f.get("user.target.name"));
        assertEquals("AIDAFIXTURENEWUSER01", f.get("user.target.id"));
        assertEquals("203.0.113.7", f.get("source.ip"));
        assertFalse(f.containsKey("source.domain"));
        assertEquals("aws-cli/2.15.0 Python/3.11.6 Linux/6.1", f.get("user_agent.original"));
        assertEquals("IAMUser", f.get("aws.cloudtrail.user_identity.type"));
        assertEquals("arn:aws:iam::210987654321:user/ops-admin", f.get("aws.cloudtrail.user_identity.arn"));
        assertEquals("AwsApiCall", f.get("aws.cloudtrail.event_type"));
    }

    @Test
    void failedCallByAssumedRoleIsAFailureWithTheRoleAsActor() throws Exception {
        Event e = one(fixture("create-user-denied-assumed-role.json"));
        assertEquals("failure", e.text("event.outcome"));
        assertEquals("AccessDenied", e.text("error.code"));
        assertTrue(e.text("error.message").startsWith("User: arn:aws:sts::210987654321:assumed-role/DeveloperRole/dev-session is not authorized"));
        assertEquals("DeveloperRole", e.text("user.name"));
        assertEquals("dev-session", e.text("aws.cloudtrail.user_identity.session_name"));
        assertEquals("AROAFIXTUREROLE00001:dev-session", e.text("user.id"));
        assertEquals("AssumedRole", e.text("aws.cloudtrail.user_identity.type"));
        // responseElements and requestParameters are null on a denied call: no target
        assertNull(e.text("user.target.name"));
        assertEquals("2001:db8::17", e.text("source.ip"));
    }

    @Test
    void attachUserPolicyCarriesThePolicyArn() throws Exception {
        Event e = one(fixture("attach-user-policy.json"));
        assertEquals("arn:aws:iam::aws:policy/AdministratorAccess", e.text("aws.cloudtrail.request_parameters.policy_arn"));
        assertEquals("backup-svc", e.text("user.target.name"));
        assertEquals("DeployRole", e.text("user.name"));
        assertEquals(Instant.parse("2026-03-02T10:16:05.123Z"), e.timestamp());
    }

    @Test
    void awsServiceActorIsInvokedByAndServiceSourceIsADomain() throws Exception {
        Event e = one(fixture("assume-role-by-service.json"));
        assertEquals("lambda.amazonaws.com", e.text("user.name"));
        assertNull(e.text("user.id"));
        assertNull(e.text("source.ip"));
        assertEquals("lambda.amazonaws.com", e.text("source.domain"));
        assertEquals("lambda.amazonaws.com", e.text("source.address"));
        // no recipient account in identity: the recipientAccountId is used
        assertEquals("210987654321", e.text("cloud.account.id"));
        assertEquals("eu-west-1", e.text("cloud.region"));
        assertEquals("arn:aws:iam::210987654321:role/fn-exec", e.text("aws.cloudtrail.request_parameters.role_arn"));
    }

    @Test
    void lookupEventsEntryIsUnwrappedToTheSameEvent() throws Exception {
        Event direct = one(fixture("create-user-by-iam-user.json"));
        Event wrapped = one(fixture("lookup-events-entry.json"));
        assertEquals(direct.id(), wrapped.id());
        assertEquals(direct.fields(), wrapped.fields());
        // the raw view is the CloudTrail record, not the envelope
        assertEquals("backup-svc", wrapped.raw().get("requestParameters.userName"));
        assertNull(wrapped.raw().get("EventId"));
        assertEquals(fixture("create-user-by-iam-user.json"), wrapped.raw().json());
    }

    @Test
    void wholeLookupEventsAnswerGivesOneEventPerEntry() throws Exception {
        String body = "{\"Events\":[" + fixture("lookup-events-entry.json") + ","
                + json.writeValueAsString(Map.of("EventId", "x", "CloudTrailEvent", fixture("attach-user-policy.json")))
                + "],\"NextToken\":\"t\"}";
        List<Event> events = normalizer.normalize(new RawRecord(body, "answer.json"));
        assertEquals(List.of("CreateUser", "AttachUserPolicy"), events.stream().map(e -> e.text("event.action")).toList());
    }

    @Test
    void recordWithoutEventIdGetsAStableHashOfItsCanonicalJson() throws Exception {
        String original = fixture("create-user-v1-no-event-id.json");
        Event a = one(original);
        assertTrue(a.id().matches("sha256:[0-9a-f]{64}"), a.id());

        // same record with its keys in reverse order and an exporter's p_* keys: same id
        ObjectNode parsed = (ObjectNode) json.readTree(original);
        List<String> names = new ArrayList<>();
        parsed.fieldNames().forEachRemaining(names::add);
        Collections.reverse(names);
        ObjectNode reordered = json.createObjectNode();
        for (String n : names) {
            reordered.set(n, parsed.get(n));
        }
        reordered.put("p_row_id", "abc");
        assertEquals(a.id(), one(reordered.toString()).id());

        // a different record: a different id
        ObjectNode other = parsed.deepCopy();
        ((ObjectNode) other.get("requestParameters")).put("userName", "someone-else");
        assertNotEquals(a.id(), one(other.toString()).id());
    }

    @Test
    void exportTimeFormatIsReadAsUtc() throws Exception {
        Event e = one(fixture("panther-export-no-event-id.json"));
        assertEquals(Instant.parse("2014-05-06T07:08:09Z"), e.timestamp());
        assertEquals("old-timer", e.text("user.target.name"));
        assertEquals("AIDAFIXTUREOLD00002", e.text("user.target.id"));
    }

    @Test
    void pantherEventTimeIsUsedWhenEventTimeIsMissing() throws Exception {
        Event e = one("{\"eventName\":\"CreateUser\",\"p_log_type\":\"AWS.CloudTrail\",\"p_event_time\":\"2021-08-31 15:46:02.000000000\"}");
        assertEquals(Instant.parse("2021-08-31T15:46:02Z"), e.timestamp());
    }

    @Test
    void rawViewAddressesPathsArraysAndScalars() throws Exception {
        Event e = one(fixture("assume-role-by-service.json"));
        assertEquals("AWS::IAM::Role", e.raw().get("resources.0.type"));
        assertNull(e.raw().get("resources.1.type"));
        assertNull(e.raw().get("resources.0"), "objects are not values");
        assertNull(e.raw().get("requestParameters"));
        assertNull(e.raw().get("nope.deeper"));
        Event f = one("{\"eventName\":\"X\",\"eventTime\":\"2026-01-01T00:00:00Z\",\"n\":5,\"d\":1.5,\"b\":true,"
                + "\"list\":[\"a\",\"b\"],\"mixed\":[\"a\",{\"x\":1}],\"nul\":null,\"big\":123456789012345678901234567890}");
        assertEquals(5L, f.raw().get("n"));
        assertEquals(1.5, f.raw().get("d"));
        assertEquals(Boolean.TRUE, f.raw().get("b"));
        assertEquals(List.of("a", "b"), f.raw().get("list"));
        assertEquals("b", f.raw().get("list.1"));
        assertNull(f.raw().get("mixed"));
        assertNull(f.raw().get("nul"));
        assertEquals("123456789012345678901234567890", f.raw().get("big"));
        // Event.get falls back to the raw record
        assertEquals(5L, f.get("n"));
    }

    @Test
    void malformedRecordsSayWhatAndWhere() {
        MalformedRecordException bad = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"eventName\": \"CreateUser\", ", "drop/file.json:17")));
        assertTrue(bad.getMessage().startsWith("drop/file.json:17: record: not valid JSON"), bad.getMessage());

        MalformedRecordException noTime = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"eventName\":\"CreateUser\",\"awsRegion\":\"us-east-1\"}", "f:2")));
        assertEquals("f:2: eventTime: missing", noTime.getMessage());

        MalformedRecordException noName = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"eventTime\":\"2026-01-01T00:00:00Z\"}", "f:3")));
        assertEquals("f:3: eventName: missing", noName.getMessage());

        MalformedRecordException badTime = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"eventName\":\"X\",\"eventTime\":\"yesterday\"}", "f:4")));
        assertEquals("f:4: eventTime: not a time: \"yesterday\"", badTime.getMessage());

        MalformedRecordException inner = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"Events\":[{\"EventId\":\"1\",\"CloudTrailEvent\":\"{oops\"}]}", "page 3")));
        assertTrue(inner.getMessage().startsWith("page 3: Events[0].CloudTrailEvent: not valid JSON"), inner.getMessage());

        MalformedRecordException innerNoTime = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"EventId\":\"1\",\"CloudTrailEvent\":\"{\\\"eventName\\\":\\\"X\\\"}\"}", "p")));
        assertEquals("p: CloudTrailEvent.eventTime: missing", innerNoTime.getMessage());

        MalformedRecordException notObject = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("[1,2]", "f:5")));
        assertEquals("f:5: expected a JSON object, got array", notObject.getMessage());

        MalformedRecordException trailing = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord(fixture("attach-user-policy.json") + " {}", "f:6")));
        assertTrue(trailing.getMessage().contains("not valid JSON"), trailing.getMessage());
    }

    @Test
    void recognizesCloudTrailShapesOnly() {
        for (String name : List.of("create-user-by-iam-user.json", "lookup-events-entry.json", "assume-role-by-service.json",
                "panther-export-no-event-id.json")) {
            assertTrue(normalizer.recognizes(new RawRecord(fixture(name), name)), name);
        }
        // Graph directoryAudit, O365 and GCP audit records
        assertFalse(normalizer.recognizes(new RawRecord("{\"id\":\"Directory_1\",\"activityDisplayName\":\"Add user\",\"activityDateTime\":\"2026-01-01T00:00:00Z\"}", "g")));
        assertFalse(normalizer.recognizes(new RawRecord("{\"Id\":\"1\",\"Operation\":\"Add user.\",\"CreationTime\":\"2021-02-04T16:00:05\",\"EventSource\":\"x\"}", "o")));
        assertFalse(normalizer.recognizes(new RawRecord("{\"protoPayload\":{\"methodName\":\"google.iam.admin.v1.CreateServiceAccount\"},\"insertId\":\"x\"}", "p")));
    }
}
