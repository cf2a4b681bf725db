package dev.cadet.provider.azure.normalize;

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

class DirectoryAuditNormalizerTest {
    static final String TENANT = "6f1c2b9e-0d5a-4c51-9d8b-3a7e2f4c1b00";
    final DirectoryAuditNormalizer normalizer = new DirectoryAuditNormalizer();

    /** "Add member to role" as Graph v1.0 returns it: the user first, then the role. */
    static final String ROLE_ASSIGNMENT = """
            {"id":"Directory_5a1c_ABCDE_1","category":"RoleManagement","correlationId":"5a1c0000-0000-4000-8000-000000000001",
             "result":"success","resultReason":"","activityDisplayName":"Add member to role",
             "activityDateTime":"2026-02-27T08:15:30.1234567Z","loggedByService":"Core Directory","operationType":"Assign",
             "initiatedBy":{"app":null,"user":{"id":"a-1","displayName":"Mallory Admin","userPrincipalName":"mallory@contoso.example",
               "ipAddress":"198.51.100.23","userType":"Member","homeTenantId":"%s"}},
             "targetResources":[
               {"id":"u-9","displayName":null,"type":"User","userPrincipalName":"backdoor@contoso.example","groupType":null,
                "modifiedProperties":[
                  {"displayName":"Role.ObjectID","oldValue":null,"newValue":"\\"9f8e7d6c-0000-4000-8000-000000000002\\""},
                  {"displayName":"Role.DisplayName","oldValue":null,"newValue":"\\"Global Administrator\\""},
                  {"displayName":"Role.TemplateId","oldValue":null,"newValue":"\\"62e90394-69f5-4237-9190-012177145e10\\""},
                  {"displayName":"Included Updated Properties","oldValue":null,"newValue":"\\"Role.DisplayName, Role.TemplateId\\""},
                  {"displayName":"AccountEnabled","oldValue":"[]","newValue":"[true]"},
                  {"displayName":"StrongAuthenticationMethod","oldValue":"[{\\"MethodType\\":6}]","newValue":"[]"}]},
               {"id":"r-1","displayName":"Global Administrator","type":"Role","userPrincipalName":null,"modifiedProperties":[]}],
             "additionalDetails":[{"key":"User-Agent","value":"Mozilla/5.0 (Windows NT 10.0)"},{"key":"AppId","value":"app-77"}]}
            """.formatted(TENANT);

    private Event one(String body) throws MalformedRecordException {
        List<Event> events = normalizer.normalize(new RawRecord(body, "test.json"));
        assertEquals(1, events.size());
        return events.get(0);
    }

    @Test
    void aGraphRoleAssignmentGetsActorTargetRoleAndDecodedValues() throws Exception {
        Event e = one(ROLE_ASSIGNMENT);

        assertEquals("Directory_5a1c_ABCDE_1", e.id());
        assertEquals(Instant.parse("2026-02-27T08:15:30.1234567Z"), e.timestamp());
        assertEquals("azure.auditlogs", e.text("event.dataset"));
        assertEquals("Add member to role", e.text("event.action"));
        assertEquals("Add member to role", e.text("azure.auditlogs.operation_name"));
        assertEquals("success", e.text("azure.auditlogs.result"));
        assertEquals("success", e.text("event.outcome"));
        assertEquals("azure", e.text("cloud.provider"));
        assertEquals(TENANT, e.text("cloud.account.id"), "a member's home tenant is the tenant");
        assertEquals("mallory@contoso.example", e.text("user.name"));
        assertEquals("a-1", e.text("user.id"));
        assertEquals("Mallory Admin", e.text("user.full_name"));
        assertEquals("198.51.100.23", e.text("source.ip"));
        assertEquals("backdoor@contoso.example", e.text("user.target.name"));
        assertEquals("u-9", e.text("user.target.id"));
        assertEquals("Mozilla/5.0 (Windows NT 10.0)", e.text("user_agent.original"));
        assertEquals("5a1c0000-0000-4000-8000-000000000001", e.text("azure.auditlogs.correlation_id"));
        assertEquals("Global Administrator", e.text("azure.auditlogs.properties.role.display_name"));
        assertEquals("62e90394-69f5-4237-9190-012177145e10", e.text("azure.auditlogs.properties.role.template_id"));
        assertEquals(List.of("iam"), e.fields().get("event.category"));
        assertEquals(List.of("change"), e.fields().get("event.type"));
        assertEquals("app-77", e.text("azure.auditlogs.properties.additional_details.app_id"));
        String mp = "azure.auditlogs.properties.target_resources.0.modified_properties.";
        assertEquals("Global Administrator", e.fields().get(mp + "1.new_value"));
        assertNull(e.fields().get(mp + "1.old_value"));
        assertEquals(Boolean.TRUE, e.fields().get(mp + "4.new_value"), "[true] decodes to true");
        assertEquals("[{\"MethodType\":6}]", e.fields().get(mp + "5.old_value"), "nested JSON stays JSON text");
        assertEquals("Role", e.text("azure.auditlogs.properties.target_resources.1.type"));
        assertEquals("mallory@contoso.example", e.get("initiatedBy.user.userPrincipalName"), "raw fields by path");
        assertEquals("r-1", e.get("targetResources.1.id"));
    }

    @Test
    void theDiagnosticShapeNormalizesThroughPropertiesWithItsTenant() throws Exception {
        String body = "{\"time\":\"2026-02-27T08:15:30.1234567Z\",\"resourceId\":\"/tenants/" + TENANT
                + "/providers/Microsoft.aadiam\",\"operationName\":\"Add member to role\",\"category\":\"AuditLogs\","
                + "\"tenantId\":\"" + TENANT + "\",\"callerIpAddress\":\"198.51.100.23\",\"properties\":"
                + ROLE_ASSIGNMENT.replace("\"homeTenantId\":\"" + TENANT + "\"", "\"homeTenantId\":null")
                .replace("2026-02-27T08:15:30.1234567Z", "2026-02-27T08:15:30.1234567+00:00") + "}";
        assertTrue(normalizer.recognizes(new RawRecord(body, "x")));

        Event e = one(body);

        assertEquals("Directory_5a1c_ABCDE_1", e.id());
        assertEquals(Instant.parse("2026-02-27T08:15:30.1234567Z"), e.timestamp());
        assertEquals(TENANT, e.text("cloud.account.id"));
        assertEquals("Global Administrator", e.text("azure.auditlogs.properties.role.display_name"));
        assertEquals("mallory@contoso.example", e.get("initiatedBy.user.userPrincipalName"), "properties first");
        assertEquals("Add member to role", e.get("operationName"), "then the envelope");
        assertEquals(body, e.raw().json());
    }

    @Test
    void aGraphRecordWithoutTenantStillNormalizesWithoutAccount() throws Exception {
        Event e = one(ROLE_ASSIGNMENT.replace("\"homeTenantId\":\"" + TENANT + "\"", "\"homeTenantId\":null"));
        assertNull(e.text("cloud.account.id"));
        assertEquals("Add member to role", e.text("event.action"));
    }

    @Test
    void aGuestsHomeTenantIsNotTakenForTheTenant() throws Exception {
        Event e = one(ROLE_ASSIGNMENT.replace("\"userType\":\"Member\"", "\"userType\":\"Guest\""));
        assertNull(e.text("cloud.account.id"));
    }

    @Test
    void anAppActorAndDocQuirksAreRead() throws Exception {
        String body = """
                {"id":"Directory_X_1","activityDisplayName":"Add service principal","activityDateTime":"2026-01-02T03:04:05Z",
                 "result":"failure","initiatedBy":{"user":null,"app":{"appId":"ap-1","displayName":"Terraform","servicePrincipalId":"sp-1"}},
                 "targetResource":{"id":"sp-new","displayName":"evil-sp","Type":"ServicePrincipal","modifiedProperties":[]}}
                """;
        Event e = one(body);
        assertEquals("Terraform", e.text("user.name"));
        assertEquals("sp-1", e.text("user.id"));
        assertEquals("failure", e.text("event.outcome"));
        assertEquals("evil-sp", e.text("user.target.name"));
        assertEquals("sp-new", e.text("user.target.id"));
        assertEquals("ServicePrincipal", e.text("azure.auditlogs.properties.target_resources.0.type"));
        assertNull(e.text("source.ip"));
    }

    @Test
    void aGraphPageGivesOneEventPerRecord() throws Exception {
        String page = "{\"@odata.context\":\"x\",\"value\":[" + ROLE_ASSIGNMENT + ","
                + ROLE_ASSIGNMENT.replace("Directory_5a1c_ABCDE_1", "Directory_5a1c_ABCDE_2") + "]}";
        List<Event> events = normalizer.normalize(new RawRecord(page, "page.json"));
        assertEquals(List.of("Directory_5a1c_ABCDE_1", "Directory_5a1c_ABCDE_2"), events.stream().map(Event::id).toList());
    }

    @Test
    void badRecordsNameWhatIsWrong() {
        MalformedRecordException noTime = assertThrows(MalformedRecordException.class,
                () -> normalizer.normalize(new RawRecord("{\"id\":\"1\",\"activityDisplayName\":\"Add user\"}", "f.json:3")));
        assertEquals("f.json:3: activityDateTime: missing", noTime.getMessage());
        MalformedRecordException badTime = assertThrows(MalformedRecordException.class, () -> normalizer.normalize(
                new RawRecord("{\"id\":\"1\",\"activityDisplayName\":\"Add user\",\"activityDateTime\":\"yesterday\"}", "f.json:4")));
        assertEquals("f.json:4: activityDateTime: not a time: \"yesterday\"", badTime.getMessage());
        MalformedRecordException noAction = assertThrows(MalformedRecordException.class, () -> normalizer.normalize(
                new RawRecord("{\"category\":\"AuditLogs\",\"properties\":{\"activityDateTime\":\"2026-01-01T00:00:00Z\"}}", "d.json")));
        assertEquals("d.json: properties.activityDisplayName: missing", noAction.getMessage());
        assertThrows(MalformedRecordException.class, () -> normalizer.normalize(new RawRecord("{\"id\":", "t.json")));
    }

    @Test
    void recognizesOnlyEntraAuditRecords() {
        assertTrue(normalizer.recognizes(new RawRecord(ROLE_ASSIGNMENT, "x")));
        assertFalse(normalizer.recognizes(new RawRecord(
                "{\"eventName\":\"CreateUser\",\"eventSource\":\"iam.amazonaws.com\",\"awsRegion\":\"us-east-1\"}", "x")));
        assertFalse(normalizer.recognizes(new RawRecord(
                "{\"Id\":\"1\",\"Operation\":\"Add user.\",\"OrganizationId\":\"o\",\"Workload\":\"AzureActiveDirectory\"}", "x")));
        assertFalse(normalizer.recognizes(new RawRecord("{\"id\":{\"time\":\"t\"},\"events\":[]}", "x")));
    }

    @Test
    void recordsWithoutIdGetAStableIdWhateverTheKeyOrder() throws Exception {
        String a = "{\"activityDisplayName\":\"Add user\",\"activityDateTime\":\"2026-01-01T00:00:00Z\",\"result\":\"success\"}";
        String b = "{\"result\":\"success\",\"activityDateTime\":\"2026-01-01T00:00:00Z\",\"activityDisplayName\":\"Add user\"}";
        assertEquals(one(a).id(), one(b).id());
        assertTrue(one(a).id().startsWith("sha256:"));
        assertFalse(one(a).id().equals(one(a.replace("success", "failure")).id()));
    }
}
