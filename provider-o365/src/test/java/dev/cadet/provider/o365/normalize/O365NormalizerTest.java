package dev.cadet.provider.o365.normalize;

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

class O365NormalizerTest {
    private final O365Normalizer normalizer = new O365Normalizer();

    private static final String ADD_MEMBER_TO_ROLE = """
            {"CreationTime":"2021-02-04T16:31:54","Id":"role-1","Operation":"Add member to role.","OrganizationId":"org-1",
             "RecordType":8,"ResultStatus":"Success","UserKey":"10032000F2F9FD6B@testsiem4.onmicrosoft.com","UserType":0,
             "Workload":"AzureActiveDirectory","ClientIP":"","ActorIpAddress":"2001:db8::7","ObjectId":"newuser@x.onmicrosoft.com",
             "UserId":"root@x.onmicrosoft.com",
             "ModifiedProperties":[{"Name":"Role.ObjectID","NewValue":"cc5c","OldValue":""},
               {"Name":"Role.DisplayName","NewValue":"[\\r\\n  \\"Global Reader\\"\\r\\n]","OldValue":""},
               {"Name":"Role.TemplateId","NewValue":"f2ef992c-3afb-46b9-b7cf-a126ee74c451","OldValue":""}],
             "Target":[{"ID":"User_1b8e7b2a-6f4b-4d7e-9a53-2f7d1d3e8c11","Type":2},{"ID":"newuser@x.onmicrosoft.com","Type":5}]}
            """;

    @Test
    void mapsTheEcsAndDatasetFields() throws Exception {
        Event e = one(ADD_MEMBER_TO_ROLE);
        assertEquals("role-1", e.id());
        assertEquals(Instant.parse("2021-02-04T16:31:54Z"), e.timestamp(), "CreationTime has no zone: UTC");
        assertEquals("o365.audit", e.text(Event.DATASET));
        assertEquals("Add member to role.", e.text(Event.ACTION));
        assertEquals("AzureActiveDirectory", e.text(Event.PROVIDER));
        assertEquals("success", e.text(Event.OUTCOME));
        assertEquals("azure", e.text(Event.CLOUD_PROVIDER));
        assertEquals("org-1", e.text(Event.ACCOUNT_ID));
        assertEquals("root@x.onmicrosoft.com", e.text(Event.USER_NAME));
        assertEquals("10032000F2F9FD6B@testsiem4.onmicrosoft.com", e.text(Event.USER_ID));
        assertEquals("newuser@x.onmicrosoft.com", e.text(Event.TARGET_NAME));
        assertEquals("1b8e7b2a-6f4b-4d7e-9a53-2f7d1d3e8c11", e.text(Event.TARGET_ID));
        assertEquals("2001:db8::7", e.text(Event.SOURCE_IP), "ClientIP is empty, ActorIpAddress is used");
        assertEquals("Global Reader", e.text("o365.audit.role.display_name"), "JSON array inside the string decoded");
        assertEquals("f2ef992c-3afb-46b9-b7cf-a126ee74c451", e.text("o365.audit.role.template_id"));
        assertEquals("f2ef992c-3afb-46b9-b7cf-a126ee74c451", e.text("o365.audit.ModifiedProperties.Role_TemplateId.NewValue"));
        assertEquals("Global Reader", e.text("o365.audit.ModifiedProperties.Role_DisplayName.NewValue"));
        assertEquals(8L, e.fields().get("o365.audit.record_type"));
        assertEquals("AzureActiveDirectory", e.text("o365.audit.workload"));
        assertEquals("Global Reader", e.get("o365.audit.role.display_name"));
        assertEquals("newuser@x.onmicrosoft.com", e.get("Target.1.ID"), "raw fields by path");
    }

    @Test
    void lowerCasedExportKeysAndSpaceSeparatedTimes() throws Exception {
        Event e = one("""
                {"clientip":"1.2.3.4:10736","creationtime":"2025-07-07 09:11:11.000000000","id":"111-22-33",
                 "operation":"New-InboxRule","organizationid":"11-aa-bb","recordtype":1,"resultstatus":"False",
                 "userid":"homer@simpsons.onmicrosoft","workload":"Exchange","objectid":"homer\\\\rule"}
                """);
        assertEquals(Instant.parse("2025-07-07T09:11:11Z"), e.timestamp());
        assertEquals("New-InboxRule", e.text(Event.ACTION));
        assertEquals("failure", e.text(Event.OUTCOME));
        assertEquals("1.2.3.4", e.text(Event.SOURCE_IP), "the port is cut off");
        assertEquals("1.2.3.4:10736", e.text("source.address"));
        assertEquals("11-aa-bb", e.text(Event.ACCOUNT_ID));
        assertEquals("homer\\rule", e.text(Event.TARGET_NAME), "ObjectId when no Type 5 target");
        assertEquals("New-InboxRule", e.get("Operation"), "raw paths match keys ignoring case");
    }

    @Test
    void outcomeFromResultStatus() {
        assertEquals("success", O365Normalizer.outcome("Success"));
        assertEquals("success", O365Normalizer.outcome("success"));
        assertEquals("success", O365Normalizer.outcome("True"));
        assertEquals("failure", O365Normalizer.outcome("failed"));
        assertEquals("failure", O365Normalizer.outcome("False"));
        assertNull(O365Normalizer.outcome("Unknown"));
        assertNull(O365Normalizer.outcome(null));
    }

    @Test
    void aWholeBlobGivesOneEventPerRecord() throws Exception {
        String blob = "[" + ADD_MEMBER_TO_ROLE + "," + ADD_MEMBER_TO_ROLE.replace("role-1", "role-2") + "]";
        List<Event> events = normalizer.normalize(new RawRecord(blob, "blob.json"));
        assertEquals(List.of("role-1", "role-2"), events.stream().map(Event::id).toList());
    }

    @Test
    void malformedRecordsNameTheField() {
        MalformedRecordException noId = assertThrows(MalformedRecordException.class, () -> one(
                "{\"CreationTime\":\"2021-02-04T16:31:54\",\"Operation\":\"Add user.\"}"));
        assertEquals("t.json:3: Id: missing", noId.getMessage());
        MalformedRecordException badTime = assertThrows(MalformedRecordException.class, () -> one(
                "{\"CreationTime\":\"yesterday\",\"Id\":\"x\",\"Operation\":\"Add user.\"}"));
        assertEquals("t.json:3: CreationTime: not a time: \"yesterday\"", badTime.getMessage());
        MalformedRecordException notJson = assertThrows(MalformedRecordException.class, () -> one("{\"Id\":"));
        assertTrue(notJson.getMessage().startsWith("t.json:3: not valid JSON"), notJson.getMessage());
    }

    @Test
    void recognizesOnlyAuditRecords() {
        assertTrue(normalizer.recognizes(new RawRecord(ADD_MEMBER_TO_ROLE, "x")));
        assertTrue(normalizer.recognizes(new RawRecord("{\"creationtime\":\"x\",\"operation\":\"y\",\"workload\":\"Exchange\"}", "x")));
        assertFalse(normalizer.recognizes(new RawRecord(
                "{\"eventVersion\":\"1.08\",\"eventName\":\"CreateUser\",\"eventSource\":\"iam.amazonaws.com\",\"awsRegion\":\"us-east-1\"}", "x")));
        assertFalse(normalizer.recognizes(new RawRecord(
                "{\"id\":\"Directory_1\",\"activityDisplayName\":\"Add user\",\"activityDateTime\":\"2024-01-01T00:00:00Z\",\"operationType\":\"Add\"}", "x")));
        assertFalse(normalizer.recognizes(new RawRecord(
                "{\"contentType\":\"Audit.SharePoint\",\"contentId\":\"1\",\"contentUri\":\"https://x\",\"contentCreated\":\"2015-05-23T17:35:00.000Z\"}", "x")));
        assertFalse(normalizer.recognizes(new RawRecord("{\"error\":{\"code\":\"AF50000\",\"message\":\"x\"}}", "x")));
    }

    private Event one(String json) throws MalformedRecordException {
        List<Event> events = normalizer.normalize(new RawRecord(json, "t.json:3"));
        assertEquals(1, events.size());
        return events.get(0);
    }
}
