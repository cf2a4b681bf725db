package dev.cadet.detect.eql;

import dev.cadet.collector.Event;
import dev.cadet.collector.FieldPath;
import java.util.List;
import java.util.function.Predicate;

/** The expression nodes the parser builds. */
final class Nodes {
    private Nodes() {
    }

    record Literal(Object value) implements Expr {
        @Override
        public Object eval(Event event) {
            return value;
        }
    }

    /**
     * A field: the ECS field, else the raw record's path. {@code optional} is {@code ?field}; {@code ref}
     * is the path split once, when the rule loads.
     */
    record Field(String path, boolean optional, FieldPath ref) implements Expr {
        Field(String path, boolean optional) {
            this(path, optional, FieldPath.of(path));
        }

        @Override
        public Object eval(Event event) {
            Object v = event.get(ref);
            return v instanceof List<?> l && l.isEmpty() ? null : v;
        }
    }

    record And(Expr left, Expr right) implements Expr {
        @Override
        public Object eval(Event event) {
            return left.test(event) && right.test(event);
        }
    }

    record Or(Expr left, Expr right) implements Expr {
        @Override
        public Object eval(Event event) {
            return left.test(event) || right.test(event);
        }
    }

    record Not(Expr operand) implements Expr {
        @Override
        public Object eval(Event event) {
            return !operand.test(event);
        }
    }

    enum Op {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">=");

        final String symbol;

        Op(String symbol) {
            this.symbol = symbol;
        }
    }

    /**
     * A comparison. With an absent side it is false, {@code !=} included (as in EQL); {@code == null}
     * and {@code != null} test for absence and presence. {@code !=} on a list holds when no element
     * equals, as Elasticsearch negates the term query.
     */
    record Compare(Op op, Expr left, Expr right) implements Expr {
        @Override
        public Object eval(Event event) {
            boolean leftNull = left instanceof Literal l && l.value() == null;
            boolean rightNull = right instanceof Literal r && r.value() == null;
            if (leftNull || rightNull) {
                Object other = (leftNull ? right : left).eval(event);
                if (op == Op.EQ) {
                    return other == null;
                }
                if (op == Op.NE) {
                    return other != null;
                }
                return false;
            }
            Object a = left.eval(event);
            Object b = right.eval(event);
            if (a == null || b == null) {
                return false;
            }
            if (op == Op.NE) {
                return !Values.anyEqual(a, b, false);
            }
            if (op == Op.EQ) {
                return Values.anyEqual(a, b, false);
            }
            return Values.any(a, x -> Values.any(b, y -> holds(x, y)));
        }

        /** An ordering comparison of two scalars. */
        private boolean holds(Object x, Object y) {
            Integer c = Values.compare(x, y);
            if (c == null) {
                return false;
            }
            return switch (op) {
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                case GE -> c >= 0;
                default -> throw new IllegalStateException(op.symbol);
            };
        }
    }

    /** {@code in}, {@code in~}, {@code not in}: false when the value is absent, whichever form. */
    record In(Expr value, List<Expr> items, boolean negated, boolean ignoreCase) implements Expr {
        @Override
        public Object eval(Event event) {
            Object v = value.eval(event);
            if (v == null) {
                return false;
            }
            boolean found = false;
            for (Expr item : items) {
                Object candidate = item.eval(event);
                if (Values.anyEqual(v, candidate, ignoreCase)) {
                    found = true;
                    break;
                }
            }
            return negated != found;
        }
    }

    /** {@code field : *}: the field is present (not null, not an empty list). */
    record Exists(Field field) implements Expr {
        @Override
        public Object eval(Event event) {
            return field.eval(event) != null;
        }
    }

    /**
     * {@code :}, {@code like}, {@code regex} and their {@code ~} forms: any pattern matches any element.
     * {@code literals}: for {@code :}, the patterns as written when none has a wildcard (for rule indexing), else null.
     */
    record Match(Expr value, String operator, List<Predicate<Object>> patterns, java.util.Set<String> literals) implements Expr {
        @Override
        public Object eval(Event event) {
            Object v = value.eval(event);
            if (v == null) {
                return false;
            }
            for (Predicate<Object> p : patterns) {
                if (Values.any(v, p)) {
                    return true;
                }
            }
            return false;
        }
    }

    /**
     * {@code cidrMatch(value, "block", ...)} with literal blocks, parsed when the rule loads; the same
     * results as the {@link Call} it stands for (null for an absent value, one result per element of a list).
     */
    record CidrMatch(Expr value, List<Functions.Cidr> networks) implements Expr {
        @Override
        public Object eval(Event event) {
            Object v = value.eval(event);
            if (v instanceof List<?> list) {
                List<Object> out = new java.util.ArrayList<>(list.size());
                for (Object e : list) {
                    out.add(e == null ? null : Functions.inAny(e, networks));
                }
                return out;
            }
            return v == null ? null : Functions.inAny(v, networks);
        }
    }

    record Call(Functions.Function function, boolean ignoreCase, List<Expr> args) implements Expr {
        @Override
        public Object eval(Event event) {
            Object[] values = new Object[args.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = args.get(i).eval(event);
            }
            return function.apply(values, ignoreCase);
        }
    }
}
