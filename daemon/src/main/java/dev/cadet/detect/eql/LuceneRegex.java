package dev.cadet.detect.eql;

import java.util.regex.Pattern;

/**
 * EQL's {@code regex} patterns are Lucene regular expressions (Elasticsearch evaluates them with
 * Lucene's {@code RegExp}), not Java ones: the same text can mean something else in each. This reads
 * the Lucene syntax and writes the equivalent {@link Pattern}, so an Elastic rule matches here what it
 * matches there:
 * <ul>
 *   <li>the whole value is matched; {@code ^} and {@code $} are ordinary characters;</li>
 *   <li>{@code .} matches any character, line breaks included;</li>
 *   <li>{@code \} makes the next character literal ({@code \d \D \s \S \w \W} are the character
 *       classes, as in Lucene 9); {@code "..."} is a literal string; {@code ()} the empty string;</li>
 *   <li>{@code @} is any string, {@code #} the empty language;</li>
 *   <li>{@code [...]}, {@code [^...]} with ranges, {@code |}, {@code ( )}, {@code ? * +},
 *       {@code {n} {n,} {n,m}} as usual.</li>
 * </ul>
 * Intersection ({@code &}), complement ({@code ~}) and {@code <...>} (numeric intervals, named
 * automata) are refused as unsupported rather than read as literal characters; so are Java-only
 * forms that Lucene would read otherwise, such as a quantifier with nothing to repeat ({@code (?s)}).
 */
final class LuceneRegex {
    /** A pattern Lucene would read differently or not at all; {@code offset} is where in the pattern. */
    static final class SyntaxException extends Exception {
        final int offset;
        final boolean unsupported;

        SyntaxException(int offset, String message, boolean unsupported) {
            super(message);
            this.offset = offset;
            this.unsupported = unsupported;
        }
    }

    private static final String JAVA_META = "\\^$.|?*+()[]{}";
    private static final String CLASS_SHORTHANDS = "dDsSwW";

    private final String in;
    private int at;
    private final StringBuilder out = new StringBuilder();

    private LuceneRegex(String in) {
        this.in = in;
    }

    /** The Java pattern matching what the Lucene pattern matches (the whole value); ignoring case as {@code regex~} does. */
    static Pattern compile(String lucene, boolean ignoreCase) throws SyntaxException {
        return Pattern.compile(toJava(lucene), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    }

    /** The Java regex text of a Lucene pattern. */
    static String toJava(String lucene) throws SyntaxException {
        LuceneRegex r = new LuceneRegex(lucene);
        r.union();
        if (r.at < lucene.length()) {
            throw new SyntaxException(r.at, "unexpected '" + lucene.charAt(r.at) + "'"
                    + (lucene.charAt(r.at) == ')' ? " (no group to close)" : ""), false);
        }
        return r.out.toString();
    }

    private boolean more() {
        return at < in.length();
    }

    private char peek() {
        return in.charAt(at);
    }

    private void union() throws SyntaxException {
        concatenation();
        while (more() && peek() == '|') {
            at++;
            out.append('|');
            concatenation();
        }
    }

    private void concatenation() throws SyntaxException {
        while (more() && peek() != '|' && peek() != ')') {
            repeat();
        }
    }

    private void repeat() throws SyntaxException {
        char c = peek();
        if (c == '?' || c == '*' || c == '+' || c == '{') {
            throw new SyntaxException(at, "'" + c + "' has nothing to repeat", false);
        }
        atom();
        while (more()) {
            c = peek();
            if (c == '?' || c == '*' || c == '+') {
                out.append(c);
                at++;
            } else if (c == '{') {
                bounds();
            } else {
                return;
            }
        }
    }

    /** {@code {n}}, {@code {n,}} or {@code {n,m}}. */
    private void bounds() throws SyntaxException {
        int start = at++;
        String min = digits();
        if (min.isEmpty()) {
            throw new SyntaxException(start, "a repetition needs a number: {n}, {n,} or {n,m}", false);
        }
        boolean comma = more() && peek() == ',';
        String max = "";
        if (comma) {
            at++;
            max = digits();
        }
        if (!more() || peek() != '}') {
            throw new SyntaxException(start, "unclosed repetition: write {n}, {n,} or {n,m}", false);
        }
        at++;
        if (!max.isEmpty() && Long.parseLong(max) < Long.parseLong(min)) {
            throw new SyntaxException(start, "repetition {" + min + "," + max + "}: the maximum is below the minimum", false);
        }
        out.append('{').append(min).append(comma ? "," + max : "").append('}');
    }

    private String digits() {
        int start = at;
        while (more() && peek() >= '0' && peek() <= '9' && at - start < 9) {
            at++;
        }
        return in.substring(start, at);
    }

    private void atom() throws SyntaxException {
        int start = at;
        char c = in.charAt(at++);
        switch (c) {
            case '.' -> out.append('.');
            case '@' -> out.append(".*");
            case '#' -> out.append("(?!)");
            case '(' -> {
                out.append("(?:");
                union();
                if (!more() || peek() != ')') {
                    throw new SyntaxException(start, "unclosed group: a ')' is missing", false);
                }
                at++;
                out.append(')');
            }
            case '[' -> charClass(start);
            case '"' -> {
                int end = in.indexOf('"', at);
                if (end < 0) {
                    throw new SyntaxException(start, "unclosed literal string: a '\"' is missing", false);
                }
                in.substring(at, end).codePoints().forEach(this::literal);
                at = end + 1;
            }
            case '\\' -> escape(start, false);
            case '&' -> throw new SyntaxException(start, "intersection (&) is not supported", true);
            case '~' -> throw new SyntaxException(start, "complement (~) is not supported", true);
            case '<' -> throw new SyntaxException(start, "intervals and named automata (<...>) are not supported", true);
            case ']', '}' -> throw new SyntaxException(start, "unexpected '" + c + "'", false);
            default -> {
                at = start;
                int cp = in.codePointAt(at);
                at += Character.charCount(cp);
                literal(cp);
            }
        }
    }

    /** After a backslash: a class shorthand, or the next character taken literally. */
    private void escape(int start, boolean inClass) throws SyntaxException {
        if (!more()) {
            throw new SyntaxException(start, "a '\\' at the end escapes nothing", false);
        }
        int cp = in.codePointAt(at);
        at += Character.charCount(cp);
        if (cp < 0x80 && CLASS_SHORTHANDS.indexOf(cp) >= 0) {
            out.append('\\').append((char) cp);
        } else if (inClass) {
            classLiteral(cp);
        } else {
            literal(cp);
        }
    }

    private void charClass(int start) throws SyntaxException {
        out.append('[');
        if (more() && peek() == '^') {
            at++;
            out.append('^');
        }
        boolean empty = true;
        while (more() && peek() != ']') {
            empty = false;
            classChar();
            if (more() && peek() == '-' && at + 1 < in.length() && in.charAt(at + 1) != ']') {
                at++;
                out.append('-');
                classChar();
            }
        }
        if (!more()) {
            throw new SyntaxException(start, "unclosed character class: a ']' is missing", false);
        }
        if (empty) {
            throw new SyntaxException(start, "an empty character class matches nothing: write # for that", false);
        }
        at++;
        out.append(']');
    }

    /** One character of a class (escaped or not), or a class shorthand. */
    private void classChar() throws SyntaxException {
        if (peek() == '\\') {
            escape(at++, true);
        } else {
            int cp = in.codePointAt(at);
            at += Character.charCount(cp);
            classLiteral(cp);
        }
    }

    private void literal(int cp) {
        if (cp < 0x80 && JAVA_META.indexOf(cp) >= 0) {
            out.append('\\');
        }
        out.appendCodePoint(cp);
    }

    private void classLiteral(int cp) {
        if (cp == '\\' || cp == '[' || cp == ']' || cp == '^' || cp == '-' || cp == '&') {
            out.append('\\');
        }
        out.appendCodePoint(cp);
    }
}
