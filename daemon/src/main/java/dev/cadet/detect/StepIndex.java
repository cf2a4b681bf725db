package dev.cadet.detect;

import dev.cadet.collector.Event;
import dev.cadet.collector.FieldPath;
import dev.cadet.detect.eql.Query.FieldValue;
import dev.cadet.detect.eql.Query.IndexKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Finds the rule steps an event could satisfy from the {@link IndexKey}s of each step: by
 * {@code event.dataset}, then by another field's value within that dataset (typically
 * {@code event.action}), or by another field alone; steps without keys are candidates for every
 * event. Case-sensitive keys are looked up with the event's value as is, case-insensitive ones
 * in an {@link IgnoreCaseTable} (only for fields that have such keys). A value that is not a string (a number compares
 * with a numeric string literal) makes every step keyed on that field a candidate.
 *
 * <p>Built once, then read-only: {@link #candidates} may run concurrently.
 */
final class StepIndex<T> {
    private static final FieldPath DATASET = FieldPath.of(Event.DATASET);

    /** The steps keyed on one field's values. */
    private static final class FieldIndex<T> {
        final Map<String, List<T>> exact = new HashMap<>();
        final IgnoreCaseTable<List<T>> folded = new IgnoreCaseTable<>();
        final List<T> allSteps = new ArrayList<>();

        void add(FieldValue v, T step) {
            List<T> steps = v.ignoreCase() ? folded.computeIfAbsent(v.text(), ArrayList::new)
                    : exact.computeIfAbsent(v.text(), k -> new ArrayList<>());
            if (!steps.contains(step)) {
                steps.add(step);
            }
            if (!allSteps.contains(step)) {
                allSteps.add(step);
            }
        }
    }

    /** The steps of one dataset: those keyed on it alone, and those keyed on it and another field. */
    private static final class DatasetBucket<T> {
        final List<T> datasetOnly = new ArrayList<>();
        final Fields<T> fields = new Fields<>();
    }

    private final FieldIndex<T> datasets = new FieldIndex<>();
    private final Map<String, DatasetBucket<T>> exactBuckets = new HashMap<>();
    private final IgnoreCaseTable<DatasetBucket<T>> foldedBuckets = new IgnoreCaseTable<>();
    private final Fields<T> globalFields = new Fields<>();
    private final List<T> unindexed = new ArrayList<>();
    private final Comparator<T> byOrder;

    /** @param order the position of a step: candidates come out in this order */
    StepIndex(ToIntFunction<T> order) {
        this.byOrder = Comparator.comparingInt(order);
    }

    /** Adds a step under its keys; null keys: tested against every event. */
    void add(T step, List<IndexKey> keys) {
        if (keys == null || keys.isEmpty()) {
            unindexed.add(step);
            return;
        }
        for (IndexKey k : keys) {
            if (k.dataset() == null) {
                globalFields.get(k.other().field()).add(k.other(), step);
                continue;
            }
            datasets.add(k.dataset(), step);
            FieldValue d = k.dataset();
            DatasetBucket<T> bucket = d.ignoreCase() ? foldedBuckets.computeIfAbsent(d.text(), DatasetBucket::new)
                    : exactBuckets.computeIfAbsent(d.text(), x -> new DatasetBucket<>());
            if (k.other() == null) {
                if (!bucket.datasetOnly.contains(step)) {
                    bucket.datasetOnly.add(step);
                }
            } else {
                bucket.fields.get(k.other().field()).add(k.other(), step);
            }
        }
    }

    int unindexedCount() {
        return unindexed.size();
    }

    /**
     * The steps the event could satisfy, each once, in step order. Read-only: often one of the
     * index's own lists, which the caller must not change.
     */
    List<T> candidates(Event event) {
        Found found = scratch.get();
        found.clear();
        Object dataset = event.get(DATASET);
        if (dataset instanceof List<?> list) {
            for (Object v : list) {
                addDataset(found, event, v);
            }
        } else {
            addDataset(found, event, dataset);
        }
        addFields(found, event, globalFields);
        found.add(unindexed);
        return found.steps();
    }

    /** One {@link Found} per thread, reused: {@link #candidates} runs for every event and must not allocate. */
    private final ThreadLocal<Found> scratch = ThreadLocal.withInitial(Found::new);

    /**
     * The steps found for one event. Each list added is in step order without repeats, so while only
     * one list contributed it is the answer as it is; only when several did must their steps be
     * gathered, sorted and deduplicated (a step reached through several keys).
     */
    private final class Found {
        /** The one non-empty list added so far, or null (none, or several: then they are in items). */
        private List<T> only;
        private Object[] items = new Object[16];
        private int size;

        void clear() {
            only = null;
            size = 0;
        }

        void add(List<T> steps) {
            if (steps.isEmpty()) {
                return;
            }
            if (only == null && size == 0) {
                only = steps;
                return;
            }
            if (only != null) {
                append(only);
                only = null;
            }
            append(steps);
        }

        private void append(List<T> steps) {
            int n = steps.size();
            if (size + n > items.length) {
                items = java.util.Arrays.copyOf(items, Math.max(items.length * 2, size + n));
            }
            for (int i = 0; i < n; i++) { // indexed: no iterator
                items[size++] = steps.get(i);
            }
        }

        @SuppressWarnings("unchecked")
        List<T> steps() {
            if (only != null) {
                return only;
            }
            if (size == 0) {
                return List.of();
            }
            List<T> out = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                out.add((T) items[i]);
            }
            // candidates in rule order keep hits in a stable order
            out.sort(byOrder);
            int w = 1;
            for (int i = 1; i < out.size(); i++) {
                if (out.get(i) != out.get(w - 1)) {
                    out.set(w++, out.get(i));
                }
            }
            out.subList(w, out.size()).clear();
            return out;
        }
    }

    private void addDataset(Found found, Event event, Object value) {
        if (value == null) {
            return;
        }
        if (!(value instanceof String s)) {
            found.add(datasets.allSteps);
            return;
        }
        addBucket(found, event, exactBuckets.get(s));
        if (!foldedBuckets.isEmpty()) {
            addBucket(found, event, foldedBuckets.get(s));
        }
    }

    private void addBucket(Found found, Event event, DatasetBucket<T> bucket) {
        if (bucket == null) {
            return;
        }
        found.add(bucket.datasetOnly);
        addFields(found, event, bucket.fields);
    }

    private void addFields(Found found, Event event, Fields<T> fields) {
        for (int i = 0; i < fields.paths.length; i++) {
            addField(found, fields.indexes[i], event.get(fields.paths[i]));
        }
    }

    private void addField(Found found, FieldIndex<T> index, Object value) {
        if (value instanceof List<?> list) {
            for (Object v : list) {
                addField(found, index, v);
            }
            return;
        }
        if (value == null) {
            return;
        }
        if (!(value instanceof String s)) {
            found.add(index.allSteps);
            return;
        }
        List<T> steps = index.exact.get(s);
        if (steps != null) {
            found.add(steps);
        }
        if (!index.folded.isEmpty()) {
            steps = index.folded.get(s);
            if (steps != null) {
                found.add(steps);
            }
        }
    }

    /** Field indexes by field name, as arrays: walked for every event. */
    private static final class Fields<T> {
        private final Map<String, FieldIndex<T>> byName = new LinkedHashMap<>();
        FieldPath[] paths = new FieldPath[0];
        FieldIndex<T>[] indexes = newArray(0);

        FieldIndex<T> get(String field) {
            FieldIndex<T> index = byName.get(field);
            if (index == null) {
                index = new FieldIndex<>();
                byName.put(field, index);
                paths = byName.keySet().stream().map(FieldPath::of).toArray(FieldPath[]::new);
                indexes = byName.values().toArray(newArray(0));
            }
            return index;
        }

        @SuppressWarnings("unchecked")
        private static <T> FieldIndex<T>[] newArray(int n) {
            return (FieldIndex<T>[]) new FieldIndex<?>[n];
        }
    }

    /**
     * A hash table keyed by strings compared with {@link String#equalsIgnoreCase}, looked up without
     * allocating (no lower-cased copy of the event's value): the hash folds each code point as
     * {@code equalsIgnoreCase} compares, so strings equal ignoring case hash alike.
     *
     * <p>Almost every lookup misses (an event's action is rarely one a rule names), and the full hash
     * reads every character. So a bit per {@link #fingerprint} (length, first and last character)
     * of the keys answers most misses first, from three reads.
     */
    static final class IgnoreCaseTable<V> {
        private String[] keys = new String[16];
        private Object[] values = new Object[16];
        private int size;
        private final long[] fingerprints = new long[64];

        boolean isEmpty() {
            return size == 0;
        }

        @SuppressWarnings("unchecked")
        V get(String key) {
            int f = fingerprint(key);
            if ((fingerprints[f >>> 6] & (1L << f)) == 0) {
                return null;
            }
            int mask = keys.length - 1;
            for (int i = hash(key) & mask; keys[i] != null; i = (i + 1) & mask) {
                if (keys[i].equalsIgnoreCase(key)) {
                    return (V) values[i];
                }
            }
            return null;
        }

        V computeIfAbsent(String key, java.util.function.Supplier<V> create) {
            V v = get(key);
            if (v == null) {
                v = create.get();
                put(key, v);
            }
            return v;
        }

        private void put(String key, V value) {
            int f = fingerprint(key);
            fingerprints[f >>> 6] |= 1L << f;
            if ((size + 1) * 2 > keys.length) {
                String[] oldKeys = keys;
                Object[] oldValues = values;
                keys = new String[oldKeys.length * 2];
                values = new Object[oldKeys.length * 2];
                for (int i = 0; i < oldKeys.length; i++) {
                    if (oldKeys[i] != null) {
                        insert(oldKeys[i], oldValues[i]);
                    }
                }
            }
            insert(key, value);
            size++;
        }

        private void insert(String key, Object value) {
            int mask = keys.length - 1;
            int i = hash(key) & mask;
            while (keys[i] != null) {
                i = (i + 1) & mask;
            }
            keys[i] = key;
            values[i] = value;
        }

        /**
         * 12 bits that strings equal ignoring case share: their length (equal in chars) and their
         * first and last characters folded as {@code equalsIgnoreCase} folds them. A surrogate counts
         * as 0: a pair is folded as a whole, which one half does not tell.
         */
        static int fingerprint(String s) {
            int n = s.length();
            if (n == 0) {
                return 0;
            }
            return (n * 961 + fold(s.charAt(0)) * 31 + fold(s.charAt(n - 1))) & 4095;
        }

        private static int fold(char c) {
            if (c < 0x80) {
                return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
            }
            return Character.isSurrogate(c) ? 0 : Character.toLowerCase(Character.toUpperCase(c));
        }

        static int hash(String s) {
            int h = 0;
            for (int i = 0; i < s.length(); ) {
                char c = s.charAt(i);
                if (c < 0x80) { // ASCII, almost every value: its folded form is its lower case
                    h = 31 * h + (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
                    i++;
                    continue;
                }
                int cp = s.codePointAt(i);
                h = 31 * h + Character.toLowerCase(Character.toUpperCase(cp));
                i += Character.charCount(cp);
            }
            return h ^ (h >>> 16);
        }
    }
}
