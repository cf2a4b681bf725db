package dev.cadet.detect.eql;

import dev.cadet.collector.Event;
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
    public record JoinKey(String field, boolean optional) {
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
                return m.literals();
            }
            return null;
        }

        private static boolean isField(Expr e, String field) {
            return e instanceof Nodes.Field f && f.path().equals(field);
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
        for (List<JoinKey> keys : List.of(sequenceBy, step.by())) {
            for (JoinKey k : keys) {
                Object v = event.get(k.field());
                if (v instanceof List<?> l && l.isEmpty()) {
                    v = null;
                }
                if (v == null && !k.optional()) {
                    return null;
                }
                values.add(v);
            }
        }
        return values;
    }
}
