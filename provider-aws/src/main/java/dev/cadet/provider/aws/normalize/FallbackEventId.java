package dev.cadet.provider.aws.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The event id of a record without {@code eventID} (eventVersion 1.0 records and some exports):
 * {@code sha256:} followed by the hex SHA-256 of the record's canonical JSON, that is compact JSON with
 * the keys of every object sorted, and without the {@code p_*} keys an export tool (Panther) adds. The
 * same record therefore gets the same id whatever its key order or export wrapper.
 */
final class FallbackEventId {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private FallbackEventId() {
    }

    static String of(JsonNode record) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(sorted(record, true));
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical);
            return "sha256:" + HexFormat.of().formatHex(digest);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash a parsed JSON tree", e);
        }
    }

    private static Object sorted(JsonNode node, boolean top) {
        if (node.isObject()) {
            Map<String, Object> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (top && e.getKey().startsWith("p_")) {
                    continue;
                }
                out.put(e.getKey(), sorted(e.getValue(), false));
            }
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>(node.size());
            node.forEach(item -> out.add(sorted(item, false)));
            return out;
        }
        return node; // scalars serialize as themselves
    }
}
