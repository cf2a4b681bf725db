package dev.cadet.detect;

import dev.cadet.collector.Event;
import dev.cadet.detect.Detector.MatchedEvent;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * What a hit keeps of its event ({@link DetectionEngine#ALERT_FIELDS}): the ECS fields an alert shows
 * and tuning matches on, as text, in that order, absent ones left out. Read-only. One is built per
 * hit, so it is an array of values, not a hash map. It also keeps the JSON its event is stored as in
 * sequence state, written once: a state is written again with every change, its events unchanged.
 */
final class AlertFields extends AbstractMap<String, String> {
    private static final String[] NAMES = DetectionEngine.ALERT_FIELDS.toArray(new String[0]);

    private final String[] values;
    private final int size;
    /** The stored form of the event these fields belong to ({@link #storedEvent}), and that event. */
    private String stored;
    private MatchedEvent storedFor;

    private AlertFields(String[] values, int size) {
        this.values = values;
        this.size = size;
    }

    /** The alert fields of an event: its ECS fields (an alert shows those, never raw paths); a list joined with ", ". */
    static AlertFields of(Event event) {
        String[] values = new String[NAMES.length];
        int size = 0;
        for (int i = 0; i < NAMES.length; i++) {
            Object v = event.field(NAMES[i]);
            if (v instanceof List<?> list) {
                v = list.isEmpty() ? null : String.join(", ", list.stream().map(String::valueOf).toList());
            }
            if (v != null) {
                values[i] = v.toString();
                size++;
            }
        }
        return new AlertFields(values, size);
    }

    /** Fields read back from sequence state, or null when some name is not an alert field (then a plain map does). */
    static AlertFields ofStored(Map<String, String> fields) {
        String[] values = new String[NAMES.length];
        int found = 0;
        for (int i = 0; i < NAMES.length; i++) {
            values[i] = fields.get(NAMES[i]);
            found += values[i] == null ? 0 : 1;
        }
        return found == fields.size() ? new AlertFields(values, found) : null;
    }

    /**
     * The event as sequence state stores it, {@code {"i":id,"t":time,"f":{fields}}} ({@code f} left out
     * when empty), written the first time and then reused for the same event.
     */
    String storedEvent(MatchedEvent event) {
        if (storedFor != event) {
            stored = write(event.id(), event.timestamp());
            storedFor = event;
        }
        return stored;
    }

    private String write(String id, Instant timestamp) {
        StringBuilder out = new StringBuilder(64 + 48 * size).append("{\"i\":");
        JsonText.quote(out, id);
        out.append(",\"t\":");
        JsonText.quote(out, timestamp);
        if (size > 0) {
            out.append(",\"f\":{");
            boolean first = true;
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    JsonText.quote(out, NAMES[i]);
                    out.append(':');
                    JsonText.quote(out, values[i]);
                }
            }
            out.append('}');
        }
        return out.append('}').toString();
    }

    @Override
    public String get(Object key) {
        for (int i = 0; i < NAMES.length; i++) {
            if (NAMES[i].equals(key)) {
                return values[i];
            }
        }
        return null;
    }

    @Override
    public boolean containsKey(Object key) {
        return get(key) != null;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() {
                return size;
            }

            @Override
            public Iterator<Map.Entry<String, String>> iterator() {
                return new Iterator<>() {
                    private int next = skip(0);

                    private int skip(int from) {
                        int i = from;
                        while (i < values.length && values[i] == null) {
                            i++;
                        }
                        return i;
                    }

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Map.Entry<String, String> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        Map.Entry<String, String> e = Map.entry(NAMES[next], values[next]);
                        next = skip(next + 1);
                        return e;
                    }
                };
            }
        };
    }
}
