package dev.cadet.detect.eql;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

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
        return any(v, Boolean.TRUE::equals);
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

    /**
     * A wildcard pattern ({@code *} any run, {@code ?} one character; everything else literal) as a
     * regex that must match the whole text.
     */
    static Pattern wildcard(String pattern, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '*' || ch == '?') {
                if (literal.length() > 0) {
                    re.append(Pattern.quote(literal.toString()));
                    literal.setLength(0);
                }
                re.append(ch == '*' ? ".*" : ".");
            } else {
                literal.append(ch);
            }
        }
        if (literal.length() > 0) {
            re.append(Pattern.quote(literal.toString()));
        }
        int flags = Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0);
        return Pattern.compile(re.toString(), flags);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
