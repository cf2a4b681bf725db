package dev.cadet.provider.azure.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.RawView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RawView} over an Entra audit record. Paths are looked up in the directoryAudit object first
 * ({@code initiatedBy.user.userPrincipalName}, {@code targetResources.0.id}), then, for the diagnostic
 * shape, in its envelope ({@code tenantId}, {@code operationName}), so one rule reads both delivery
 * routes alike. A numeric step indexes an array. Scalars come back as String, Long, Double or Boolean;
 * arrays of scalars as a List; objects, mixed arrays and JSON null as null.
 */
final class AuditRawView implements RawView {
    private final JsonNode audit;
    private final JsonNode envelope;
    private final String json;

    /** @param envelope the diagnostic envelope, or null for a bare directoryAudit */
    AuditRawView(JsonNode audit, JsonNode envelope, String json) {
        this.audit = audit;
        this.envelope = envelope;
        this.json = json;
    }

    @Override
    public Object get(String dottedPath) {
        if (dottedPath == null || dottedPath.isEmpty()) {
            return null;
        }
        Object v = at(audit, dottedPath);
        return v != null || envelope == null ? v : at(envelope, dottedPath);
    }

    @Override
    public String json() {
        return json;
    }

    private static Object at(JsonNode root, String dottedPath) {
        JsonNode node = root;
        for (String step : dottedPath.split("\\.", -1)) {
            if (node == null) {
                return null;
            }
            if (node.isObject()) {
                node = node.get(step);
            } else if (node.isArray() && step.matches("\\d{1,9}")) {
                node = node.get(Integer.parseInt(step));
            } else {
                return null;
            }
        }
        if (node == null) {
            return null;
        }
        if (node.isArray()) {
            List<Object> items = new ArrayList<>(node.size());
            for (JsonNode item : node) {
                Object v = scalar(item);
                if (v == null) {
                    return null;
                }
                items.add(v);
            }
            return List.copyOf(items);
        }
        return scalar(node);
    }

    static Object scalar(JsonNode node) {
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            return node.canConvertToLong() ? (Object) node.longValue() : node.asText();
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return null;
    }
}
