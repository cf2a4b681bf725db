package dev.cadet.provider.o365.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Field access on O365 audit records by name, ignoring case: the API writes PascalCase
 * ({@code CreationTime}), exporters such as Panther write the same keys lower-cased.
 */
final class AuditFields {
    private AuditFields() {
    }

    /** The member named {@code name} (exact match first, then ignoring case), or null. */
    static JsonNode field(JsonNode object, String name) {
        if (object == null || !object.isObject()) {
            return null;
        }
        JsonNode exact = object.get(name);
        if (exact != null) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The member's text, or null when absent, JSON null, empty or not a scalar. */
    static String text(JsonNode object, String name) {
        JsonNode n = field(object, name);
        if (n == null || !n.isValueNode() || n.isNull()) {
            return null;
        }
        String s = n.asText();
        return s.isEmpty() ? null : s;
    }
}
