package dev.cadet.examples.okta;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.RawView;
import java.util.ArrayList;
import java.util.List;

/**
 * The raw Okta event for rules that name vendor fields ({@code debugContext.debugData.requestUri},
 * {@code target.0.alternateId}): dotted paths, numeric steps index arrays; scalars as String, Long,
 * Double or Boolean, arrays of scalars as a List, anything else as null.
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

    @Override
    public String json() {
        return json;
    }

    private static Object scalar(JsonNode node) {
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
