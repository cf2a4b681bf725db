package dev.cadet.detect;

import dev.cadet.collector.Event;
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
 * hit, so it is an array of values, not a hash map; its JSON form is kept once written.
 */
final class AlertFields extends AbstractMap<String, String> {
    private static final String[] NAMES = DetectionEngine.ALERT_FIELDS.toArray(new String[0]);

    private final String[] values;
    private final int size;
    /** The fields as a JSON object, written the first time sequence state needs it (a state is written again with every change). */
    private String json;

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

    /** The fields as a JSON object: {@code {"name":"value",...}} in field order. */
    String json() {
        String j = json;
        if (j == null) {
            StringBuilder out = new StringBuilder(64 * size + 2).append('{');
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null) {
                    if (out.length() > 1) {
                        out.append(',');
                    }
                    JsonText.quote(out, NAMES[i]);
                    out.append(':');
                    JsonText.quote(out, values[i]);
                }
            }
            j = out.append('}').toString();
            json = j;
        }
        return j;
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
