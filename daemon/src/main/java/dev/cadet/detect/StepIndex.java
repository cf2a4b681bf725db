package dev.cadet.detect;

import dev.cadet.collector.Event;
import dev.cadet.detect.eql.Query.FieldValue;
import dev.cadet.detect.eql.Query.IndexKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToIntFunction;

/**
 * Finds the rule steps an event could satisfy from the {@link IndexKey}s of each step: by
 * {@code event.dataset}, then by another field's value within that dataset (typically
 * {@code event.action}), or by another field alone; steps without keys are candidates for every
 * event. Case-sensitive keys are looked up with the event's value as is; only fields that have
 * case-insensitive keys fold the event's value. A value that is not a string (a number compares
 * with a numeric string literal) makes every step keyed on that field a candidate.
 *
 * <p>Built once, then read-only: {@link #candidates} may run concurrently.
 */
final class StepIndex<T> {

    /** The steps keyed on one field's values. */
    private static final class FieldIndex<T> {
        final Map<String, List<T>> exact = new HashMap<>();
        final Map<String, List<T>> folded = new HashMap<>();
        final Set<T> all = new LinkedHashSet<>();

        void add(FieldValue v, T step) {
            Map<String, List<T>> map = v.ignoreCase() ? folded : exact;
            String key = v.ignoreCase() ? FieldValue.fold(v.text()) : v.text();
            List<T> steps = map.computeIfAbsent(key, k -> new ArrayList<>());
            if (!steps.contains(step)) {
                steps.add(step);
            }
            all.add(step);
        }
    }

    /** The steps of one dataset: those keyed on it alone, and those keyed on it and another field. */
    private static final class DatasetBucket<T> {
        final List<T> datasetOnly = new ArrayList<>();
        final Map<String, FieldIndex<T>> byField = new LinkedHashMap<>();
    }

    private final FieldIndex<T> datasets = new FieldIndex<>();
    private final Map<String, DatasetBucket<T>> exactBuckets = new HashMap<>();
    private final Map<String, DatasetBucket<T>> foldedBuckets = new HashMap<>();
    private final Map<String, FieldIndex<T>> byField = new LinkedHashMap<>();
    private final List<T> unindexed = new ArrayList<>();
    private final ToIntFunction<T> order;

    /** @param order the position of a step: candidates come out in this order */
    StepIndex(ToIntFunction<T> order) {
        this.order = order;
    }

    /** Adds a step under its keys; null keys: tested against every event. */
    void add(T step, List<IndexKey> keys) {
        if (keys == null || keys.isEmpty()) {
            unindexed.add(step);
            return;
        }
        for (IndexKey k : keys) {
            if (k.dataset() == null) {
                byField.computeIfAbsent(k.other().field(), f -> new FieldIndex<>()).add(k.other(), step);
                continue;
            }
            datasets.add(k.dataset(), step);
            FieldValue d = k.dataset();
            DatasetBucket<T> bucket = (d.ignoreCase() ? foldedBuckets : exactBuckets)
                    .computeIfAbsent(d.ignoreCase() ? FieldValue.fold(d.text()) : d.text(), x -> new DatasetBucket<>());
            if (k.other() == null) {
                if (!bucket.datasetOnly.contains(step)) {
                    bucket.datasetOnly.add(step);
                }
            } else {
                bucket.byField.computeIfAbsent(k.other().field(), f -> new FieldIndex<>()).add(k.other(), step);
            }
        }
    }

    int unindexedCount() {
        return unindexed.size();
    }

    /** The steps the event could satisfy, each once, in step order. */
    List<T> candidates(Event event) {
        List<T> out = new ArrayList<>();
        Object dataset = event.get(Event.DATASET);
        if (dataset instanceof List<?> list) {
            for (Object v : list) {
                addDataset(out, event, v);
            }
        } else {
            addDataset(out, event, dataset);
        }
        for (Map.Entry<String, FieldIndex<T>> f : byField.entrySet()) {
            addField(out, f.getValue(), event.get(f.getKey()));
        }
        out.addAll(unindexed);
        if (out.size() > 1) {
            // a step can be reached through several keys; candidates in rule order keep hits in a stable order
            out.sort(Comparator.comparingInt(order));
            int w = 1;
            for (int i = 1; i < out.size(); i++) {
                if (out.get(i) != out.get(w - 1)) {
                    out.set(w++, out.get(i));
                }
            }
            out.subList(w, out.size()).clear();
        }
        return out;
    }

    private void addDataset(List<T> out, Event event, Object value) {
        if (value == null) {
            return;
        }
        if (!(value instanceof String s)) {
            out.addAll(datasets.all);
            return;
        }
        addBucket(out, event, exactBuckets.get(s));
        if (!foldedBuckets.isEmpty()) {
            addBucket(out, event, foldedBuckets.get(FieldValue.fold(s)));
        }
    }

    private void addBucket(List<T> out, Event event, DatasetBucket<T> bucket) {
        if (bucket == null) {
            return;
        }
        out.addAll(bucket.datasetOnly);
        for (Map.Entry<String, FieldIndex<T>> f : bucket.byField.entrySet()) {
            addField(out, f.getValue(), event.get(f.getKey()));
        }
    }

    private static <T> void addField(Collection<T> out, FieldIndex<T> index, Object value) {
        if (value instanceof List<?> list) {
            for (Object v : list) {
                addField(out, index, v);
            }
            return;
        }
        if (value == null) {
            return;
        }
        if (!(value instanceof String s)) {
            out.addAll(index.all);
            return;
        }
        List<T> steps = index.exact.get(s);
        if (steps != null) {
            out.addAll(steps);
        }
        if (!index.folded.isEmpty()) {
            steps = index.folded.get(FieldValue.fold(s));
            if (steps != null) {
                out.addAll(steps);
            }
        }
    }
}
