package dev.cadet.detect.eql;

import dev.cadet.collector.Event;
import dev.cadet.collector.FieldPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A parsed EQL query: an event query is a one-step query without join keys; a {@code sequence} has
 * steps, optional sequence-level join keys, maxspan and {@code until}.
 *
 * @param sequence   true for {@code sequence} (even of one step)
 * @param sequenceBy the {@code sequence by} keys, shared by every step
 * @param maxspan    the longest time from first to last event, or null for no limit
 * @param until      the {@code until} step, or null
 */
public record Query(boolean sequence, List<JoinKey> sequenceBy, Duration maxspan, List<Step> steps, Step until) {

    public Query {
        sequenceBy = List.copyOf(sequenceBy);
        steps = List.copyOf(steps);
    }

    /** A join key field; an optional one ({@code ?field}) may be absent, a plain one may not. */
    public record JoinKey(String field, boolean optional, FieldPath path) {
        public JoinKey(String field, boolean optional) {
            this(field, optional, FieldPath.of(field));
        }
    }

    /**
     * One bracketed query: {@code category where condition} plus its own {@code by} keys.
     *
     * @param category the event category to match against {@code event.category}, or null for {@code any}
     */
    public record Step(String category, Expr condition, List<JoinKey> by, int line, int column) {

        public Step {
            by = List.copyOf(by);
        }

        public boolean matches(Event event) {
            if (category != null && !Values.any(event.get("event.category"), category::equals)) {
                return false;
            }
            return condition.test(event);
        }

        /**
         * The values the field must have for this step to match, lower-cased, or null when the
         * condition does not pin the field to a set of literals. For indexing rules: a superset.
         */
        public Set<String> requiredValues(String field) {
            return required(condition, field);
        }

        private static Set<String> required(Expr e, String field) {
            if (e instanceof Nodes.And and) {
                Set<String> l = required(and.left(), field);
                Set<String> r = required(and.right(), field);
                if (l == null) {
                    return r;
                }
                if (r == null) {
                    return l;
                }
                Set<String> both = new HashSet<>(l);
                both.retainAll(r);
                return both;
            }
            if (e instanceof Nodes.Or or) {
                Set<String> l = required(or.left(), field);
                Set<String> r = required(or.right(), field);
                if (l == null || r == null) {
                    return null;
                }
                Set<String> either = new HashSet<>(l);
                either.addAll(r);
                return either;
            }
            if (e instanceof Nodes.Compare c && c.op() == Nodes.Op.EQ) {
                if (isField(c.left(), field) && c.right() instanceof Nodes.Literal lit && lit.value() instanceof String s) {
                    return Set.of(s.toLowerCase(Locale.ROOT));
                }
                if (isField(c.right(), field) && c.left() instanceof Nodes.Literal lit && lit.value() instanceof String s) {
                    return Set.of(s.toLowerCase(Locale.ROOT));
                }
            }
            if (e instanceof Nodes.In in && !in.negated() && isField(in.value(), field)) {
                Set<String> values = new HashSet<>();
                for (Expr item : in.items()) {
                    if (!(item instanceof Nodes.Literal lit && lit.value() instanceof String s)) {
                        return null;
                    }
                    values.add(s.toLowerCase(Locale.ROOT));
                }
                return values;
            }
            if (e instanceof Nodes.Match m && isField(m.value(), field) && m.literals() != null) {
                Set<String> values = new HashSet<>();
                m.literals().forEach(s -> values.add(s.toLowerCase(Locale.ROOT)));
                return values;
            }
            return null;
        }

        /**
         * Keys for indexing this step, or null when none can be derived: every event this step
         * matches satisfies at least one key (a superset; the condition is still tested). Derived
         * from {@code ==}, {@code in}, {@code in~} and wildcard-free {@code :} on fields against
         * string literals, through {@code and} (the more selective side, or dataset x other field
         * when one side pins only the dataset) and {@code or} (both sides' keys).
         */
        public List<IndexKey> indexKeys() {
            return keys(condition);
        }

        private static final int MAX_KEYS = 256;

        private static List<IndexKey> keys(Expr e) {
            if (e instanceof Nodes.And) {
                // all conjuncts at once: the dataset from one, the most telling other field from another
                List<Expr> conjuncts = new ArrayList<>();
                flattenAnd(e, conjuncts);
                List<IndexKey> datasets = null;
                List<IndexKey> best = null;
                for (Expr c : conjuncts) {
                    List<IndexKey> k = keys(c);
                    if (k == null) {
                        continue;
                    }
                    if (datasetOnly(k)) {
                        datasets = datasets == null || k.size() < datasets.size() ? k : datasets;
                    } else if (best == null || rank(k) > rank(best)) {
                        best = k;
                    }
                }
                if (best == null) {
                    return datasets;
                }
                if (datasets != null && noDataset(best) && datasets.size() * best.size() <= MAX_KEYS) {
                    return cross(datasets, best);
                }
                return datasets != null && rank(datasets) > rank(best) ? datasets : best;
            }
            if (e instanceof Nodes.Or or) {
                List<IndexKey> l = keys(or.left());
                List<IndexKey> r = keys(or.right());
                if (l == null || r == null || l.size() + r.size() > MAX_KEYS) {
                    return null;
                }
                List<IndexKey> either = new ArrayList<>(l);
                either.addAll(r);
                return either;
            }
            if (e instanceof Nodes.Compare c && c.op() == Nodes.Op.EQ) {
                if (c.left() instanceof Nodes.Field f && c.right() instanceof Nodes.Literal lit && lit.value() instanceof String s) {
                    return List.of(IndexKey.of(new FieldValue(f.path(), s, false)));
                }
                if (c.right() instanceof Nodes.Field f && c.left() instanceof Nodes.Literal lit && lit.value() instanceof String s) {
                    return List.of(IndexKey.of(new FieldValue(f.path(), s, false)));
                }
            }
            if (e instanceof Nodes.In in && !in.negated() && in.value() instanceof Nodes.Field f) {
                List<IndexKey> out = new ArrayList<>();
                for (Expr item : in.items()) {
                    if (!(item instanceof Nodes.Literal lit && lit.value() instanceof String s)) {
                        return null;
                    }
                    out.add(IndexKey.of(new FieldValue(f.path(), s, in.ignoreCase())));
                }
                return out.isEmpty() || out.size() > MAX_KEYS ? null : out;
            }
            if (e instanceof Nodes.Match m && m.value() instanceof Nodes.Field f && m.literals() != null && !m.literals().isEmpty()) {
                List<IndexKey> out = new ArrayList<>();
                for (String s : m.literals()) {
                    out.add(IndexKey.of(new FieldValue(f.path(), s, true)));
                }
                return out.size() > MAX_KEYS ? null : out;
            }
            return null;
        }

        private static boolean datasetOnly(List<IndexKey> keys) {
            return keys.stream().allMatch(k -> k.other() == null);
        }

        private static boolean noDataset(List<IndexKey> keys) {
            return keys.stream().allMatch(k -> k.dataset() == null);
        }

        private static List<IndexKey> cross(List<IndexKey> datasets, List<IndexKey> others) {
            List<IndexKey> out = new ArrayList<>();
            for (IndexKey d : datasets) {
                for (IndexKey o : others) {
                    out.add(new IndexKey(d.dataset(), o.other()));
                }
            }
            return out;
        }

        private static void flattenAnd(Expr e, List<Expr> into) {
            if (e instanceof Nodes.And and) {
                flattenAnd(and.left(), into);
                flattenAnd(and.right(), into);
            } else {
                into.add(e);
            }
        }

        /** Values that say little about an event (most events have one of them): a poor index key. */
        private static final Set<String> OUTCOME_WORDS = Set.of("success", "failure", "unknown", "true", "false");

        /**
         * How selective keys look, without statistics: event.action over another field over an
         * outcome-like value; a dataset adds a little. The least selective key counts.
         */
        private static int rank(List<IndexKey> keys) {
            int worst = Integer.MAX_VALUE;
            for (IndexKey k : keys) {
                int other = k.other() == null ? 0
                        : Event.ACTION.equals(k.other().field()) ? 6
                        : OUTCOME_WORDS.contains(k.other().text().toLowerCase(Locale.ROOT)) ? 1 : 4;
                worst = Math.min(worst, other + (k.dataset() != null ? 1 : 0));
            }
            return worst;
        }

        private static boolean isField(Expr e, String field) {
            return e instanceof Nodes.Field f && f.path().equals(field);
        }
    }

    /** A field and a string it must equal: exactly, or as {@link String#equalsIgnoreCase} compares. */
    public record FieldValue(String field, String text, boolean ignoreCase) {
    }

    /**
     * One way an event can satisfy a step: its {@code event.dataset} is {@code dataset} (when not
     * null) and its {@code other.field} is {@code other} (when not null); at least one is set.
     */
    public record IndexKey(FieldValue dataset, FieldValue other) {
        static IndexKey of(FieldValue v) {
            return Event.DATASET.equals(v.field()) ? new IndexKey(v, null) : new IndexKey(null, v);
        }
    }

    /** All steps, {@code until} last when present. */
    public List<Step> allSteps() {
        List<Step> all = new ArrayList<>(steps);
        if (until != null) {
            all.add(until);
        }
        return all;
    }

    /**
     * The join key values of an event for a step: the sequence-level keys, then the step's own; null
     * when a non-optional key is absent (such an event cannot join, as in Elasticsearch).
     */
    public List<Object> joinValues(Step step, Event event) {
        List<Object> values = new ArrayList<>(sequenceBy.size() + step.by().size());
        return addJoinValues(sequenceBy, event, values) && addJoinValues(step.by(), event, values) ? values : null;
    }

    /** Whether {@link #joinValues} would be non-null (every non-optional key present), without building them. */
    public boolean joins(Step step, Event event) {
        return present(sequenceBy, event) && present(step.by(), event);
    }

    private static boolean present(List<JoinKey> keys, Event event) {
        for (int i = 0; i < keys.size(); i++) {
            JoinKey k = keys.get(i);
            if (!k.optional()) {
                Object v = event.get(k.path());
                if (v == null || v instanceof List<?> l && l.isEmpty()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean addJoinValues(List<JoinKey> keys, Event event, List<Object> values) {
        for (int i = 0; i < keys.size(); i++) { // indexed: runs per hit, no iterator
            JoinKey k = keys.get(i);
            Object v = event.get(k.path());
            if (v instanceof List<?> l && l.isEmpty()) {
                v = null;
            }
            if (v == null && !k.optional()) {
                return false;
            }
            values.add(v);
        }
        return true;
    }
}
