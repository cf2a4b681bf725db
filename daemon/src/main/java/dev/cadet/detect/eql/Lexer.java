package dev.cadet.detect.eql;

import dev.cadet.detect.eql.Token.Kind;
import java.util.ArrayList;
import java.util.List;

/** Splits EQL text into tokens. Comments ({@code //} to end of line, {@code /* *}{@code /}) are skipped. */
final class Lexer {
    private static final String[] SYMBOLS = {
        "==", "!=", "<=", ">=", "<", ">", ":", "(", ")", "[", "]", ",", "~", "=", "?", "*", "|", "!", "+", "-",
        "/", "%", "{", "}", "&", ";", "@", "$", "^", "#", "\\", "."
    };

    private final String src;
    private int pos;
    private int line = 1;
    private int lineStart;

    private Lexer(String src) {
        this.src = src;
    }

    static List<Token> tokens(String src) throws EqlParseException {
        Lexer lx = new Lexer(src);
        List<Token> out = new ArrayList<>();
        Token t;
        do {
            t = lx.next();
            out.add(t);
        } while (t.kind() != Kind.EOF);
        return out;
    }

    private int col() {
        return pos - lineStart + 1;
    }

    private void newline() {
        line++;
        lineStart = pos;
    }

    private Token next() throws EqlParseException {
        skipSpaceAndComments();
        int l = line;
        int c = col();
        if (pos >= src.length()) {
            return new Token(Kind.EOF, "", null, l, c);
        }
        char ch = src.charAt(pos);
        if (ch == '"') {
            if (src.startsWith("\"\"\"", pos)) {
                return rawString(l, c);
            }
            return string(l, c);
        }
        if (ch == '\'') {
            throw new EqlParseException(l, c, "single-quoted strings are not supported", "use double quotes: \"...\"");
        }
        if (ch == '`') {
            int end = src.indexOf('`', pos + 1);
            if (end < 0) {
                throw new EqlParseException(l, c, "unterminated backquoted field name", "close it with `");
            }
            String name = src.substring(pos + 1, end);
            if (name.isEmpty() || name.indexOf('\n') >= 0) {
                throw new EqlParseException(l, c, "empty or multi-line backquoted field name", null);
            }
            pos = end + 1;
            return new Token(Kind.QUOTED_IDENT, name, name, l, c);
        }
        if (Character.isDigit(ch)) {
            return number(l, c);
        }
        if (isIdentStart(ch)) {
            int start = pos;
            while (pos < src.length() && isIdentPart(src.charAt(pos))) {
                pos++;
            }
            // A trailing dot is never part of a name.
            while (src.charAt(pos - 1) == '.') {
                pos--;
            }
            String name = src.substring(start, pos);
            return new Token(Kind.IDENT, name, name, l, c);
        }
        for (String s : SYMBOLS) {
            if (src.startsWith(s, pos)) {
                pos += s.length();
                return new Token(Kind.SYMBOL, s, null, l, c);
            }
        }
        throw new EqlParseException(l, c, "unexpected character '" + printable(ch) + "'", null);
    }

    private static String printable(char ch) {
        return ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", (int) ch) : String.valueOf(ch);
    }

    private static boolean isIdentStart(char ch) {
        return Character.isLetter(ch) || ch == '_' || ch == '@';
    }

    private static boolean isIdentPart(char ch) {
        return Character.isLetterOrDigit(ch) || ch == '_' || ch == '@' || ch == '.';
    }

    private void skipSpaceAndComments() throws EqlParseException {
        while (pos < src.length()) {
            char ch = src.charAt(pos);
            if (ch == '\n') {
                pos++;
                newline();
            } else if (Character.isWhitespace(ch)) {
                pos++;
            } else if (src.startsWith("//", pos)) {
                while (pos < src.length() && src.charAt(pos) != '\n') {
                    pos++;
                }
            } else if (src.startsWith("/*", pos)) {
                int l = line;
                int c = col();
                pos += 2;
                while (!src.startsWith("*/", pos)) {
                    if (pos >= src.length()) {
                        throw new EqlParseException(l, c, "unterminated comment", "close it with */");
                    }
                    if (src.charAt(pos++) == '\n') {
                        newline();
                    }
                }
                pos += 2;
            } else {
                return;
            }
        }
    }

    private Token number(int l, int c) throws EqlParseException {
        int start = pos;
        while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
            pos++;
        }
        boolean decimal = false;
        if (pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            decimal = true;
            pos++;
            while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                pos++;
            }
        }
        if (pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) {
                pos++;
            }
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                decimal = true;
                while (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        String text = src.substring(start, pos);
        // A number glued to letters (5m, 10s) is a duration; the parser decides whether that is allowed.
        if (pos < src.length() && Character.isLetter(src.charAt(pos)) && !decimal) {
            int unitStart = pos;
            while (pos < src.length() && Character.isLetter(src.charAt(pos))) {
                pos++;
            }
            String unit = src.substring(unitStart, pos);
            return new Token(Kind.IDENT, text + unit, new Object[] {Long.parseLong(text), unit}, l, c);
        }
        try {
            Object v = decimal ? (Object) Double.parseDouble(text) : (Object) Long.parseLong(text);
            return new Token(Kind.NUMBER, text, v, l, c);
        } catch (NumberFormatException e) {
            throw new EqlParseException(l, c, "number out of range: " + text, null);
        }
    }

    private Token rawString(int l, int c) throws EqlParseException {
        int end = src.indexOf("\"\"\"", pos + 3);
        if (end < 0) {
            throw new EqlParseException(l, c, "unterminated raw string", "close it with \"\"\"");
        }
        String v = src.substring(pos + 3, end);
        for (int i = pos; i < end + 3; i++) {
            if (src.charAt(i) == '\n') {
                lineStart = i + 1;
                line++;
            }
        }
        pos = end + 3;
        return new Token(Kind.STRING, "\"\"\"" + v + "\"\"\"", v, l, c);
    }

    private Token string(int l, int c) throws EqlParseException {
        StringBuilder sb = new StringBuilder();
        int start = pos;
        pos++;
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw new EqlParseException(l, c, "unterminated string", "close it with \" on the same line");
            }
            char ch = src.charAt(pos++);
            if (ch == '"') {
                break;
            }
            if (ch != '\\') {
                sb.append(ch);
                continue;
            }
            if (pos >= src.length()) {
                throw new EqlParseException(l, c, "unterminated string", null);
            }
            int escCol = col() - 1;
            char e = src.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '\'' -> sb.append('\'');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> sb.append(unicodeEscape(l, escCol));
                default -> throw new EqlParseException(l, escCol, "unknown escape \\" + printable(e) + " in string",
                        "use \\\\ for a backslash, or a raw string \"\"\"...\"\"\"");
            }
        }
        return new Token(Kind.STRING, src.substring(start, pos), sb.toString(), l, c);
    }

    /** {@code \}{@code u{XXXX}} (EQL's form) or {@code \}{@code uXXXX}. */
    private String unicodeEscape(int l, int escCol) throws EqlParseException {
        String hex;
        if (pos < src.length() && src.charAt(pos) == '{') {
            int end = src.indexOf('}', pos);
            if (end < 0) {
                throw new EqlParseException(l, escCol, "unterminated \\u{...} escape", null);
            }
            hex = src.substring(pos + 1, end);
            pos = end + 1;
        } else {
            hex = src.substring(pos, Math.min(pos + 4, src.length()));
            pos += hex.length();
        }
        try {
            int cp = Integer.parseInt(hex, 16);
            if (hex.isEmpty() || hex.length() > 8 || !Character.isValidCodePoint(cp)) {
                throw new NumberFormatException();
            }
            return new String(Character.toChars(cp));
        } catch (IllegalArgumentException e) {
            throw new EqlParseException(l, escCol, "bad unicode escape \\u" + hex, "use \\u{XXXX} with 1-8 hex digits");
        }
    }
}
