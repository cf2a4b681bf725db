package dev.cadet.detect.eql;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The EQL functions cadet supports. A function whose first argument is a multi-valued field is
 * applied to each element (so {@code startsWith(tags, "x")} holds if any tag starts with x); an
 * absent argument gives an absent result, which no comparison matches.
 */
final class Functions {
    private Functions() {
    }

    static final int VARARGS = Integer.MAX_VALUE;

    enum Function {
        STARTS_WITH("startsWith", 2, 2, true),
        ENDS_WITH("endsWith", 2, 2, true),
        STRING_CONTAINS("stringContains", 2, 2, true),
        LENGTH("length", 1, 1, false),
        CIDR_MATCH("cidrMatch", 2, VARARGS, false),
        WILDCARD("wildcard", 2, VARARGS, true),
        BETWEEN("between", 3, 4, true),
        CONCAT("concat", 1, VARARGS, false),
        NUMBER("number", 1, 2, false),
        STRING("string", 1, 1, false),
        ADD("add", 2, 2, false),
        SUBTRACT("subtract", 2, 2, false),
        MULTIPLY("multiply", 2, 2, false),
        DIVIDE("divide", 2, 2, false),
        MODULO("modulo", 2, 2, false);

        final String eqlName;
        final int minArgs;
        final int maxArgs;
        final boolean hasCaseInsensitive;

        Function(String eqlName, int minArgs, int maxArgs, boolean hasCaseInsensitive) {
            this.eqlName = eqlName;
            this.minArgs = minArgs;
            this.maxArgs = maxArgs;
            this.hasCaseInsensitive = hasCaseInsensitive;
        }

        Object apply(Object[] args, boolean ignoreCase) {
            if (this == CONCAT) {
                return concat(args);
            }
            for (int i = 1; i < args.length; i++) {
                if (args[i] == null && !(this == BETWEEN && i == 3)) {
                    return null;
                }
            }
            if (args[0] instanceof List<?> list) {
                List<Object> out = new ArrayList<>(list.size());
                for (Object e : list) {
                    Object[] one = args.clone();
                    one[0] = e;
                    out.add(e == null ? null : applyScalar(one, ignoreCase));
                }
                return out;
            }
            return args[0] == null ? null : applyScalar(args, ignoreCase);
        }

        private Object applyScalar(Object[] a, boolean ic) {
            return switch (this) {
                case STARTS_WITH -> anyText(a[1], p -> fold(text(a[0]), ic).startsWith(fold(p, ic)));
                case ENDS_WITH -> anyText(a[1], p -> fold(text(a[0]), ic).endsWith(fold(p, ic)));
                case STRING_CONTAINS -> anyText(a[1], p -> fold(text(a[0]), ic).contains(fold(p, ic)));
                case LENGTH -> (long) text(a[0]).length();
                case CIDR_MATCH -> cidrMatch(a);
                case WILDCARD -> wildcard(a, ic);
                case BETWEEN -> between(a, ic);
                case NUMBER -> number(a);
                case STRING -> text(a[0]);
                case ADD, SUBTRACT, MULTIPLY, DIVIDE, MODULO -> arithmetic(a[0], a[1]);
                case CONCAT -> throw new IllegalStateException("handled above");
            };
        }

        private Object arithmetic(Object x, Object y) {
            if (x instanceof Long a && y instanceof Long b) {
                try {
                    return switch (this) {
                        case ADD -> Math.addExact(a, b);
                        case SUBTRACT -> Math.subtractExact(a, b);
                        case MULTIPLY -> Math.multiplyExact(a, b);
                        // EQL rounds integer division down.
                        case DIVIDE -> b == 0 ? null : (Object) Math.floorDiv(a, b);
                        case MODULO -> b == 0 ? null : (Object) (a % b);
                        default -> throw new IllegalStateException(name());
                    };
                } catch (ArithmeticException overflow) {
                    return null;
                }
            }
            Double a = Values.number(x);
            Double b = Values.number(y);
            if (a == null || b == null) {
                return null;
            }
            return switch (this) {
                case ADD -> a + b;
                case SUBTRACT -> a - b;
                case MULTIPLY -> a * b;
                case DIVIDE -> b == 0 ? null : (Object) (a / b);
                case MODULO -> b == 0 ? null : (Object) (a % b);
                default -> throw new IllegalStateException(name());
            };
        }
    }

    static Function byName(String name) {
        for (Function f : Function.values()) {
            if (f.eqlName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    static String names() {
        return String.join(", ", Arrays.stream(Function.values()).map(f -> f.eqlName).toList());
    }

    private static String text(Object v) {
        return Values.text(v);
    }

    private static String fold(String s, boolean ignoreCase) {
        return ignoreCase ? s.toLowerCase(Locale.ROOT) : s;
    }

    private static boolean anyText(Object patterns, java.util.function.Predicate<String> test) {
        return Values.any(patterns, p -> test.test(text(p)));
    }

    private static Object concat(Object[] args) {
        StringBuilder sb = new StringBuilder();
        for (Object a : args) {
            if (a == null) {
                return null;
            }
            sb.append(text(a));
        }
        return sb.toString();
    }

    private static Object wildcard(Object[] a, boolean ic) {
        String s = text(a[0]);
        for (int i = 1; i < a.length; i++) {
            if (Values.any(a[i], p -> new Wildcard(text(p), ic).matches(s))) {
                return true;
            }
        }
        return false;
    }

    /** between(source, left, right[, greedy]): the text between left and the next (or, greedy, last) right. */
    private static Object between(Object[] a, boolean ic) {
        String source = text(a[0]);
        String s = fold(source, ic);
        String left = fold(text(a[1]), ic);
        String right = fold(text(a[2]), ic);
        boolean greedy = a.length > 3 && Values.isTrue(a[3]);
        int start = s.indexOf(left);
        if (start < 0) {
            return "";
        }
        start += left.length();
        int end = greedy ? s.lastIndexOf(right) : s.indexOf(right, start);
        if (end < start) {
            return "";
        }
        return source.substring(start, end);
    }

    private static Object number(Object[] a) {
        if (a[0] instanceof Number n) {
            return n;
        }
        String s = text(a[0]).trim();
        try {
            if (a.length > 1) {
                Double base = Values.number(a[1]);
                if (base == null) {
                    return null;
                }
                String digits = base.intValue() == 16 && (s.startsWith("0x") || s.startsWith("0X")) ? s.substring(2) : s;
                return new BigInteger(digits, base.intValue()).longValueExact();
            }
            if (s.matches("[+-]?\\d+")) {
                return Long.parseLong(s);
            }
            return Double.parseDouble(s);
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    private static Object cidrMatch(Object[] a) {
        byte[] ip = ipLiteral(text(a[0]));
        if (ip == null) {
            return false;
        }
        for (int i = 1; i < a.length; i++) {
            if (Values.any(a[i], c -> {
                Cidr cidr = Cidr.parse(text(c));
                return cidr != null && cidr.contains(ip);
            })) {
                return true;
            }
        }
        return false;
    }

    /** {@code cidrMatch} against networks parsed once, when the rule loaded (the usual case: literal blocks). */
    static boolean inAny(Object address, List<Cidr> networks) {
        byte[] ip = ipLiteral(text(address));
        if (ip == null) {
            return false;
        }
        for (int i = 0; i < networks.size(); i++) {
            if (networks.get(i).contains(ip)) {
                return true;
            }
        }
        return false;
    }

    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    /** The address bytes of an IP literal, or null. Never resolves names: only literal syntax is accepted. */
    static byte[] ipLiteral(String s) {
        if (s == null) {
            return null;
        }
        if (s.indexOf(':') < 0) {
            return ipv4(s);
        }
        if (IPV6_CHARS.matcher(s).matches()) {
            try {
                // A literal containing ':' is parsed, not looked up.
                return InetAddress.getByName(s).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
        }
        return null;
    }

    /**
     * Dotted-quad IPv4: four groups of one to three ASCII digits, each at most 255. Read without a
     * regex: it runs per event for rules on source addresses.
     */
    private static byte[] ipv4(String s) {
        byte[] b = new byte[4];
        int i = 0;
        int n = s.length();
        for (int octet = 0; octet < 4; octet++) {
            if (octet > 0) {
                if (i >= n || s.charAt(i) != '.') {
                    return null;
                }
                i++;
            }
            int value = 0;
            int digits = 0;
            while (i < n && digits < 4 && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                digits++;
                i++;
            }
            if (digits == 0 || digits > 3 || value > 255) {
                return null;
            }
            b[octet] = (byte) value;
        }
        return i == n ? b : null;
    }

    /** An IPv4 or IPv6 network in CIDR notation. */
    record Cidr(byte[] network, int prefix) {
        static Cidr parse(String text) {
            if (text == null) {
                return null;
            }
            int slash = text.indexOf('/');
            byte[] addr = ipLiteral(slash < 0 ? text : text.substring(0, slash));
            if (addr == null) {
                return null;
            }
            int bits = addr.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    return null;
                }
                if (prefix < 0 || prefix > bits) {
                    return null;
                }
            }
            return new Cidr(addr, prefix);
        }

        boolean contains(byte[] ip) {
            // IPv4-mapped IPv6 addresses are returned by InetAddress as 4 bytes already.
            if (ip.length != network.length) {
                return false;
            }
            for (int bit = 0; bit < prefix; bit++) {
                int mask = 0x80 >>> (bit % 8);
                if ((ip[bit / 8] & mask) != (network[bit / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
