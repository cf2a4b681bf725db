package dev.cadet.detect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the TOML subset that Elastic-style rule files use: tables, arrays of tables (nested under
 * the latest element, as TOML specifies), bare/quoted/dotted keys, basic and literal strings (also
 * triple-quoted multi-line), integers, floats, booleans, arrays and inline tables. Dates and times
 * are not supported (rule files quote them). Tables are {@code Map<String,Object>}, arrays of
 * tables {@code List<Map<String,Object>>}.
 */
final class TomlReader {

    /** A syntax error at a 1-based line and column. */
    static final class TomlException extends Exception {
        final int line;
        final int column;

        TomlException(int line, int column, String message) {
            super(line + ":" + column + ": " + message);
            this.line = line;
            this.column = column;
        }
    }

    /** The parsed document, and where each string value's text starts (by dotted key path). */
    record Document(Map<String, Object> root, Map<String, int[]> stringStarts) {
    }

    private final String src;
    private int pos;
    private int line = 1;
    private int lineStart;
    private final Map<String, Object> root = new LinkedHashMap<>();
    private final Map<String, int[]> stringStarts = new HashMap<>();
    private int[] lastStringStart;

    private TomlReader(String src) {
        this.src = src;
    }

    static Document read(String text) throws TomlException {
        TomlReader r = new TomlReader(text);
        r.document();
        return new Document(r.root, r.stringStarts);
    }

    private int col() {
        return pos - lineStart + 1;
    }

    private TomlException error(String message) {
        return new TomlException(line, col(), message);
    }

    private void document() throws TomlException {
        Map<String, Object> table = root;
        String tablePath = "";
        while (true) {
            skipBlankLinesAndComments();
            if (pos >= src.length()) {
                return;
            }
            if (src.charAt(pos) == '[') {
                boolean array = src.startsWith("[[", pos);
                pos += array ? 2 : 1;
                skipSpaces();
                List<String> keys = key();
                skipSpaces();
                if (!src.startsWith(array ? "]]" : "]", pos)) {
                    throw error("expected '" + (array ? "]]" : "]") + "' to close the table header");
                }
                pos += array ? 2 : 1;
                table = openTable(keys, array);
                tablePath = String.join(".", keys);
                endOfLine();
                continue;
            }
            List<String> keys = key();
            skipSpaces();
            if (pos >= src.length() || src.charAt(pos) != '=') {
                throw error("expected '=' after key " + String.join(".", keys));
            }
            pos++;
            skipSpaces();
            lastStringStart = null;
            Object value = value();
            Map<String, Object> target = table;
            for (int i = 0; i < keys.size() - 1; i++) {
                target = subTable(target, keys.get(i));
            }
            String last = keys.get(keys.size() - 1);
            if (target.containsKey(last)) {
                throw error("key " + String.join(".", keys) + " defined twice");
            }
            target.put(last, value);
            if (lastStringStart != null && value instanceof String) {
                stringStarts.put((tablePath.isEmpty() ? "" : tablePath + ".") + String.join(".", keys), lastStringStart);
            }
            endOfLine();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> openTable(List<String> keys, boolean array) throws TomlException {
        Map<String, Object> t = root;
        for (int i = 0; i < keys.size() - 1; i++) {
            Object v = t.get(keys.get(i));
            if (v instanceof List<?> list && !list.isEmpty() && list.get(list.size() - 1) instanceof Map) {
                t = (Map<String, Object>) list.get(list.size() - 1);
            } else {
                t = subTable(t, keys.get(i));
            }
        }
        String last = keys.get(keys.size() - 1);
        if (array) {
            Object v = t.computeIfAbsent(last, k -> new ArrayList<Map<String, Object>>());
            if (!(v instanceof List<?>)) {
                throw error(last + " is not an array of tables");
            }
            Map<String, Object> element = new LinkedHashMap<>();
            ((List<Object>) v).add(element);
            return element;
        }
        return subTable(t, last);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> subTable(Map<String, Object> t, String key) throws TomlException {
        Object v = t.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
        if (!(v instanceof Map)) {
            throw error(key + " is already a value, not a table");
        }
        return (Map<String, Object>) v;
    }

    private List<String> key() throws TomlException {
        List<String> parts = new ArrayList<>();
        while (true) {
            skipSpaces();
            if (pos >= src.length()) {
                throw error("expected a key");
            }
            char ch = src.charAt(pos);
            if (ch == '"' || ch == '\'') {
                parts.add((String) string());
            } else {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_'
                        || src.charAt(pos) == '-')) {
                    pos++;
                }
                if (start == pos) {
                    throw error("expected a key but found '" + ch + "'");
                }
                parts.add(src.substring(start, pos));
            }
            skipSpaces();
            if (pos < src.length() && src.charAt(pos) == '.') {
                pos++;
                continue;
            }
            return parts;
        }
    }

    private Object value() throws TomlException {
        if (pos >= src.length()) {
            throw error("expected a value");
        }
        char ch = src.charAt(pos);
        if (ch == '"' || ch == '\'') {
            return string();
        }
        if (ch == '[') {
            pos++;
            List<Object> items = new ArrayList<>();
            while (true) {
                skipWhitespaceAndComments();
                if (pos < src.length() && src.charAt(pos) == ']') {
                    pos++;
                    return items;
                }
                items.add(value());
                skipWhitespaceAndComments();
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                } else if (pos >= src.length() || src.charAt(pos) != ']') {
                    throw error("expected ',' or ']' in array");
                }
            }
        }
        if (ch == '{') {
            pos++;
            Map<String, Object> table = new LinkedHashMap<>();
            skipSpaces();
            if (pos < src.length() && src.charAt(pos) == '}') {
                pos++;
                return table;
            }
            while (true) {
                List<String> keys = key();
                skipSpaces();
                if (pos >= src.length() || src.charAt(pos) != '=') {
                    throw error("expected '=' in inline table");
                }
                pos++;
                skipSpaces();
                Map<String, Object> target = table;
                for (int i = 0; i < keys.size() - 1; i++) {
                    target = subTable(target, keys.get(i));
                }
                target.put(keys.get(keys.size() - 1), value());
                skipSpaces();
                if (pos < src.length() && src.charAt(pos) == ',') {
                    pos++;
                } else if (pos < src.length() && src.charAt(pos) == '}') {
                    pos++;
                    return table;
                } else {
                    throw error("expected ',' or '}' in inline table");
                }
            }
        }
        int start = pos;
        while (pos < src.length() && "\n\r\t ,]}#".indexOf(src.charAt(pos)) < 0) {
            pos++;
        }
        String word = src.substring(start, pos);
        if (word.equals("true") || word.equals("false")) {
            return Boolean.valueOf(word);
        }
        String digits = word.replace("_", "");
        try {
            if (digits.matches("[+-]?\\d+")) {
                return Long.parseLong(digits);
            }
            if (digits.matches("[+-]?(\\d+(\\.\\d+)?([eE][+-]?\\d+)?|inf|nan)")) {
                return Double.parseDouble(digits.replace("inf", "Infinity").replace("nan", "NaN"));
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        pos = start;
        throw error(word.isEmpty() ? "expected a value" : "unsupported value '" + word + "' (quote dates and text)");
    }

    private Object string() throws TomlException {
        char quote = src.charAt(pos);
        String triple = String.valueOf(quote).repeat(3);
        int startLine = line;
        int startCol = col();
        if (src.startsWith(triple, pos)) {
            pos += 3;
            // A newline right after the opening delimiter is trimmed.
            if (src.startsWith("\r\n", pos)) {
                pos += 2;
                newline();
            } else if (src.startsWith("\n", pos)) {
                pos++;
                newline();
            }
            lastStringStart = new int[] {line, col()};
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= src.length()) {
                    throw new TomlException(startLine, startCol, "unterminated multi-line string");
                }
                if (src.startsWith(triple, pos)) {
                    // Up to two quotes right before the closing delimiter belong to the string.
                    int extra = 0;
                    while (extra < 2 && pos + 3 + extra < src.length() && src.charAt(pos + 3 + extra) == quote) {
                        extra++;
                    }
                    sb.append(String.valueOf(quote).repeat(extra));
                    pos += 3 + extra;
                    return sb.toString();
                }
                char ch = src.charAt(pos);
                if (ch == '\\' && quote == '"') {
                    // A line-ending backslash trims the newline and leading whitespace that follow.
                    int p = pos + 1;
                    while (p < src.length() && (src.charAt(p) == ' ' || src.charAt(p) == '\t')) {
                        p++;
                    }
                    if (p < src.length() && (src.charAt(p) == '\n' || src.charAt(p) == '\r')) {
                        pos = p;
                        while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                            if (src.charAt(pos++) == '\n') {
                                newline();
                            }
                        }
                        continue;
                    }
                    sb.append(escape());
                    continue;
                }
                pos++;
                if (ch == '\n') {
                    newline();
                }
                sb.append(ch);
            }
        }
        pos++;
        lastStringStart = new int[] {line, col()};
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw new TomlException(startLine, startCol, "unterminated string");
            }
            char ch = src.charAt(pos);
            if (ch == quote) {
                pos++;
                return sb.toString();
            }
            if (ch == '\\' && quote == '"') {
                sb.append(escape());
                continue;
            }
            sb.append(ch);
            pos++;
        }
    }

    private String escape() throws TomlException {
        pos++;
        if (pos >= src.length()) {
            throw error("unterminated escape");
        }
        char e = src.charAt(pos++);
        switch (e) {
            case 'b': return "\b";
            case 't': return "\t";
            case 'n': return "\n";
            case 'f': return "\f";
            case 'r': return "\r";
            case 'e': return "\u001b";
            case '"': return "\"";
            case '\\': return "\\";
            case 'u':
            case 'U':
                int n = e == 'u' ? 4 : 8;
                if (pos + n > src.length()) {
                    throw error("short unicode escape");
                }
                try {
                    int cp = Integer.parseInt(src.substring(pos, pos + n), 16);
                    pos += n;
                    return new String(Character.toChars(cp));
                } catch (IllegalArgumentException ex) {
                    throw error("bad unicode escape");
                }
            default:
                pos--;
                throw error("unknown escape \\" + e + " (use a literal string '...' for backslashes)");
        }
    }

    private void newline() {
        line++;
        lineStart = pos;
    }

    private void skipSpaces() {
        while (pos < src.length() && (src.charAt(pos) == ' ' || src.charAt(pos) == '\t')) {
            pos++;
        }
    }

    private void skipComment() {
        if (pos < src.length() && src.charAt(pos) == '#') {
            while (pos < src.length() && src.charAt(pos) != '\n') {
                pos++;
            }
        }
    }

    private void skipWhitespaceAndComments() {
        while (pos < src.length()) {
            char ch = src.charAt(pos);
            if (ch == '\n') {
                pos++;
                newline();
            } else if (ch == ' ' || ch == '\t' || ch == '\r') {
                pos++;
            } else if (ch == '#') {
                skipComment();
            } else {
                return;
            }
        }
    }

    private void skipBlankLinesAndComments() {
        skipWhitespaceAndComments();
    }

    private void endOfLine() throws TomlException {
        skipSpaces();
        skipComment();
        if (pos < src.length() && src.charAt(pos) == '\r') {
            pos++;
        }
        if (pos < src.length()) {
            if (src.charAt(pos) != '\n') {
                throw error("expected the end of the line but found '" + src.charAt(pos) + "'");
            }
            pos++;
            newline();
        }
    }
}
