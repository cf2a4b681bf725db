package dev.cadet.rawjson;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.FieldPath;
import dev.cadet.collector.RawView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@link RawView} over a parsed vendor record. Paths are dotted; a numeric step indexes an array
 * ({@code resources.0.ARN}). Scalars come back as String, Long, Double or Boolean (integers too large
 * for a long as their text); arrays of scalars as a List; objects, mixed arrays and JSON null as null.
 */
public final class JsonRawView implements RawView {
    private final JsonNode root;
    private final String json;
    private final boolean keysIgnoreCase;

    /** Keys match exactly. */
    public JsonRawView(JsonNode root, String json) {
        this(root, json, false);
    }

    /**
     * @param keysIgnoreCase when a key has no exact match, match it ignoring case (for vendors whose
     *                       exporters change key casing, e.g. O365 records lower-cased by Panther)
     */
    public JsonRawView(JsonNode root, String json, boolean keysIgnoreCase) {
        this.root = root;
        this.json = json;
        this.keysIgnoreCase = keysIgnoreCase;
    }

    @Override
    public Object get(String dottedPath) {
        if (dottedPath == null || dottedPath.isEmpty()) {
            return null;
        }
        return get(FieldPath.of(dottedPath));
    }

    @Override
    public Object get(FieldPath path) {
        if (path.name().isEmpty()) {
            return null;
        }
        JsonNode node = root;
        for (int i = 0; i < path.size(); i++) {
            if (node == null) {
                return null;
            }
            String step = path.step(i);
            if (node.isObject()) {
                node = field(node, step);
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
                    return null; // not an array of scalars
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

    private JsonNode field(JsonNode object, String name) {
        JsonNode exact = object.get(name);
        if (exact != null || !keysIgnoreCase) {
            return exact;
        }
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** A JSON scalar as String, Long (or its text when too large), Double or Boolean; null otherwise. */
    public static Object scalar(JsonNode node) {
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
