package dev.cadet.provider.o365.normalize;

import dev.cadet.rawjson.JsonRawView;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Office 365 Management Activity API audit records to ECS events ({@code event.dataset} {@code o365.audit}).
 *
 * <p>Accepted bodies: one audit record (as in a content blob, or one NDJSON line of an export), or a
 * whole content blob (a JSON array of records, one event each). Keys are matched ignoring case
 * (Panther exports lower-case them).
 *
 * <p>Fields: {@code event.id} = {@code Id}; {@code @timestamp} = {@code CreationTime}, which carries no
 * zone and is UTC ({@code 2021-02-04T16:00:05}; exports also write {@code 2022-12-12 22:19:00[.f]});
 * {@code event.action} = {@code Operation} verbatim; {@code event.provider} = {@code Workload};
 * {@code event.outcome} from {@code ResultStatus} (Success/Succeeded/True: success, Failed/Failure/False:
 * failure, else absent); {@code cloud.provider} = {@code azure} (the organization is an Entra tenant, so
 * O365 and Graph events of one tenant share provider and account); {@code cloud.account.id} =
 * {@code OrganizationId}; {@code user.name} = {@code UserId}; {@code user.id} = {@code UserKey} unless
 * "Not Available"; {@code user.target.name} = the {@code Target} entry of Type 5 (UPN), else
 * {@code ObjectId}; {@code user.target.id} = the GUID of a {@code User_}/{@code ServicePrincipal_}
 * {@code Target} entry; {@code source.ip} = {@code ClientIP}, else {@code ActorIpAddress}, without a
 * port, only when it is an IP literal ({@code source.address} keeps the text). Dataset fields:
 * {@code o365.audit.workload}, {@code .record_type}, {@code .user_type}, {@code .result_status},
 * {@code .object_id}, {@code .organization_id}, {@code .role.display_name} and {@code .role.template_id}
 * (from {@code ModifiedProperties} {@code Role.DisplayName} / {@code Role.TemplateId}, "Add member to role."),
 * also under Elastic's names {@code o365.audit.ModifiedProperties.Role_DisplayName.NewValue} and
 * {@code o365.audit.ModifiedProperties.Role_TemplateId.NewValue}.
 */
public final class O365Normalizer implements Normalizer {

    public static final String DATASET = "o365.audit";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final Set<String> SUCCESS = Set.of("success", "succeeded", "true", "partiallysucceeded");
    private static final Set<String> FAILURE = Set.of("failed", "failure", "false");
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV4_PORT = Pattern.compile("(\\d{1,3}(?:\\.\\d{1,3}){3}):\\d{1,5}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern IPV6_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)](?::\\d{1,5})?");
    private static final Pattern PREFIXED_GUID = Pattern.compile("(?:User|ServicePrincipal|Application)_([0-9A-Fa-f-]{36})");
    /** Target/Actor entry type of a user principal name. */
    private static final int TYPE_UPN = 5;

    /**
     * True for a body that names the keys every audit record has ({@code CreationTime}, {@code Operation})
     * and one of {@code OrganizationId}, {@code Workload}, {@code RecordType}, in any case. A text search:
     * CloudTrail, Graph and Workspace records have none of these keys.
     */
    @Override
    public boolean recognizes(RawRecord record) {
        String body = record.body();
        return containsIgnoreCase(body, "\"CreationTime\"") && containsIgnoreCase(body, "\"Operation\"")
                && (containsIgnoreCase(body, "\"OrganizationId\"") || containsIgnoreCase(body, "\"Workload\"")
                || containsIgnoreCase(body, "\"RecordType\""));
    }

    @Override
    public List<Event> normalize(RawRecord record) throws MalformedRecordException {
        JsonNode root = parse(record);
        if (root.isArray()) {
            List<Event> out = new ArrayList<>(root.size());
            for (int i = 0; i < root.size(); i++) {
                JsonNode item = root.get(i);
                if (!item.isObject()) {
                    throw malformed(record, "[" + i + "]", "expected an audit record (a JSON object)");
                }
                out.add(normalizeOne(item, "[" + i + "].", item.toString(), record));
            }
            return out;
        }
        if (!root.isObject()) {
            throw malformed(record, "", "expected a JSON object, got " + root.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        return List.of(normalizeOne(root, "", record.body(), record));
    }

    private Event normalizeOne(JsonNode r, String where, String json, RawRecord record) throws MalformedRecordException {
        String id = AuditFields.text(r, "Id");
        if (id == null) {
            throw malformed(record, where + "Id", "missing");
        }
        String operation = AuditFields.text(r, "Operation");
        if (operation == null) {
            throw malformed(record, where + "Operation", "missing");
        }
        Instant time = creationTime(r, where, record);

        Event.Builder b = Event.builder(id, time, new JsonRawView(r, json, true));
        b.put(Event.DATASET, DATASET);
        b.put(Event.ACTION, operation);
        String workload = AuditFields.text(r, "Workload");
        b.put(Event.PROVIDER, workload);
        String status = AuditFields.text(r, "ResultStatus");
        b.put(Event.OUTCOME, outcome(status));
        b.put(Event.CLOUD_PROVIDER, "azure");
        String organization = AuditFields.text(r, "OrganizationId");
        b.put(Event.ACCOUNT_ID, organization);
        b.put(Event.USER_NAME, AuditFields.text(r, "UserId"));
        String userKey = AuditFields.text(r, "UserKey");
        if (userKey != null && !userKey.equalsIgnoreCase("Not Available")) {
            b.put(Event.USER_ID, userKey);
        }
        String objectId = AuditFields.text(r, "ObjectId");
        JsonNode targets = AuditFields.field(r, "Target");
        String targetUpn = entryOfType(targets, TYPE_UPN);
        // UPNs are case-insensitive: lower-cased so chains join a creation and its follow-up (docs/fields.md)
        String target = targetUpn != null ? targetUpn : objectId;
        b.put(Event.TARGET_NAME, target == null ? null : target.toLowerCase(java.util.Locale.ROOT));
        b.put(Event.TARGET_ID, prefixedGuid(targets));
        source(AuditFields.text(r, "ClientIP"), AuditFields.text(r, "ActorIpAddress"), b);

        b.put("o365.audit.workload", workload);
        b.put("o365.audit.result_status", status);
        b.put("o365.audit.object_id", objectId);
        b.put("o365.audit.organization_id", organization);
        b.put("o365.audit.record_type", number(AuditFields.field(r, "RecordType")));
        b.put("o365.audit.user_type", number(AuditFields.field(r, "UserType")));
        JsonNode modified = AuditFields.field(r, "ModifiedProperties");
        String roleName = modifiedValue(modified, "Role.DisplayName");
        String roleTemplate = modifiedValue(modified, "Role.TemplateId");
        b.put("o365.audit.role.display_name", roleName);
        b.put("o365.audit.role.template_id", roleTemplate);
        // the same values where Elastic's o365 module puts them (rules written for Elastic read these)
        b.put("o365.audit.ModifiedProperties.Role_DisplayName.NewValue", roleName);
        b.put("o365.audit.ModifiedProperties.Role_TemplateId.NewValue", roleTemplate);
        return b.build();
    }

    static String outcome(String status) {
        if (status == null) {
            return null;
        }
        String s = status.trim().toLowerCase(Locale.ROOT);
        if (SUCCESS.contains(s)) {
            return "success";
        }
        if (FAILURE.contains(s)) {
            return "failure";
        }
        return null;
    }

    private static Instant creationTime(JsonNode r, String where, RawRecord record) throws MalformedRecordException {
        String text = AuditFields.text(r, "CreationTime");
        if (text == null) {
            throw malformed(record, where + "CreationTime", "missing");
        }
        // Exports write a space between date and time; the API writes 'T' and no zone (UTC).
        String iso = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        try {
            return OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException withoutZone) {
            try {
                return LocalDateTime.parse(iso, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw malformed(record, where + "CreationTime", "not a time: \"" + shorten(text) + "\"");
            }
        }
    }

    /** The ID of the first {@code [{ID, Type}]} entry of that type. */
    private static String entryOfType(JsonNode entries, int type) {
        if (entries == null || !entries.isArray()) {
            return null;
        }
        for (JsonNode e : entries) {
            JsonNode t = AuditFields.field(e, "Type");
            if (t != null && t.canConvertToInt() && t.asInt() == type) {
                String id = AuditFields.text(e, "ID");
                if (id != null) {
                    return id;
                }
            }
        }
        return null;
    }

    private static String prefixedGuid(JsonNode entries) {
        if (entries == null || !entries.isArray()) {
            return null;
        }
        for (JsonNode e : entries) {
            String id = AuditFields.text(e, "ID");
            if (id != null) {
                Matcher m = PREFIXED_GUID.matcher(id);
                if (m.matches()) {
                    return m.group(1);
                }
            }
        }
        return null;
    }

    /**
     * The NewValue of a {@code ModifiedProperties} entry. Some values are JSON arrays inside the string
     * ({@code "[\r\n  \"x\"\r\n]"}); a one-element array of text gives that text.
     */
    private static String modifiedValue(JsonNode modified, String name) {
        if (modified == null || !modified.isArray()) {
            return null;
        }
        for (JsonNode p : modified) {
            if (name.equalsIgnoreCase(AuditFields.text(p, "Name"))) {
                String v = AuditFields.text(p, "NewValue");
                if (v != null && v.trim().startsWith("[")) {
                    try {
                        JsonNode decoded = JSON.readTree(v);
                        if (decoded.isArray() && decoded.size() == 1 && decoded.get(0).isTextual()) {
                            return decoded.get(0).textValue();
                        }
                    } catch (JsonProcessingException notJson) {
                        return v;
                    }
                }
                return v;
            }
        }
        return null;
    }

    private static Long number(JsonNode n) {
        if (n == null) {
            return null;
        }
        if (n.isIntegralNumber() && n.canConvertToLong()) {
            return n.longValue();
        }
        if (n.isTextual()) {
            try {
                return Long.parseLong(n.textValue().trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static void source(String clientIp, String actorIp, Event.Builder b) {
        String address = clientIp != null ? clientIp : actorIp;
        if (address == null) {
            return;
        }
        b.put("source.address", address);
        String ip = address.trim();
        Matcher v4 = IPV4_PORT.matcher(ip);
        Matcher v6 = IPV6_PORT.matcher(ip);
        if (v4.matches()) {
            ip = v4.group(1);
        } else if (v6.matches()) {
            ip = v6.group(1);
        }
        if (IPV4.matcher(ip).matches() || IPV6.matcher(ip).matches()) {
            b.put(Event.SOURCE_IP, ip);
        }
    }

    private static JsonNode parse(RawRecord record) throws MalformedRecordException {
        try {
            JsonNode node = JSON.readTree(record.body());
            if (node == null || node.isMissingNode()) {
                throw new MalformedRecordException(record.origin() + ": empty, expected an O365 audit record");
            }
            return node;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedRecordException(record.origin() + ": not valid JSON (" + e.getOriginalMessage() + at + ")", e);
        }
    }

    private static MalformedRecordException malformed(RawRecord record, String path, String problem) {
        String field = path.endsWith(".") ? path.substring(0, path.length() - 1) : path;
        return new MalformedRecordException(record.origin() + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    }

    static boolean containsIgnoreCase(String text, String needle) {
        int n = needle.length();
        for (int i = 0, last = text.length() - n; i <= last; i++) {
            if (text.regionMatches(true, i, needle, 0, n)) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
