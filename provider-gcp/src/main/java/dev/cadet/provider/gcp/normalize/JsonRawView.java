package dev.cadet.provider.gcp.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.RawView;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link RawView} over a parsed Google record. Paths are dotted; a numeric step indexes an array
 * ({@code events.0.name}). Scalars come back as String, Long, Double or Boolean (integers too large
 * for a long as their text); arrays of scalars as a List; objects, mixed arrays and JSON null as null.
 */
final class JsonRawView implements RawView {
    private final JsonNode root;
    private final String json;

    JsonRawView(JsonNode root, String json) {
        this.root = root;
        this.json = json;
    }

    @Override
    public Object get(String dottedPath) {
        if (dottedPath == null || dottedPath.isEmpty()) {
            return null;
        }
        JsonNode node = root;
        for (String step : dottedPath.split("\\.", -1)) {
            if (node == null) {
                return null;
            }
            if (node.isObject()) {
                node = node.get(step);
            } else if (node.isArray() && isIndex(step)) {
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

    @Override
    public String json() {
        return json;
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

    private static boolean isIndex(String step) {
        if (step.isEmpty() || step.length() > 9) {
            return false;
        }
        for (int i = 0; i < step.length(); i++) {
            if (!Character.isDigit(step.charAt(i))) {
                return false;
            }
        }
        return true;
    }
}
