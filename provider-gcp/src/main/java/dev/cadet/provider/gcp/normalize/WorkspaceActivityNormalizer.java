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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Google Workspace Reports API activities to ECS events: one event per entry of {@code events[]}.
 *
 * <p>Shapes accepted: the API's activity ({@code events} an array), Elastic's split lines
 * ({@code events} one object), and Panther's flattened {@code GSuite.ActivityEvent} ({@code name},
 * {@code type} at the top and {@code parameters} a map of name to value).
 *
 * <p>Fields: {@code event.id} = {@code id.time|id.uniqueQualifier|id.applicationName|id.customerId|name}
 * (absent parts empty), with {@code #n} appended for the n-th (from 1) repeat of a name inside one
 * activity; {@code @timestamp} = {@code id.time}; {@code event.dataset} = {@code google_workspace.<app>};
 * {@code event.provider} = the application; {@code event.action} = the event name;
 * {@code event.category}/{@code event.type} from the event type and name (see {@link #category}, {@link #type});
 * {@code event.outcome} = success (Workspace logs only what was done); {@code cloud.provider} =
 * {@code google_workspace}; {@code cloud.account.id} = {@code id.customerId}; {@code user.name} =
 * {@code actor.email}, {@code user.id} = {@code actor.profileId}; {@code user.target.name} = the
 * USER_EMAIL parameter; {@code user.target.group.name} = GROUP_EMAIL; {@code source.ip} = {@code ipAddress};
 * {@code google_workspace.actor.type} = callerType, {@code google_workspace.event.type} = the event type,
 * {@code google_workspace.<app>.role.name} = ROLE_NAME, and every parameter as
 * {@code google_workspace.<app>.<name in lower case>}: value, multiValue (list), boolValue, intValue,
 * multiIntValue (list), and messageValue as {@code <name>.<sub-parameter name in lower case>}.
 */
final class WorkspaceActivityNormalizer {

    static final String CLOUD_PROVIDER = "google_workspace";
    private static final Set<String> IAM_TYPES = Set.of("USER_SETTINGS", "DELEGATED_ADMIN_SETTINGS", "GROUP_SETTINGS");

    /** True for a Workspace activity in any of its shapes: a text test, no parsing. */
    static boolean recognizes(String body) {
        if (body.contains("\"eventSource\"") || body.contains("\"protoPayload\"")) {
            return false; // CloudTrail, Cloud Logging
        }
        return body.contains("admin#reports#activity")
                || (body.contains("\"applicationName\"") && body.contains("\"actor\"") && body.contains("\"id\""));
    }

    List<Event> normalize(JsonNode activity, String where, RawRecord record) throws MalformedRecordException {
        JsonNode id = activity.path("id");
        String app = text(id, "applicationName");
        if (app == null) {
            throw malformed(record, where + "id.applicationName", "missing");
        }
        String timeText = text(id, "time");
        if (timeText == null) {
            throw malformed(record, where + "id.time", "missing: a Workspace activity without its time cannot be placed in event order");
        }
        Instant time = Json.time(timeText);
        if (time == null) {
            throw malformed(record, where + "id.time", "not a time: \"" + Json.shorten(timeText) + "\"");
        }
        List<JsonNode> events = new ArrayList<>();
        JsonNode ev = activity.get("events");
        if (ev != null && ev.isArray()) {
            ev.forEach(events::add);
        } else if (ev != null && ev.isObject()) {
            events.add(ev);
        } else if (ev == null && text(activity, "name") != null) {
            events.add(activity); // Panther: the one event is the record itself
        } else {
            throw malformed(record, where + "events", ev == null ? "missing" : "expected a list of events");
        }
        if (events.isEmpty()) {
            throw malformed(record, where + "events", "empty: the activity holds no event");
        }
        String base = String.join("|", part(text(id, "time")), part(text(id, "uniqueQualifier")), app,
                part(text(id, "customerId")));
        String json = where.isEmpty() ? record.body() : activity.toString();
        JsonRawView raw = new JsonRawView(activity, json);
        Map<String, Integer> seen = new HashMap<>();
        List<Event> out = new ArrayList<>(events.size());
        for (int i = 0; i < events.size(); i++) {
            JsonNode e = events.get(i);
            String name = text(e, "name");
            if (name == null) {
                throw malformed(record, where + (ev != null && ev.isArray() ? "events[" + i + "]." : "") + "name", "missing");
            }
            int repeat = seen.merge(name, 1, Integer::sum) - 1;
            String eventId = base + "|" + name + (repeat == 0 ? "" : "#" + repeat);
            out.add(event(eventId, time, app, activity, e, raw));
        }
        return out;
    }

    private static Event event(String eventId, Instant time, String app, JsonNode activity, JsonNode e, JsonRawView raw) {
        String prefix = "google_workspace." + app.toLowerCase(Locale.ROOT);
        String name = text(e, "name");
        String type = text(e, "type");
        Event.Builder b = Event.builder(eventId, time, raw);
        b.put(Event.DATASET, prefix);
        b.put(Event.PROVIDER, app);
        b.put(Event.ACTION, name);
        b.put("event.category", category(type));
        b.put("event.type", type(name));
        b.put(Event.OUTCOME, "success");
        b.put(Event.CLOUD_PROVIDER, CLOUD_PROVIDER);
        b.put(Event.ACCOUNT_ID, text(activity, "id", "customerId"));
        JsonNode actor = activity.path("actor");
        b.put(Event.USER_NAME, text(actor, "email"));
        b.put(Event.USER_ID, text(actor, "profileId"));
        b.put("google_workspace.actor.type", text(actor, "callerType"));
        b.put("google_workspace.actor.key", text(actor, "key"));
        b.put("google_workspace.event.type", type);
        String ip = text(activity, "ipAddress");
        b.put("source.address", ip);
        if (Json.isIp(ip)) {
            b.put(Event.SOURCE_IP, ip);
        }
        Map<String, Object> params = parameters(e.path("parameters"));
        params.forEach((k, v) -> b.put(prefix + "." + k.toLowerCase(Locale.ROOT), v));
        b.put(Event.TARGET_NAME, textOf(params.get("USER_EMAIL")));
        b.put("user.target.group.name", textOf(params.get("GROUP_EMAIL")));
        b.put(prefix + ".role.name", textOf(params.get("ROLE_NAME")));
        return b.build();
    }

    /** Parameters by their name: the API's list of {name, value...}, or Panther's map. */
    private static Map<String, Object> parameters(JsonNode params) {
        Map<String, Object> out = new HashMap<>();
        if (params.isArray()) {
            for (JsonNode p : params) {
                String name = text(p, "name");
                if (name == null) {
                    continue;
                }
                JsonNode message = p.get("messageValue");
                if (message != null && message.isObject()) {
                    Map<String, Object> sub = parameters(message.path("parameter"));
                    sub.forEach((k, v) -> out.put(name + "." + k.toLowerCase(Locale.ROOT), v));
                    continue;
                }
                Object v = first(p, "value", "multiValue", "boolValue", "intValue", "multiIntValue");
                if (v != null) {
                    out.put(name, v);
                }
            }
        } else if (params.isObject()) {
            for (Map.Entry<String, JsonNode> p : params.properties()) {
                Object v = value(p.getValue());
                if (v != null) {
                    out.put(p.getKey(), v);
                }
            }
        }
        return out;
    }

    private static Object first(JsonNode p, String... kinds) {
        for (String kind : kinds) {
            JsonNode n = p.get(kind);
            if (n != null && !n.isNull()) {
                Object v = value(n);
                if (kind.equals("intValue") && v instanceof String s) {
                    v = parseLong(s); // int64 values come as strings
                } else if (kind.equals("multiIntValue") && v instanceof List<?> list) {
                    v = list.stream().map(x -> x instanceof String s ? parseLong(s) : x).toList();
                }
                if (v != null) {
                    return v;
                }
            }
        }
        return null;
    }

    private static Object parseLong(String s) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return s;
        }
    }

    /** A scalar, or a list of scalars; null for objects. */
    private static Object value(JsonNode n) {
        if (n.isArray()) {
            List<Object> items = new ArrayList<>();
            for (JsonNode item : n) {
                Object v = JsonRawView.scalar(item);
                if (v != null) {
                    items.add(v);
                }
            }
            return List.copyOf(items);
        }
        return JsonRawView.scalar(n);
    }

    private static String textOf(Object v) {
        if (v instanceof List<?> list) {
            return list.isEmpty() ? null : list.get(0).toString();
        }
        return v == null ? null : v.toString();
    }

    private static String part(String s) {
        return s == null ? "" : s;
    }

    /** ECS event.category: {@code iam} for user, role and group administration, else {@code configuration}. */
    static String category(String type) {
        return type != null && IAM_TYPES.contains(type) ? "iam" : "configuration";
    }

    /** ECS event.type from the verb of the event name. */
    static String type(String name) {
        if (name.startsWith("CREATE_") || name.startsWith("ADD_")) {
            return "creation";
        }
        if (name.startsWith("DELETE_") || name.startsWith("REMOVE_")) {
            return "deletion";
        }
        return "change";
    }
}
