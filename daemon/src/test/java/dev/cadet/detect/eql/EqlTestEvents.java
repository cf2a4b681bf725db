package dev.cadet.detect.eql;

import dev.cadet.collector.Event;
import dev.cadet.collector.RawView;
import java.time.Instant;
import java.util.Map;

/** Events for tests: ECS fields from key/value pairs, and a raw record as a flat path map. */
public final class EqlTestEvents {
    private EqlTestEvents() {
    }

    public static Event event(Object... kv) {
        return eventWithRaw(Map.of(), kv);
    }

    public static Event eventWithRaw(Map<String, Object> raw, Object... kv) {
        RawView view = new RawView() {
            @Override
            public Object get(String dottedPath) {
                return raw.get(dottedPath);
            }

            @Override
            public String json() {
                return "{}";
            }
        };
        Event.Builder b = Event.builder("id-" + System.identityHashCode(kv), Instant.parse("2024-05-01T10:00:00Z"), view);
        for (int i = 0; i < kv.length; i += 2) {
            b.put((String) kv[i], kv[i + 1]);
        }
        return b.build();
    }
}
