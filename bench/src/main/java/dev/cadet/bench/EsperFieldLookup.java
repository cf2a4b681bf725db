package dev.cadet.bench;

import dev.cadet.collector.Event;
import dev.cadet.collector.FieldPath;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The EPL single-row function {@code eventGet('dotted.path')} of the Map runner: the value the
 * engine reads for a path that is not an ECS field (a raw path such as
 * {@code requestParameters.policyDocument}), by the same {@link Event#get} the engine calls, as text.
 * The Map runner sets {@link #current} to the event it is about to send; Esper evaluates filters on
 * the sending thread inside {@code sendEventMap} (internal timer off, no inbound threading), so the
 * event being filtered is always the current one.
 */
public final class EsperFieldLookup {
    static Event current;
    /** Paths split once, as the engine splits a rule's paths when it loads the rule. */
    private static final Map<String, FieldPath> PATHS = new ConcurrentHashMap<>();

    private EsperFieldLookup() {
    }

    /** The current event's value at the path (ECS field, else raw record), as text; null if absent. */
    public static String eventGet(String path) {
        Object v = current.get(PATHS.computeIfAbsent(path, FieldPath::of));
        return v == null ? null : v.toString();
    }
}
