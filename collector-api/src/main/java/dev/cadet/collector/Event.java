package dev.cadet.collector;

import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * A normalized event: ECS fields (flat, dotted names such as {@code event.action}) plus the raw
 * record, addressable by path. Immutable.
 *
 * <p>Field values are {@link String}, {@link Long}, {@link Double}, {@link Boolean} or a {@link List}
 * of those. A field that is absent is not in the map (never mapped to null).
 *
 * <p>The fields live in one dense array of name, value pairs with a small open-addressing index
 * rather than a HashMap: the detection engine reads a few fields of every event, and each read then
 * touches the index, one pair and the value, not a map, its table and a node (on a backlog of events
 * that are no longer in the CPU cache, those hops are most of the cost).
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
    /** {@code [name0, value0, name1, value1, ...]}, densely, in the order the fields were put. */
    private final Object[] pairs;
    /**
     * Hash slot to pair number + 1 (0: free), at most half the slots used: a lookup reads this small
     * array and one pair, and the whole event stays a few cache lines.
     */
    private final char[] slots;
    private final RawView raw;

    private Event(String id, Instant timestamp, Map<String, Object> fields, RawView raw) {
        this.id = id;
        this.timestamp = timestamp;
        this.raw = raw;
        int size = fields.size();
        if (size >= Character.MAX_VALUE) {
            throw new IllegalArgumentException("an event holds at most " + (Character.MAX_VALUE - 1) + " fields, this one " + size);
        }
        Object[] p = new Object[size * 2];
        char[] t = new char[Integer.highestOneBit(Math.max(4, size * 2 - 1)) << 1];
        int mask = t.length - 1;
        int n = 0;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            int i = slot(e.getKey().hashCode()) & mask;
            while (t[i] != 0) {
                i = (i + 1) & mask;
            }
            t[i] = (char) (n + 1);
            p[n * 2] = e.getKey();
            p[n * 2 + 1] = e.getValue();
            n++;
        }
        this.pairs = p;
        this.slots = t;
    }

    private static int slot(int hash) {
        return hash ^ (hash >>> 16);
    }

    /** The vendor's stable id of this event (CloudTrail eventID, Graph id, ...). */
    public String id() {
        return id;
    }

    /** When the event happened. */
    public Instant timestamp() {
        return timestamp;
    }

    /** The ECS fields, including {@code @timestamp} (ISO-8601 text) and {@code event.id}; unmodifiable. */
    public Map<String, Object> fields() {
        return new FieldMap();
    }

    public RawView raw() {
        return raw;
    }

    /** An ECS field if present, else the raw record's value at that dotted path; null if neither. */
    public Object get(String path) {
        Object v = field(path);
        return v != null ? v : raw.get(path);
    }

    /** {@link #get(String)} for a path split beforehand. */
    public Object get(FieldPath path) {
        Object v = field(path.name());
        return v != null ? v : raw.get(path);
    }

    /** An ECS field, or null; never the raw record. */
    public Object field(String name) {
        char[] t = slots;
        Object[] p = pairs;
        int mask = t.length - 1;
        int hash = name.hashCode();
        for (int i = slot(hash) & mask; ; i = (i + 1) & mask) {
            int at = t[i];
            if (at == 0) {
                return null;
            }
            Object k = p[at * 2 - 2];
            if (k == name || (k.hashCode() == hash && k.equals(name))) {
                return p[at * 2 - 1];
            }
        }
    }

    /** An ECS field as text, or null. */
    public String text(String field) {
        Object v = field(field);
        return v == null ? null : v.toString();
    }

    public static Builder builder(String id, Instant timestamp, RawView raw) {
        return new Builder(id, timestamp, raw);
    }

    @Override
    public String toString() {
        return "Event" + fields();
    }

    /** The fields as a read-only map over the pairs, in the order they were put. */
    private final class FieldMap extends AbstractMap<String, Object> {
        @Override
        public Object get(Object key) {
            return key instanceof String s ? field(s) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return pairs.length / 2;
        }

        @Override
        public Set<Map.Entry<String, Object>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return pairs.length / 2;
                }

                @Override
                public Iterator<Map.Entry<String, Object>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < pairs.length;
                        }

                        @Override
                        public Map.Entry<String, Object> next() {
                            if (next >= pairs.length) {
                                throw new NoSuchElementException();
                            }
                            Map.Entry<String, Object> e = Map.entry((String) pairs[next], pairs[next + 1]);
                            next += 2;
                            return e;
                        }
                    };
                }
            };
        }
    }

    /** Builds an event; null values are skipped so that absent stays absent. */
    public static final class Builder {
        private final String id;
        private final Instant timestamp;
        private final RawView raw;
        private final Map<String, Object> fields = new LinkedHashMap<>(32);

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
            return new Event(id, timestamp, fields, raw);
        }
    }
}
