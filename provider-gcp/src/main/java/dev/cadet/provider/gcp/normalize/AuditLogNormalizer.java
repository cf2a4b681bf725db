package dev.cadet.provider.gcp.normalize;

import dev.cadet.rawjson.JsonRawView;
import static dev.cadet.provider.gcp.normalize.Json.first;
import static dev.cadet.provider.gcp.normalize.Json.malformed;
import static dev.cadet.provider.gcp.normalize.Json.text;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.RawRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GCP Cloud Audit Log entries (Cloud Logging {@code LogEntry} with an {@code AuditLog} protoPayload)
 * to ECS events, one per entry.
 *
 * <p>Fields: {@code event.id} = insertId (else a hash of the canonical record, for export fragments);
 * {@code @timestamp} = timestamp (RFC 3339, or Panther's {@code yyyy-MM-dd HH:mm:ss.f}; else
 * {@code p_event_time}); {@code event.dataset} = {@code gcp.audit}; {@code event.provider} and
 * {@code gcp.audit.service_name} = serviceName; {@code event.action} = the last dot-separated segment of
 * methodName ({@code google.iam.admin.v1.CreateServiceAccount} gives {@code CreateServiceAccount}) and
 * {@code gcp.audit.method_name} the full name; {@code event.outcome} failure when {@code status.code}
 * is set and not 0, with {@code error.code} and {@code error.message}, else success;
 * {@code cloud.provider} = {@code gcp}; {@code cloud.account.id} and {@code cloud.project.id} = the
 * project ({@code resource.labels.project_id}, else the project of {@code logName}); for folder and
 * organization logs {@code cloud.account.id} is the log's parent ({@code organizations/N}, {@code folders/N});
 * {@code user.name} = {@code authenticationInfo.principalEmail}; {@code user.target.name} = the service
 * account's email (see {@link #serviceAccountEmail}) and {@code user.target.id} its unique id;
 * {@code source.ip} = {@code requestMetadata.callerIp} (also {@code callerIP}) when an IP literal,
 * {@code source.address} always; {@code user_agent.original} = callerSuppliedUserAgent;
 * {@code gcp.audit.resource_name}, {@code gcp.audit.resource_type}, {@code gcp.audit.log_name},
 * {@code gcp.audit.principal_subject}; and for IAM policy changes {@code gcp.audit.policy_delta.action},
 * {@code .role}, {@code .member} (lists, aligned by index) from {@code serviceData.policyDelta.bindingDeltas},
 * or, when the entry has no delta, the policy after the change as {@code gcp.audit.policy.role} and
 * {@code gcp.audit.policy.member} (one role-member pair per index) from {@code response.bindings}.
 */
final class AuditLogNormalizer {

    static final String DATASET = "gcp.audit";
    private static final Pattern LOG_PARENT = Pattern.compile("^((projects|organizations|folders|billingAccounts)/([^/]+))/logs/.*");
    private static final Pattern SERVICE_ACCOUNT = Pattern.compile("(?:^|/)serviceAccounts/([^/]+@[^/]+)(?:/|$)");

    /** True for a Cloud Logging audit entry: a text test, no parsing. */
    static boolean recognizes(String body) {
        return body.contains("\"protoPayload\"") && body.contains("\"methodName\"");
    }

    Event normalize(JsonNode entry, String where, RawRecord record) throws MalformedRecordException {
        JsonNode proto = entry.path("protoPayload");
        if (!proto.isObject()) {
            throw malformed(record, where + "protoPayload", "missing: not a Cloud Audit Log entry");
        }
        String method = text(proto, "methodName");
        if (method == null) {
            throw malformed(record, where + "protoPayload.methodName", "missing");
        }
        String timeField = text(entry, "timestamp") != null ? "timestamp" : "p_event_time";
        String timeText = text(entry, timeField);
        if (timeText == null) {
            throw malformed(record, where + "timestamp", "missing: an audit log entry without its time cannot be placed in event order");
        }
        Instant time = Json.time(timeText);
        if (time == null) {
            throw malformed(record, where + timeField, "not a time: \"" + Json.shorten(timeText) + "\"");
        }
        String id = text(entry, "insertId");
        if (id == null) {
            id = Json.fallbackId(entry);
        }
        String json = where.isEmpty() ? record.body() : entry.toString();
        Event.Builder b = Event.builder(id, time, new JsonRawView(entry, json));
        b.put(Event.DATASET, DATASET);
        String service = text(proto, "serviceName");
        b.put(Event.PROVIDER, service);
        b.put("gcp.audit.service_name", service);
        b.put(Event.ACTION, shortName(method));
        b.put("gcp.audit.method_name", method);
        outcome(proto.path("status"), b);
        b.put(Event.CLOUD_PROVIDER, "gcp");
        String logName = text(entry, "logName");
        String project = first(text(entry, "resource", "labels", "project_id"), logProject(logName));
        b.put("cloud.project.id", project);
        b.put(Event.ACCOUNT_ID, first(project, logParent(logName)));
        b.put(Event.USER_NAME, text(proto, "authenticationInfo", "principalEmail"));
        b.put("gcp.audit.principal_subject", text(proto, "authenticationInfo", "principalSubject"));
        b.put(Event.TARGET_NAME, serviceAccountEmail(entry, proto));
        b.put(Event.TARGET_ID, first(text(proto, "response", "unique_id"), text(proto, "response", "uniqueId"),
                "service_account".equals(text(entry, "resource", "type")) ? text(entry, "resource", "labels", "unique_id") : null));
        JsonNode meta = proto.path("requestMetadata");
        String caller = first(text(meta, "callerIp"), text(meta, "callerIP"));
        b.put("source.address", caller);
        if (Json.isIp(caller)) {
            b.put(Event.SOURCE_IP, caller);
        }
        b.put(Event.USER_AGENT, text(meta, "callerSuppliedUserAgent"));
        b.put("gcp.audit.resource_name", text(proto, "resourceName"));
        b.put("gcp.audit.resource_type", text(entry, "resource", "type"));
        b.put("gcp.audit.log_name", logName);
        policy(proto, b);
        return b.build();
    }

    /** {@code google.iam.admin.v1.CreateServiceAccount} -> {@code CreateServiceAccount}. */
    static String shortName(String method) {
        int dot = method.lastIndexOf('.');
        return dot >= 0 && dot < method.length() - 1 ? method.substring(dot + 1) : method;
    }

    private static void outcome(JsonNode status, Event.Builder b) {
        JsonNode code = status.path("code");
        boolean failed = code.isNumber() ? code.asLong() != 0 : code.isTextual() && !code.asText().equals("0") && !code.asText().isEmpty();
        b.put(Event.OUTCOME, failed ? "failure" : "success");
        if (failed) {
            b.put(Event.ERROR_CODE, code.asText());
            b.put("error.message", text(status, "message"));
        }
    }

    /**
     * The service account acted on: {@code response.email} (CreateServiceAccount), the email in
     * {@code request.service_account}/{@code serviceAccount}, else the first of {@code response.name},
     * {@code resourceName}, {@code request.name} that names {@code serviceAccounts/<email>} (keys:
     * {@code projects/p/serviceAccounts/<email>/keys/k}), else {@code resource.labels.email_id} of a
     * {@code service_account} resource. Names that carry only the numeric unique id are skipped.
     */
    static String serviceAccountEmail(JsonNode entry, JsonNode proto) {
        String direct = first(text(proto, "response", "email"), text(proto, "request", "service_account", "email"),
                text(proto, "request", "serviceAccount", "email"));
        if (direct != null) {
            return direct;
        }
        for (String name : new String[] {text(proto, "response", "name"), text(proto, "resourceName"), text(proto, "request", "name")}) {
            if (name != null) {
                Matcher m = SERVICE_ACCOUNT.matcher(name);
                if (m.find()) {
                    return m.group(1);
                }
            }
        }
        return "service_account".equals(text(entry, "resource", "type")) ? text(entry, "resource", "labels", "email_id") : null;
    }

    private static String logProject(String logName) {
        Matcher m = logName == null ? null : LOG_PARENT.matcher(logName);
        return m != null && m.matches() && m.group(2).equals("projects") ? m.group(3) : null;
    }

    private static String logParent(String logName) {
        Matcher m = logName == null ? null : LOG_PARENT.matcher(logName);
        return m != null && m.matches() ? m.group(1) : null;
    }

    private static void policy(JsonNode proto, Event.Builder b) {
        JsonNode deltas = proto.path("serviceData").path("policyDelta").path("bindingDeltas");
        if (deltas.isArray() && !deltas.isEmpty()) {
            List<Object> actions = new ArrayList<>();
            List<Object> roles = new ArrayList<>();
            List<Object> members = new ArrayList<>();
            for (JsonNode d : deltas) {
                actions.add(String.valueOf(text(d, "action")));
                roles.add(String.valueOf(text(d, "role")));
                members.add(String.valueOf(text(d, "member")));
            }
            b.put("gcp.audit.policy_delta.action", List.copyOf(actions));
            b.put("gcp.audit.policy_delta.role", List.copyOf(roles));
            b.put("gcp.audit.policy_delta.member", List.copyOf(members));
            return;
        }
        JsonNode bindings = proto.path("response").path("bindings");
        if (bindings.isArray() && !bindings.isEmpty()) {
            List<Object> roles = new ArrayList<>();
            List<Object> members = new ArrayList<>();
            for (JsonNode binding : bindings) {
                for (JsonNode member : binding.path("members")) {
                    roles.add(String.valueOf(text(binding, "role")));
                    members.add(member.asText());
                }
            }
            b.put("gcp.audit.policy.role", List.copyOf(roles));
            b.put("gcp.audit.policy.member", List.copyOf(members));
        }
    }
}
