package dev.cadet.provider.aws.normalize;

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
import java.util.regex.Pattern;

/**
 * CloudTrail records to ECS events, following Elastic's {@code aws.cloudtrail} mapping.
 *
 * <p>Accepted shapes of a {@link RawRecord} body:
 * <ul>
 *   <li>a CloudTrail record {@code {"eventVersion":..,"eventName":..}}, with or without extra keys
 *       an exporter added (Panther {@code p_*});</li>
 *   <li>a LookupEvents {@code Events[]} entry {@code {"EventId":..,"CloudTrailEvent":"<json text>"}}, unwrapped;</li>
 *   <li>a whole LookupEvents answer {@code {"Events":[...]}} or an S3 log file {@code {"Records":[...]}}:
 *       one event per entry.</li>
 * </ul>
 *
 * <p>Fields: {@code event.id} = eventID (else the LookupEvents EventId, else {@link FallbackEventId});
 * {@code @timestamp} = eventTime (ISO-8601, or {@code yyyy-MM-dd HH:mm:ss[.f]} in UTC as exporters
 * write it; Panther's {@code p_event_time} when eventTime is absent); {@code event.outcome} failure when
 * errorCode is present; {@code user.name} the actor: userName for IAM users, the role
 * (sessionIssuer.userName) for assumed roles with the session name in
 * {@code aws.cloudtrail.user_identity.session_name}, invokedBy for AWS services, {@code root} for an
 * unnamed root identity; {@code user.target.*} the user or role acted on; {@code source.ip} only
 * when sourceIPAddress is an IP literal, else {@code source.domain} when it is a host name
 * ({@code iam.amazonaws.com}); {@code source.address} always. Dataset fields under {@code aws.cloudtrail}:
 * {@code user_identity.{type,arn,access_key_id,session_name}}, {@code event_type}, {@code event_version},
 * {@code request_parameters.{policy_arn,group_name,role_arn}} (AttachUserPolicy, AddUserToGroup, AssumeRole).
 */
public final class CloudTrailNormalizer implements Normalizer {

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final String DATASET = "aws.cloudtrail";
    /** How exporters such as Panther write times: UTC, space instead of T, optional fraction. */
    private static final DateTimeFormatter EXPORT_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.]+)?");
    private static final Pattern HOST_NAME = Pattern.compile(
            "(?i)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]");

    /**
     * True for bodies that look like a CloudTrail record or a LookupEvents answer. A text search, no
     * parsing: the host calls this for every record of unknown origin.
     */
    @Override
    public boolean recognizes(RawRecord record) {
        String body = record.body();
        if (body.contains("\"CloudTrailEvent\"")) {
            return true;
        }
        return body.contains("\"eventName\"")
                && (body.contains("\"eventSource\"") || body.contains("\"awsRegion\"") || body.contains("\"AWS.CloudTrail\""));
    }

    @Override
    public List<Event> normalize(RawRecord record) throws MalformedRecordException {
        JsonNode root = parse(record.body(), record.origin(), "record");
        if (!root.isObject()) {
            throw malformed(record, "", "expected a JSON object, got " + root.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        JsonNode events = root.get("Events");
        JsonNode records = root.get("Records");
        if (events != null && events.isArray() && !root.has("eventName")) {
            return normalizeAll(events, "Events", record);
        }
        if (records != null && records.isArray() && !root.has("eventName")) {
            return normalizeAll(records, "Records", record);
        }
        return List.of(normalizeOne(root, "", record));
    }

    private List<Event> normalizeAll(JsonNode array, String name, RawRecord record) throws MalformedRecordException {
        List<Event> out = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String where = name + "[" + i + "]";
            if (!item.isObject()) {
                throw malformed(record, where, "expected a JSON object");
            }
            out.add(normalizeOne(item, where + ".", record));
        }
        return out;
    }

    /** @param where the JSON path prefix of {@code node} inside the body, for messages ("" or "Events[2].") */
    private Event normalizeOne(JsonNode node, String where, RawRecord record) throws MalformedRecordException {
        JsonNode trail = node;
        String envelopeId = null;
        String json;
        JsonNode wrapped = node.get("CloudTrailEvent");
        if (wrapped != null && !node.has("eventName")) {
            envelopeId = text(node, "EventId");
            if (wrapped.isTextual()) {
                trail = parse(wrapped.textValue(), record.origin(), where + "CloudTrailEvent");
                json = wrapped.textValue();
            } else if (wrapped.isObject()) {
                trail = wrapped;
                json = wrapped.toString();
            } else {
                throw malformed(record, where + "CloudTrailEvent", "expected the record as JSON text");
            }
            if (!trail.isObject()) {
                throw malformed(record, where + "CloudTrailEvent", "expected a JSON object");
            }
            where = where + "CloudTrailEvent.";
        } else {
            json = where.isEmpty() ? record.body() : node.toString();
        }

        String action = text(trail, "eventName");
        if (action == null) {
            throw malformed(record, where + "eventName", "missing");
        }
        Instant time = eventTime(trail, where, record);
        String id = text(trail, "eventID");
        if (id == null) {
            id = envelopeId != null ? envelopeId : FallbackEventId.of(trail);
        }

        Event.Builder b = Event.builder(id, time, new JsonRawView(trail, json));
        b.put(Event.DATASET, DATASET);
        b.put(Event.PROVIDER, text(trail, "eventSource"));
        b.put(Event.ACTION, action);
        String errorCode = text(trail, "errorCode");
        b.put(Event.OUTCOME, errorCode == null ? "success" : "failure");
        b.put(Event.ERROR_CODE, errorCode);
        b.put("error.message", text(trail, "errorMessage"));
        b.put(Event.CLOUD_PROVIDER, "aws");
        String account = text(trail, "recipientAccountId");
        b.put(Event.ACCOUNT_ID, account != null ? account : text(trail, "userIdentity", "accountId"));
        b.put(Event.REGION, text(trail, "awsRegion"));
        actor(trail.path("userIdentity"), b);
        target(trail, b);
        source(text(trail, "sourceIPAddress"), b);
        b.put(Event.USER_AGENT, text(trail, "userAgent"));
        b.put("aws.cloudtrail.event_type", text(trail, "eventType"));
        b.put("aws.cloudtrail.event_version", text(trail, "eventVersion"));
        b.put("aws.cloudtrail.request_parameters.policy_arn", text(trail, "requestParameters", "policyArn"));
        b.put("aws.cloudtrail.request_parameters.group_name", text(trail, "requestParameters", "groupName"));
        b.put("aws.cloudtrail.request_parameters.role_arn", text(trail, "requestParameters", "roleArn"));
        return b.build();
    }

    private static void actor(JsonNode identity, Event.Builder b) {
        String type = text(identity, "type");
        String arn = text(identity, "arn");
        b.put("aws.cloudtrail.user_identity.type", type);
        b.put("aws.cloudtrail.user_identity.arn", arn);
        b.put("aws.cloudtrail.user_identity.access_key_id", text(identity, "accessKeyId"));
        b.put(Event.USER_ID, text(identity, "principalId"));
        String userName = text(identity, "userName");
        String issuer = text(identity, "sessionContext", "sessionIssuer", "userName");
        String invokedBy = text(identity, "invokedBy");
        String name;
        if ("AssumedRole".equals(type) || "FederatedUser".equals(type)) {
            String session = arnSessionName(arn);
            b.put("aws.cloudtrail.user_identity.session_name", session);
            name = first(issuer, arnRoleName(arn), userName, session);
        } else if ("AWSService".equals(type)) {
            name = first(invokedBy, userName);
        } else if ("Root".equals(type)) {
            name = first(userName, "root");
        } else {
            name = first(userName, issuer, invokedBy);
        }
        b.put(Event.USER_NAME, name);
    }

    private static void target(JsonNode trail, Event.Builder b) {
        JsonNode req = trail.path("requestParameters");
        JsonNode resp = trail.path("responseElements");
        b.put(Event.TARGET_NAME, first(
                text(req, "userName"),
                text(resp, "user", "userName"),
                text(resp, "accessKey", "userName"),
                text(req, "roleName"),
                text(resp, "role", "roleName")));
        b.put(Event.TARGET_ID, first(text(resp, "user", "userId"), text(resp, "role", "roleId")));
    }

    private static void source(String address, Event.Builder b) {
        if (address == null) {
            return;
        }
        b.put("source.address", address);
        if (IPV4.matcher(address).matches() || IPV6.matcher(address).matches()) {
            b.put(Event.SOURCE_IP, address);
        } else if (HOST_NAME.matcher(address).matches()) {
            b.put("source.domain", address);
        }
    }

    private static Instant eventTime(JsonNode trail, String where, RawRecord record) throws MalformedRecordException {
        String field = "eventTime";
        String text = text(trail, field);
        if (text == null && text(trail, "p_event_time") != null) {
            field = "p_event_time"; // Panther's copy of eventTime, in its export format
            text = text(trail, field);
        }
        if (text == null) {
            throw malformed(record, where + "eventTime", "missing");
        }
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                return LocalDateTime.parse(text, EXPORT_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notExport) {
                throw malformed(record, where + field, "not a time: \"" + shorten(text) + "\"");
            }
        }
    }

    /** "arn:aws:sts::1:assumed-role/ROLE/SESSION" -> SESSION */
    private static String arnSessionName(String arn) {
        if (arn == null) {
            return null;
        }
        int slash = arn.lastIndexOf('/');
        int first = arn.indexOf('/');
        return slash > 0 && slash != first && slash < arn.length() - 1 ? arn.substring(slash + 1) : null;
    }

    /** "arn:aws:sts::1:assumed-role/ROLE/SESSION" -> ROLE */
    private static String arnRoleName(String arn) {
        if (arn == null || !arn.contains(":assumed-role/")) {
            return null;
        }
        String rest = arn.substring(arn.indexOf(":assumed-role/") + ":assumed-role/".length());
        int slash = rest.indexOf('/');
        return slash > 0 ? rest.substring(0, slash) : null;
    }

    private static JsonNode parse(String text, String origin, String what) throws MalformedRecordException {
        try {
            JsonNode node = JSON.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new MalformedRecordException(origin + ": " + what + ": empty, expected JSON");
            }
            return node;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedRecordException(origin + ": " + what + ": not valid JSON (" + e.getOriginalMessage() + at + ")", e);
        }
    }

    private static MalformedRecordException malformed(RawRecord record, String path, String problem) {
        String field = path.endsWith(".") ? path.substring(0, path.length() - 1) : path;
        return new MalformedRecordException(record.origin() + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    }

    /** The text at the path, or null when absent, JSON null, empty, or not a scalar. */
    private static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String step : path) {
            n = n.path(step);
        }
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

    private static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
