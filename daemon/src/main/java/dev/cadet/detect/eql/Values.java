package dev.cadet.detect.eql;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Value semantics of the evaluator. Values are null (absent), String, Long, Double, Boolean, or a
 * List of those (a multi-valued field): a test on a list holds if it holds for any element, as
 * Elasticsearch does for arrays.
 */
final class Values {
    private Values() {
    }

    /** True if the test holds for the value or, for a list, for any of its non-null elements. */
    static boolean any(Object v, Predicate<Object> test) {
        if (v == null) {
            return false;
        }
        if (v instanceof List<?> list) {
            for (Object e : list) {
                if (e != null && test.test(e)) {
                    return true;
                }
            }
            return false;
        }
        return test.test(v);
    }

    /** A condition's result: true, or a list (a function mapped over a multi-valued field) holding true. */
    static boolean isTrue(Object v) {
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof List<?> list) {
            for (Object e : list) {
                if (Boolean.TRUE.equals(e)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * True if some element of {@code a} equals some element of {@code b} (a scalar is its only
     * element; null elements never equal): {@code any(a, x -> any(b, y -> equal(x, y)))} without a
     * lambda per test, as it runs for most candidate events.
     */
    static boolean anyEqual(Object a, Object b, boolean ignoreCase) {
        if (a == null || b == null) {
            return false;
        }
        if (a instanceof List<?> list) {
            for (Object x : list) {
                if (anyEqual(x, b, ignoreCase)) {
                    return true;
                }
            }
            return false;
        }
        if (b instanceof List<?> list) {
            for (Object y : list) {
                if (y != null && equal(a, y, ignoreCase)) {
                    return true;
                }
            }
            return false;
        }
        return equal(a, b, ignoreCase);
    }

    /** Scalar equality: numbers by value (a numeric string equals its number), text case-sensitively. */
    static boolean equal(Object a, Object b, boolean ignoreCase) {
        if (a instanceof Number || b instanceof Number) {
            Double x = number(a);
            Double y = number(b);
            return x != null && y != null && x.doubleValue() == y.doubleValue();
        }
        if (a instanceof String s && b instanceof String t) {
            return ignoreCase ? s.equalsIgnoreCase(t) : s.equals(t);
        }
        return a.equals(b);
    }

    /** Scalar ordering, or null when the two cannot be ordered. */
    static Integer compare(Object a, Object b) {
        if (a instanceof Number || b instanceof Number) {
            Double x = number(a);
            Double y = number(b);
            return x == null || y == null ? null : Double.compare(x, y);
        }
        if (a instanceof String s && b instanceof String t) {
            return s.compareTo(t);
        }
        return null;
    }

    /** The number a scalar denotes, or null. Numeric strings count, so raw JSON text compares too. */
    static Double number(Object v) {
        if (v instanceof Number n) {
            return n.doubleValue();
        }
        if (v instanceof String s) {
            try {
                return Double.parseDouble(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    static String text(Object v) {
        return v == null ? null : v.toString();
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
