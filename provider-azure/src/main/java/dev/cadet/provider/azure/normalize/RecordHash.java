package dev.cadet.provider.azure.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * The event id of an audit record without {@code id} (some exports): {@code sha256:} and the hex
 * SHA-256 of the record's canonical text (object keys sorted at every level, top-level {@code p_*}
 * keys of an export tool left out), so key order and export wrappers do not change it.
 */
final class RecordHash {

    private RecordHash() {
    }

    static String of(JsonNode record) {
        StringBuilder sb = new StringBuilder();
        canonical(record, true, sb);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from the JDK", e);
        }
    }

    private static void canonical(JsonNode node, boolean top, StringBuilder out) {
        if (node.isObject()) {
            List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
            fields.sort(Map.Entry.comparingByKey());
            out.append('{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> f : fields) {
                if (top && f.getKey().startsWith("p_")) {
                    continue;
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                out.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(f.getKey())).append(':');
                canonical(f.getValue(), false, out);
            }
            out.append('}');
        } else if (node.isArray()) {
            out.append('[');
            for (int i = 0; i < node.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                canonical(node.get(i), false, out);
            }
            out.append(']');
        } else {
            out.append(node.toString());
        }
    }
}
