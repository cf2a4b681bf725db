package dev.cadet.collector;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A normalized event: ECS fields (flat, dotted names such as {@code event.action}) plus the raw
 * record, addressable by path. Immutable.
 *
 * <p>Field values are {@link String}, {@link Long}, {@link Double}, {@link Boolean} or a {@link List}
 * of those. A field that is absent is not in the map (never mapped to null).
 */
public final class Event {

    // The ECS names the host relies on.
    public static final String TIMESTAMP = "@timestamp";
    public static final String ID = "event.id";
    public static final String DATASET = "event.dataset";
    public static final String PROVIDER = "event.provider";
    public static final String ACTION = "event.action";
    public static final String OUTCOME = "event.outcome";
    public static final String ERROR_CODE = "error.code";
    public static final String CLOUD_PROVIDER = "cloud.provider";
    public static final String ACCOUNT_ID = "cloud.account.id";
    public static final String REGION = "cloud.region";
    public static final String USER_NAME = "user.name";
    public static final String USER_ID = "user.id";
    public static final String TARGET_NAME = "user.target.name";
    public static final String TARGET_ID = "user.target.id";
    public static final String SOURCE_IP = "source.ip";
    public static final String USER_AGENT = "user_agent.original";

    private final String id;
    private final Instant timestamp;
    private final Map<String, Object> fields;
    private final RawView raw;

    private Event(String id, Instant timestamp, Map<String, Object> fields, RawView raw) {
        this.id = id;
        this.timestamp = timestamp;
        this.fields = fields;
        this.raw = raw;
    }

    /** The vendor's stable id of this event (CloudTrail eventID, Graph id, ...). */
    public String id() {
        return id;
    }

    /** When the event happened. */
    public Instant timestamp() {
        return timestamp;
    }

    /** The ECS fields, including {@code @timestamp} (ISO-8601 text) and {@code event.id}. */
    public Map<String, Object> fields() {
        return fields;
    }

    public RawView raw() {
        return raw;
    }

    /** An ECS field if present, else the raw record's value at that dotted path; null if neither. */
    public Object get(String path) {
        Object v = fields.get(path);
        return v != null ? v : raw.get(path);
    }

    /** An ECS field as text, or null. */
    public String text(String field) {
        Object v = fields.get(field);
        return v == null ? null : v.toString();
    }

    public static Builder builder(String id, Instant timestamp, RawView raw) {
        return new Builder(id, timestamp, raw);
    }

    @Override
    public String toString() {
        return "Event" + fields;
    }

    /** Builds an event; null values are skipped so that absent stays absent. */
    public static final class Builder {
        private final String id;
        private final Instant timestamp;
        private final RawView raw;
        private final Map<String, Object> fields = new HashMap<>(32);

        private Builder(String id, Instant timestamp, RawView raw) {
            this.id = Objects.requireNonNull(id, "id");
            this.timestamp = Objects.requireNonNull(timestamp, "timestamp");
            this.raw = Objects.requireNonNull(raw, "raw");
            fields.put(ID, id);
            fields.put(TIMESTAMP, timestamp.toString());
        }

        public Builder put(String field, Object value) {
            if (value == null) {
                return this;
            }
            if (value instanceof Integer i) {
                value = i.longValue();
            } else if (value instanceof Float f) {
                value = f.doubleValue();
            } else if (!(value instanceof String || value instanceof Long || value instanceof Double
                    || value instanceof Boolean || value instanceof List)) {
                throw new IllegalArgumentException(field + ": unsupported value type " + value.getClass().getName());
            }
            fields.put(field, value);
            return this;
        }

        public Event build() {
            return new Event(id, timestamp, Collections.unmodifiableMap(fields), raw);
        }
    }
}
