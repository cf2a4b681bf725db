package dev.cadet.provider.gcp.normalize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.RawRecord;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Own fixtures for both record families and every accepted shape. */
class GoogleNormalizerTest {
    final GoogleNormalizer normalizer = new GoogleNormalizer();

    static final String API_ACTIVITY = """
            {"kind":"admin#reports#activity","id":{"time":"2026-03-01T10:15:30.123Z","uniqueQualifier":"-4427185918513842232",
             "applicationName":"admin","customerId":"C03az79cb"},
             "actor":{"callerType":"USER","email":"root@example.org","profileId":"1122334455"},
             "ownerDomain":"example.org","ipAddress":"203.0.113.9",
             "events":[
              {"type":"USER_SETTINGS","name":"CREATE_USER","parameters":[{"name":"USER_EMAIL","value":"new.hire@example.org"}]},
              {"type":"DELEGATED_ADMIN_SETTINGS","name":"ASSIGN_ROLE","parameters":[
                {"name":"ROLE_NAME","value":"_SEED_ADMIN_ROLE"},{"name":"USER_EMAIL","value":"new.hire@example.org"},
                {"name":"ROLE_ID","intValue":"9170516996784129"},{"name":"IS_BULK","boolValue":true},
                {"name":"ORG_UNITS","multiValue":["/","/eng"]},
                {"name":"APP_DETAILS","messageValue":{"parameter":[{"name":"CLIENT_ID","value":"abc"}]}}]},
              {"type":"DELEGATED_ADMIN_SETTINGS","name":"ASSIGN_ROLE","parameters":[
                {"name":"ROLE_NAME","value":"Help Desk"},{"name":"USER_EMAIL","value":"new.hire@example.org"}]}]}
            """;

    List<Event> run(String body) throws MalformedRecordException {
        RawRecord r = new RawRecord(body, "test.json:1");
        assertTrue(normalizer.recognizes(r), "recognized: " + body);
        return normalizer.normalize(r);
    }

    @Test
    void anApiActivityGivesOneEventPerEntryWithStableDistinctIds() throws Exception {
        List<Event> events = run(API_ACTIVITY);

        assertEquals(3, events.size());
        String base = "2026-03-01T10:15:30.123Z|-4427185918513842232|admin|C03az79cb|";
        assertEquals(List.of(base + "CREATE_USER", base + "ASSIGN_ROLE", base + "ASSIGN_ROLE#1"), events.stream().map(Event::id).toList());
        Event create = events.get(0);
        assertEquals(Instant.parse("2026-03-01T10:15:30.123Z"), create.timestamp());
        assertEquals("google_workspace.admin", create.text("event.dataset"));
        assertEquals("CREATE_USER", create.text("event.action"));
        assertEquals("iam", create.text("event.category"));
        assertEquals("creation", create.text("event.type"));
        assertEquals("success", create.text("event.outcome"));
        assertEquals("google_workspace", create.text("cloud.provider"));
        assertEquals("C03az79cb", create.text("cloud.account.id"));
        assertEquals("root@example.org", create.text("user.name"));
        assertEquals("1122334455", create.text("user.id"));
        assertEquals("new.hire@example.org", create.text("user.target.name"));
        assertEquals("203.0.113.9", create.text("source.ip"));
        assertEquals("USER", create.text("google_workspace.actor.type"));
        assertEquals("USER_SETTINGS", create.text("google_workspace.event.type"));
        assertEquals("new.hire@example.org", create.text("google_workspace.admin.user_email"));

        Event assign = events.get(1);
        assertEquals("_SEED_ADMIN_ROLE", assign.text("google_workspace.admin.role.name"));
        assertEquals("_SEED_ADMIN_ROLE", assign.text("google_workspace.admin.role_name"));
        assertEquals(9170516996784129L, assign.fields().get("google_workspace.admin.role_id"));
        assertEquals(Boolean.TRUE, assign.fields().get("google_workspace.admin.is_bulk"));
        assertEquals(List.of("/", "/eng"), assign.fields().get("google_workspace.admin.org_units"));
        assertEquals("abc", assign.text("google_workspace.admin.app_details.client_id"));
        assertEquals("change", assign.text("event.type"));
        assertEquals("Help Desk", events.get(2).text("google_workspace.admin.role.name"));
        assertNull(create.text("google_workspace.admin.role.name"), "parameters of one event do not leak into another");
        // the raw activity stays addressable
        assertEquals("ASSIGN_ROLE", create.get("events.1.name"));
    }

    @Test
    void elasticSplitLinesAndPantherFlatRecordsNormalizeToo() throws Exception {
        Event elastic = run("""
                {"kind":"admin#reports#activity","id":{"time":"2020-10-02T15:00:00Z","uniqueQualifier":1,"applicationName":"admin","customerId":"1"},
                 "actor":{"callerType":"USER","email":"foo@bar.com","profileId":1},"ipAddress":"67.43.156.13",
                 "events":{"type":"USER_SETTINGS","name":"GRANT_ADMIN_PRIVILEGE","parameters":[{"name":"USER_EMAIL","value":"user@example.com"}]}}
                """).get(0);
        assertEquals("2020-10-02T15:00:00Z|1|admin|1|GRANT_ADMIN_PRIVILEGE", elastic.id());
        assertEquals("user@example.com", elastic.text("user.target.name"));
        assertNull(elastic.text("google_workspace.admin.role.name"), "GRANT_ADMIN_PRIVILEGE carries no role");

        Event panther = run("""
                {"actor":{"callerType":"USER","email":"a@example.io","profileId":"123"},"id":{"applicationName":"admin",
                 "customerId":"D12345","time":"2022-12-11 02:57:48.693000000","uniqueQualifier":"-12456"},"ipAddress":"12.12.12.12",
                 "kind":"admin#reports#activity","name":"CREATE_ROLE","parameters":{"ROLE_ID":"567890","ROLE_NAME":"Custom"},
                 "type":"DELEGATED_ADMIN_SETTINGS","p_log_type":"GSuite.ActivityEvent"}
                """).get(0);
        assertEquals(Instant.parse("2022-12-11T02:57:48.693Z"), panther.timestamp());
        assertEquals("CREATE_ROLE", panther.text("event.action"));
        assertEquals("Custom", panther.text("google_workspace.admin.role.name"));
        assertEquals("567890", panther.text("google_workspace.admin.role_id"));
        assertEquals("D12345", panther.text("cloud.account.id"));
    }

    @Test
    void aReportsPageIsOneRecordPerItemAndOtherApplicationsGetTheirDataset() throws Exception {
        List<Event> events = run("""
                {"kind":"admin#reports#activities","items":[
                 {"id":{"time":"2026-03-01T10:00:00Z","uniqueQualifier":"7","applicationName":"login","customerId":"C1"},
                  "actor":{"email":"x@example.org"},"events":[{"type":"login","name":"login_success","parameters":[{"name":"login_type","value":"saml"}]}]}]}
                """);
        assertEquals(1, events.size());
        assertEquals("google_workspace.login", events.get(0).text("event.dataset"));
        assertEquals("saml", events.get(0).text("google_workspace.login.login_type"));
        assertEquals("configuration", events.get(0).text("event.category"));
    }

    static final String CREATE_SA = """
            {"insertId":"1x2y3z","logName":"projects/proj-one/logs/cloudaudit.googleapis.com%2Factivity",
             "protoPayload":{"@type":"type.googleapis.com/google.cloud.audit.AuditLog","status":{},
              "authenticationInfo":{"principalEmail":"mallory@example.org"},
              "requestMetadata":{"callerIp":"198.51.100.4","callerSuppliedUserAgent":"google-cloud-sdk gcloud/470.0.0"},
              "serviceName":"iam.googleapis.com","methodName":"google.iam.admin.v1.CreateServiceAccount",
              "resourceName":"projects/proj-one",
              "request":{"account_id":"backdoor","name":"projects/proj-one"},
              "response":{"email":"backdoor@proj-one.iam.gserviceaccount.com","unique_id":"1049"}},
             "resource":{"type":"service_account","labels":{"project_id":"proj-one","email_id":"backdoor@proj-one.iam.gserviceaccount.com"}},
             "timestamp":"2026-03-01T10:20:00.5Z","severity":"NOTICE"}
            """;

    @Test
    void anAuditLogEntryCarriesActorTargetProjectAndMethod() throws Exception {
        Event e = run(CREATE_SA).get(0);
        assertEquals("1x2y3z", e.id());
        assertEquals(Instant.parse("2026-03-01T10:20:00.5Z"), e.timestamp());
        assertEquals("gcp.audit", e.text("event.dataset"));
        assertEquals("CreateServiceAccount", e.text("event.action"));
        assertEquals("google.iam.admin.v1.CreateServiceAccount", e.text("gcp.audit.method_name"));
        assertEquals("iam.googleapis.com", e.text("gcp.audit.service_name"));
        assertEquals("success", e.text("event.outcome"));
        assertEquals("gcp", e.text("cloud.provider"));
        assertEquals("proj-one", e.text("cloud.account.id"));
        assertEquals("mallory@example.org", e.text("user.name"));
        assertEquals("backdoor@proj-one.iam.gserviceaccount.com", e.text("user.target.name"));
        assertEquals("1049", e.text("user.target.id"));
        assertEquals("198.51.100.4", e.text("source.ip"));
        assertEquals("google-cloud-sdk gcloud/470.0.0", e.text("user_agent.original"));
    }

    @Test
    void aKeyIsAttributedToItsAccountAndAFailedCallIsAFailure() throws Exception {
        Event key = run("""
                {"insertId":"k1","logName":"projects/proj-one/logs/cloudaudit.googleapis.com%2Factivity","timestamp":"2026-03-01T10:25:00Z",
                 "protoPayload":{"serviceName":"iam.googleapis.com","methodName":"google.iam.admin.v1.CreateServiceAccountKey",
                  "authenticationInfo":{"principalEmail":"mallory@example.org"},"requestMetadata":{"callerIp":"gce-internal-ip"},
                  "resourceName":"projects/-/serviceAccounts/1049",
                  "request":{"name":"projects/-/serviceAccounts/backdoor@proj-one.iam.gserviceaccount.com"},
                  "response":{"name":"projects/proj-one/serviceAccounts/backdoor@proj-one.iam.gserviceaccount.com/keys/abc"}}}
                """).get(0);
        assertEquals("CreateServiceAccountKey", key.text("event.action"));
        assertEquals("backdoor@proj-one.iam.gserviceaccount.com", key.text("user.target.name"));
        assertEquals("proj-one", key.text("cloud.account.id"), "the project comes from logName when resource labels are absent");
        assertNull(key.text("source.ip"), "not an IP literal");
        assertEquals("gce-internal-ip", key.text("source.address"));

        Event denied = run(CREATE_SA.replace("\"status\":{}", "\"status\":{\"code\":7,\"message\":\"Permission denied\"}")).get(0);
        assertEquals("failure", denied.text("event.outcome"));
        assertEquals("7", denied.text("error.code"));
        assertEquals("Permission denied", denied.text("error.message"));
    }

    @Test
    void setIamPolicyCarriesTheDeltaOrThePolicy() throws Exception {
        Event delta = run("""
                {"insertId":"p1","timestamp":"2026-03-01T10:30:00Z","logName":"organizations/42/logs/cloudaudit.googleapis.com%2Factivity",
                 "protoPayload":{"serviceName":"cloudresourcemanager.googleapis.com","methodName":"SetIamPolicy",
                  "serviceData":{"policyDelta":{"bindingDeltas":[{"action":"ADD","member":"user:eve@example.org","role":"roles/owner"},
                   {"action":"REMOVE","member":"user:bob@example.org","role":"roles/viewer"}]}}}}
                """).get(0);
        assertEquals(List.of("ADD", "REMOVE"), delta.fields().get("gcp.audit.policy_delta.action"));
        assertEquals(List.of("roles/owner", "roles/viewer"), delta.fields().get("gcp.audit.policy_delta.role"));
        assertEquals(List.of("user:eve@example.org", "user:bob@example.org"), delta.fields().get("gcp.audit.policy_delta.member"));
        assertEquals("organizations/42", delta.text("cloud.account.id"));
        assertNull(delta.text("cloud.project.id"));

        Event policy = run("""
                {"insertId":"p2","timestamp":"2026-03-01T10:30:00Z","protoPayload":{"methodName":"google.cloud.run.v1.Services.SetIamPolicy",
                 "response":{"bindings":[{"role":"roles/run.invoker","members":["allUsers","user:a@example.org"]}]}}}
                """).get(0);
        assertEquals("SetIamPolicy", policy.text("event.action"));
        assertEquals(List.of("roles/run.invoker", "roles/run.invoker"), policy.fields().get("gcp.audit.policy.role"));
        assertEquals(List.of("allUsers", "user:a@example.org"), policy.fields().get("gcp.audit.policy.member"));
        assertNull(policy.fields().get("gcp.audit.policy_delta.role"));
    }

    @Test
    void badRecordsAreRefusedSayingWhatAndWhere() {
        MalformedRecordException noTime = assertThrows(MalformedRecordException.class, () -> normalizer.normalize(new RawRecord(
                "{\"protoPayload\":{\"methodName\":\"SetIamPolicy\"}}", "f.ndjson:3")));
        assertEquals("f.ndjson:3: timestamp: missing: an audit log entry without its time cannot be placed in event order", noTime.getMessage());
        MalformedRecordException badTime = assertThrows(MalformedRecordException.class, () -> normalizer.normalize(new RawRecord(
                "{\"items\":[{\"id\":{\"applicationName\":\"admin\",\"time\":\"yesterday\"},\"actor\":{},\"events\":[]}]}", "page.json")));
        assertEquals("page.json: items[0].id.time: not a time: \"yesterday\"", badTime.getMessage());
        MalformedRecordException noName = assertThrows(MalformedRecordException.class, () -> normalizer.normalize(new RawRecord(
                "{\"id\":{\"applicationName\":\"admin\",\"time\":\"2026-01-01T00:00:00Z\"},\"actor\":{},\"events\":[{\"type\":\"X\"}]}", "a.json:1")));
        assertEquals("a.json:1: events[0].name: missing", noName.getMessage());
        assertThrows(MalformedRecordException.class, () -> normalizer.normalize(new RawRecord("[1]", "x")));
        assertThrows(MalformedRecordException.class, () -> normalizer.normalize(new RawRecord("{\"a\":", "x")));
    }

    @Test
    void otherProvidersRecordsAreNotClaimed() {
        for (String other : List.of(
                "{\"eventVersion\":\"1.08\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"awsRegion\":\"us-east-1\"}",
                "{\"id\":\"Directory_1\",\"activityDisplayName\":\"Add user\",\"initiatedBy\":{\"user\":{\"userPrincipalName\":\"a@b\"}}}",
                "{\"Id\":\"x\",\"Operation\":\"Add user.\",\"Workload\":\"AzureActiveDirectory\",\"UserId\":\"a@b\"}")) {
            assertFalse(normalizer.recognizes(new RawRecord(other, "x")), other);
        }
    }
}
