package dev.cadet.provider.azure.normalize;

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
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entra ID audit records to ECS events, following Elastic's {@code azure.auditlogs} names.
 *
 * <p>Accepted shapes of a {@link RawRecord} body:
 * <ul>
 *   <li>a Graph directoryAudit object {@code {"id":..,"activityDisplayName":..,"activityDateTime":..}};</li>
 *   <li>the Azure Monitor diagnostic-settings / Event Hub shape {@code {"time","operationName",
 *       "category":"AuditLogs","tenantId",...,"properties":{<directoryAudit>}}}, which is also how the
 *       Graph source hands records over, with the tenant of the stream in {@code tenantId};</li>
 *   <li>a whole Graph page {@code {"value":[...]}}: one event per entry.</li>
 * </ul>
 * Doc quirks are tolerated: {@code Type} for {@code type}, {@code targetResource} for
 * {@code targetResources}; times with 7 fractional digits, or {@code yyyy-MM-dd HH:mm:ss[.f]} in UTC as
 * exporters write them.
 *
 * <p>Fields: {@code event.id} = id (else {@link RecordHash}); {@code @timestamp} = activityDateTime (else
 * the envelope's {@code time}); {@code event.action} and {@code azure.auditlogs.operation_name} =
 * activityDisplayName (else the envelope's operationName); {@code azure.auditlogs.result} = result in
 * lower case, {@code event.outcome} success / failure (failure, failed, timeout) / unknown;
 * {@code cloud.account.id} = the envelope's tenantId, else the tenant in its resourceId, else an
 * additionalDetails {@code TenantId}, else the actor's homeTenantId unless the actor is a guest;
 * {@code user.name} = initiatedBy.user.userPrincipalName, else initiatedBy.app.displayName (else its
 * servicePrincipalName); {@code user.target.*} = the first target with a userPrincipalName, else the
 * first target's displayName (for "Add member to group" the user, not the group); modifiedProperties
 * values decoded from their JSON text; the role of a role assignment from {@code Role.DisplayName} /
 * {@code Role.TemplateId}, else from a target of type Role.
 */
public final class DirectoryAuditNormalizer implements Normalizer {

    public static final String DATASET = "azure.auditlogs";
    private static final String P = "azure.auditlogs.";
    private static final String PROPS = P + "properties.";
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final DateTimeFormatter EXPORT_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd")
            .optionalStart().appendLiteral(' ').optionalEnd()
            .optionalStart().appendLiteral('T').optionalEnd()
            .appendPattern("HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern RESOURCE_TENANT = Pattern.compile("(?i)^/tenants/([^/]+)/");
    /** additionalDetails keys that become fields: short and plain. */
    private static final Pattern DETAIL_KEY = Pattern.compile("[A-Za-z0-9 ._-]{1,64}");
    private static final Map<String, String> CATEGORY_IAM = Map.of(
            "usermanagement", "iam", "groupmanagement", "iam", "rolemanagement", "iam",
            "applicationmanagement", "iam", "directorymanagement", "configuration", "policy", "configuration");
    private static final Map<String, String> OPERATION_TYPE = Map.of(
            "add", "creation", "delete", "deletion", "update", "change", "assign", "change", "unassign", "change");

    /**
     * True for a directoryAudit, a diagnostic-shape audit record or a Graph page of them. A text search,
     * no parsing; CloudTrail ({@code eventSource}) and O365 ({@code OrganizationId}) records never match.
     */
    @Override
    public boolean recognizes(RawRecord record) {
        String b = record.body();
        if (b.contains("\"eventSource\"") || b.contains("\"OrganizationId\"")) {
            return false;
        }
        boolean graph = b.contains("\"activityDisplayName\"") && b.contains("\"activityDateTime\"");
        boolean diagnostic = b.contains("\"AuditLogs\"") && b.contains("\"properties\"") && b.contains("\"category\"");
        return graph || diagnostic;
    }

    @Override
    public List<Event> normalize(RawRecord record) throws MalformedRecordException {
        JsonNode root = parse(record);
        if (!root.isObject()) {
            throw malformed(record, "", "expected a JSON object");
        }
        JsonNode value = root.get("value");
        if (value != null && value.isArray() && !root.has("id") && !root.has("properties")) {
            List<Event> out = new ArrayList<>(value.size());
            for (int i = 0; i < value.size(); i++) {
                JsonNode item = value.get(i);
                if (!item.isObject()) {
                    throw malformed(record, "value[" + i + "]", "expected a JSON object");
                }
                out.add(normalizeOne(item, "value[" + i + "].", item.toString(), record));
            }
            return out;
        }
        return List.of(normalizeOne(root, "", record.body(), record));
    }

    private Event normalizeOne(JsonNode item, String where, String json, RawRecord record) throws MalformedRecordException {
        JsonNode props = item.get("properties");
        boolean diagnostic = props != null && props.isObject();
        JsonNode audit = diagnostic ? props : item;
        JsonNode env = diagnostic ? item : null;
        String at = diagnostic ? where + "properties." : where;

        String action = first(text(audit, "activityDisplayName"), env == null ? null : text(env, "operationName"));
        if (action == null) {
            throw malformed(record, at + "activityDisplayName", "missing");
        }
        Instant time = time(audit, env, at, where, record);
        String id = text(audit, "id");
        if (id == null) {
            id = RecordHash.of(item);
        }

        Event.Builder b = Event.builder(id, time, new AuditRawView(audit, env, json));
        b.put(Event.DATASET, DATASET);
        b.put(Event.ACTION, action);
        b.put(P + "operation_name", action);
        String result = first(text(audit, "result"), env == null ? null : text(env, "result"));
        if (result != null) {
            result = result.toLowerCase(Locale.ROOT);
        }
        b.put(P + "result", result);
        b.put(Event.OUTCOME, outcome(result));
        b.put(PROPS + "result_reason", text(audit, "resultReason"));
        b.put(P + "correlation_id", first(text(audit, "correlationId"), env == null ? null : text(env, "correlationId")));
        String category = text(audit, "category");
        b.put(PROPS + "category", category);
        if (category != null && CATEGORY_IAM.containsKey(category.toLowerCase(Locale.ROOT))) {
            b.put("event.category", List.of(CATEGORY_IAM.get(category.toLowerCase(Locale.ROOT))));
        }
        String operationType = text(audit, "operationType");
        b.put(PROPS + "operation_type", operationType);
        if (operationType != null && OPERATION_TYPE.containsKey(operationType.toLowerCase(Locale.ROOT))) {
            b.put("event.type", List.of(OPERATION_TYPE.get(operationType.toLowerCase(Locale.ROOT))));
        }
        String service = text(audit, "loggedByService");
        b.put(Event.PROVIDER, service);
        b.put(PROPS + "logged_by_service", service);
        b.put(Event.CLOUD_PROVIDER, "azure");
        b.put(Event.ACCOUNT_ID, tenant(audit, env));

        JsonNode details = audit.path("additionalDetails");
        actor(audit.path("initiatedBy"), env, b);
        b.put(Event.USER_AGENT, first(detail(details, "User-Agent"), text(audit, "userAgent")));
        additionalDetails(details, b);
        targets(audit, b);
        return b.build();
    }

    private static void actor(JsonNode initiatedBy, JsonNode env, Event.Builder b) {
        JsonNode user = initiatedBy.path("user");
        JsonNode app = initiatedBy.path("app");
        String upn = text(user, "userPrincipalName");
        String appName = first(text(app, "displayName"), text(app, "servicePrincipalName"));
        b.put(Event.USER_NAME, first(upn, appName));
        b.put(Event.USER_ID, first(text(user, "id"), text(app, "servicePrincipalId"), text(app, "appId")));
        b.put("user.full_name", text(user, "displayName"));
        b.put(PROPS + "initiated_by.user.user_type", text(user, "userType"));
        b.put(PROPS + "initiated_by.app.app_id", text(app, "appId"));
        b.put(PROPS + "initiated_by.app.display_name", text(app, "displayName"));
        b.put(PROPS + "initiated_by.app.service_principal_id", text(app, "servicePrincipalId"));
        String ip = text(user, "ipAddress");
        if (!isIp(ip) && env != null) {
            ip = first(text(env, "callerIpAddress"), text(env, "ipAddress"));
        }
        if (isIp(ip)) {
            b.put(Event.SOURCE_IP, ip);
        }
    }

    private static void targets(JsonNode audit, Event.Builder b) {
        JsonNode targets = audit.get("targetResources");
        if (targets == null || targets.isNull()) {
            targets = audit.get("targetResource"); // directoryaudit-get.md spells it so
        }
        List<JsonNode> list = new ArrayList<>();
        if (targets != null && targets.isArray()) {
            targets.forEach(list::add);
        } else if (targets != null && targets.isObject()) {
            list.add(targets);
        }
        JsonNode chosen = null;
        String roleName = null;
        String roleTemplate = null;
        for (int i = 0; i < list.size(); i++) {
            JsonNode t = list.get(i);
            if (!t.isObject()) {
                continue;
            }
            String prefix = PROPS + "target_resources." + i + ".";
            String type = first(text(t, "type"), text(t, "Type"));
            b.put(prefix + "id", text(t, "id"));
            b.put(prefix + "display_name", text(t, "displayName"));
            b.put(prefix + "type", type);
            b.put(prefix + "user_principal_name", text(t, "userPrincipalName"));
            b.put(prefix + "group_type", text(t, "groupType"));
            if (chosen == null && text(t, "userPrincipalName") != null) {
                chosen = t;
            }
            JsonNode modified = t.path("modifiedProperties");
            for (int j = 0; j < modified.size(); j++) {
                JsonNode m = modified.get(j);
                String name = text(m, "displayName");
                String mp = prefix + "modified_properties." + j + ".";
                b.put(mp + "display_name", name);
                Object oldValue = decode(m.get("oldValue"));
                Object newValue = decode(m.get("newValue"));
                b.put(mp + "old_value", oldValue);
                b.put(mp + "new_value", newValue);
                if ("Role.DisplayName".equalsIgnoreCase(name) && roleName == null) {
                    roleName = single(newValue, oldValue);
                } else if ("Role.TemplateId".equalsIgnoreCase(name) && roleTemplate == null) {
                    roleTemplate = single(newValue, oldValue);
                }
            }
            if (roleName == null && "Role".equalsIgnoreCase(type)) {
                roleName = text(t, "displayName");
            }
        }
        if (chosen == null) {
            chosen = list.stream().filter(JsonNode::isObject).findFirst().orElse(null);
        }
        if (chosen != null) {
            // UPNs are case-insensitive: lower-cased so chains join a creation and its follow-up (docs/fields.md)
            String upn = text(chosen, "userPrincipalName");
            b.put(Event.TARGET_NAME, upn != null ? upn.toLowerCase(Locale.ROOT) : text(chosen, "displayName"));
            b.put(Event.TARGET_ID, text(chosen, "id"));
        }
        b.put(PROPS + "role.display_name", roleName);
        b.put(PROPS + "role.template_id", roleTemplate);
    }

    private static void additionalDetails(JsonNode details, Event.Builder b) {
        for (JsonNode d : details) {
            String key = text(d, "key");
            String value = text(d, "value");
            if (key != null && value != null && DETAIL_KEY.matcher(key).matches()) {
                b.put(PROPS + "additional_details." + snake(key), value);
            }
        }
    }

    /** "User-Agent" -> user_agent, "AppId" -> app_id */
    static String snake(String key) {
        String s = key.trim().replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
        return s.replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    /**
     * A modifiedProperties value: Graph writes JSON as text ({@code "[true]"}, {@code "\"Global Reader\""}).
     * A JSON string becomes its text, a number or boolean its value, an array of scalars a list (a
     * one-element list its element), anything nested stays compact JSON text; text that is not JSON stays as is.
     */
    static Object decode(JsonNode raw) {
        if (raw == null || raw.isNull()) {
            return null;
        }
        if (!raw.isTextual()) {
            Object v = JsonRawView.scalar(raw);
            return v != null ? v : raw.toString();
        }
        String text = raw.textValue();
        if (text.isEmpty()) {
            return null;
        }
        JsonNode parsed;
        try {
            parsed = JSON.readTree(text);
        } catch (JsonProcessingException notJson) {
            return text;
        }
        if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
            return null;
        }
        if (parsed.isArray()) {
            List<Object> items = new ArrayList<>();
            for (JsonNode item : parsed) {
                Object v = JsonRawView.scalar(item);
                if (v == null) {
                    return parsed.toString();
                }
                items.add(v);
            }
            if (items.isEmpty()) {
                return null;
            }
            return items.size() == 1 ? items.get(0) : List.copyOf(items);
        }
        Object v = JsonRawView.scalar(parsed);
        return v != null ? (v instanceof String s && s.isEmpty() ? null : v) : parsed.toString();
    }

    private static String single(Object newValue, Object oldValue) {
        Object v = newValue != null ? newValue : oldValue;
        return v instanceof List || v == null ? null : v.toString();
    }

    private static String tenant(JsonNode audit, JsonNode env) {
        if (env != null) {
            String t = text(env, "tenantId");
            if (t != null) {
                return t;
            }
            String resource = text(env, "resourceId");
            if (resource != null) {
                Matcher m = RESOURCE_TENANT.matcher(resource);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        String fromDetails = detail(audit.path("additionalDetails"), "TenantId");
        if (fromDetails != null) {
            return fromDetails;
        }
        JsonNode user = audit.path("initiatedBy").path("user");
        // A guest's home tenant is another directory than the one that logged the change.
        if (!"guest".equalsIgnoreCase(text(user, "userType"))) {
            return text(user, "homeTenantId");
        }
        return null;
    }

    /** The value of the additionalDetails entry whose key matches, case-insensitively. */
    private static String detail(JsonNode details, String key) {
        for (JsonNode d : details) {
            if (key.equalsIgnoreCase(text(d, "key"))) {
                return text(d, "value");
            }
        }
        return null;
    }

    private static String outcome(String result) {
        if (result == null) {
            return null;
        }
        return switch (result) {
            case "success" -> "success";
            case "failure", "failed", "timeout" -> "failure";
            default -> "unknown";
        };
    }

    private static Instant time(JsonNode audit, JsonNode env, String at, String where, RawRecord record)
            throws MalformedRecordException {
        String field = at + "activityDateTime";
        String text = text(audit, "activityDateTime");
        if (text == null && env != null) {
            for (String f : new String[]{"time", "p_event_time"}) {
                if (text(env, f) != null) {
                    field = where + f;
                    text = text(env, f);
                    break;
                }
            }
        }
        if (text == null) {
            throw malformed(record, at + "activityDateTime", "missing");
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                return LocalDateTime.parse(text, EXPORT_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notExport) {
                throw malformed(record, field, "not a time: \"" + (text.length() <= 64 ? text : text.substring(0, 64) + "...") + "\"");
            }
        }
    }

    private static boolean isIp(String s) {
        return s != null && (IPV4.matcher(s).matches() || (s.indexOf(':') >= 0 && IPV6.matcher(s).matches()));
    }

    private static JsonNode parse(RawRecord record) throws MalformedRecordException {
        try {
            JsonNode node = JSON.readTree(record.body());
            if (node == null || node.isMissingNode()) {
                throw new MalformedRecordException(record.origin() + ": empty, expected a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            String loc = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedRecordException(record.origin() + ": not valid JSON (" + e.getOriginalMessage() + loc + ")", e);
        }
    }

    private static MalformedRecordException malformed(RawRecord record, String path, String problem) {
        String field = path.endsWith(".") ? path.substring(0, path.length() - 1) : path;
        return new MalformedRecordException(record.origin() + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    }

    /** The text at the key, or null when absent, JSON null, empty, or not a scalar. */
    private static String text(JsonNode node, String key) {
        if (node == null) {
            return null;
        }
        JsonNode n = node.path(key);
        if (!n.isValueNode() || n.isNull()) {
            return null;
        }
        String s = n.asText();
        return s.isEmpty() ? null : s;
    }

    private static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null) {
                return c;
            }
        }
        return null;
    }
}
