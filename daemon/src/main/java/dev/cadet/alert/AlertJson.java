package dev.cadet.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The alert's JSON line (DESIGN §6): flat ECS-style keys. Used by the outbox, {@code replay}, and
 * the stdout and file outputs. Absent values are left out.
 */
public final class AlertJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private AlertJson() {
    }

    public static String toJson(Alert a) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("alert.id", a.id());
        n.put("@timestamp", a.timestamp().toString());
        n.put("rule.id", a.ruleId());
        n.put("rule.name", a.ruleName());
        n.put("severity", a.severity().label());
        n.put("risk_score", a.riskScore());
        ArrayNode t = n.putArray("threat.technique.id");
        a.techniques().forEach(t::add);
        putIfPresent(n, "event.dataset", a.dataset());
        putIfPresent(n, "cloud.account.id", a.accountId());
        putIfPresent(n, "user.name", a.userName());
        putIfPresent(n, "user.target.name", a.targetName());
        putIfPresent(n, "source.ip", a.sourceIp());
        ArrayNode ids = n.putArray("event_ids");
        a.eventIds().forEach(ids::add);
        if (a.test()) {
            n.put("test", true);
        }
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("alert not serializable", e);
        }
    }

    public static Alert fromJson(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            return new Alert(
                    n.path("alert.id").asText(),
                    Instant.parse(n.path("@timestamp").asText()),
                    n.path("rule.id").asText(),
                    n.path("rule.name").asText(),
                    Severity.parse(n.path("severity").asText()),
                    n.path("risk_score").asInt(),
                    strings(n.path("threat.technique.id")),
                    text(n, "event.dataset"),
                    text(n, "cloud.account.id"),
                    text(n, "user.name"),
                    text(n, "user.target.name"),
                    text(n, "source.ip"),
                    strings(n.path("event_ids")),
                    n.path("test").asBoolean(false));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not an alert JSON line: " + e.getOriginalMessage(), e);
        }
    }

    private static void putIfPresent(ObjectNode n, String key, String value) {
        if (value != null) {
            n.put(key, value);
        }
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static List<String> strings(JsonNode arr) {
        List<String> out = new ArrayList<>();
        arr.forEach(e -> out.add(e.asText()));
        return out;
    }
}
