package dev.cadet.provider.gcp.normalize;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.RawRecord;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/** Reading Google records: parsing, paths, times, IP literals, messages that say where. */
final class Json {
    static final ObjectMapper MAPPER = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
    private static final ObjectMapper CANONICAL = new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** How exporters such as Panther write times: UTC, a space instead of T, an optional fraction. */
    private static final DateTimeFormatter EXPORT_TIME = new DateTimeFormatterBuilder()
            .appendPattern("yyyy-MM-dd HH:mm:ss")
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true).optionalEnd()
            .toFormatter();
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.]+)?");

    private Json() {
    }

    static JsonNode parse(RawRecord record) throws MalformedRecordException {
        try {
            JsonNode node = MAPPER.readTree(record.body());
            if (node == null || node.isMissingNode()) {
                throw new MalformedRecordException(record.origin() + ": empty, expected JSON");
            }
            if (!node.isObject()) {
                throw new MalformedRecordException(record.origin() + ": expected a JSON object, got "
                        + node.getNodeType().toString().toLowerCase(java.util.Locale.ROOT));
            }
            return node;
        } catch (JsonProcessingException e) {
            String at = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            throw new MalformedRecordException(record.origin() + ": not valid JSON (" + e.getOriginalMessage() + at + ")", e);
        }
    }

    static MalformedRecordException malformed(RawRecord record, String path, String problem) {
        String field = path.endsWith(".") ? path.substring(0, path.length() - 1) : path;
        return new MalformedRecordException(record.origin() + ": " + (field.isEmpty() ? "" : field + ": ") + problem);
    }

    /** The text at the path, or null when absent, JSON null, empty, or not a scalar. */
    static String text(JsonNode node, String... path) {
        JsonNode n = node;
        for (String step : path) {
            n = n.path(step);
        }
        if (!n.isValueNode() || n.isNull()) {
            return null;
        }
        String s = n.asText();
        return s.isEmpty() ? null : s;
    }

    static String first(String... candidates) {
        for (String c : candidates) {
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** RFC 3339 as the APIs write it, or {@code yyyy-MM-dd HH:mm:ss[.f]} in UTC as exporters write it. */
    static Instant time(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeParseException notIso) {
            try {
                return LocalDateTime.parse(text, EXPORT_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notExport) {
                return null;
            }
        }
    }

    static boolean isIp(String s) {
        return s != null && (IPV4.matcher(s).matches() || IPV6.matcher(s).matches());
    }

    static String shorten(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }

    /**
     * {@code sha256:} and the hex SHA-256 of the record's canonical JSON (keys sorted, the {@code p_*}
     * keys an exporter adds left out): the id of a record the vendor gave none (export fragments).
     */
    static String fallbackId(JsonNode record) {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(sorted(record, true));
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot hash a parsed JSON tree", e);
        }
    }

    private static Object sorted(JsonNode node, boolean top) {
        if (node.isObject()) {
            Map<String, Object> out = new TreeMap<>();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                if (!(top && e.getKey().startsWith("p_"))) {
                    out.put(e.getKey(), sorted(e.getValue(), false));
                }
            }
            return out;
        }
        if (node.isArray()) {
            List<Object> out = new ArrayList<>(node.size());
            node.forEach(item -> out.add(sorted(item, false)));
            return out;
        }
        return node;
    }
}
