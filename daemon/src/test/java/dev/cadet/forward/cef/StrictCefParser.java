package dev.cadet.forward.cef;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A deliberately strict CEF reader written from the spec, independent of the encoder: it rejects
 * anything our encoder must never produce (raw CR/LF, unknown escapes, a raw {@code =} inside a value,
 * a key that is not alphanumeric, a repeated key, a missing header field).
 */
public final class StrictCefParser {

    public record Record(List<String> header, Map<String, String> extension) {
        public String vendor() { return header.get(1); }
        public String product() { return header.get(2); }
        public String version() { return header.get(3); }
        public String classId() { return header.get(4); }
        public String name() { return header.get(5); }
        public String severity() { return header.get(6); }
    }

    private StrictCefParser() {
    }

    public static Record parse(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("raw CR or LF in a CEF record");
        }
        if (!line.startsWith("CEF:0|")) {
            throw new IllegalArgumentException("does not start with CEF:0|");
        }
        List<String> header = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = 0;
        while (header.size() < 7) {
            if (i >= line.length()) {
                throw new IllegalArgumentException("header has only " + header.size() + " fields");
            }
            char c = line.charAt(i++);
            if (c == '\\') {
                char next = at(line, i++);
                if (next != '\\' && next != '|') {
                    throw new IllegalArgumentException("bad header escape \\" + next + " at " + (i - 2));
                }
                field.append(next);
            } else if (c == '|') {
                header.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        return new Record(header, extension(line.substring(i)));
    }

    private static Map<String, String> extension(String ext) {
        Map<String, String> out = new LinkedHashMap<>();
        if (ext.isEmpty()) {
            return out;
        }
        // First key: from the start up to the first raw '='.
        int eq = ext.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("extension does not start with key=");
        }
        String key = checkKey(ext.substring(0, eq));
        StringBuilder value = new StringBuilder();
        int lastRawSpace = -1; // index in value of the last unescaped space
        int i = eq + 1;
        while (i < ext.length()) {
            char c = ext.charAt(i++);
            if (c == '\\') {
                char next = at(ext, i++);
                switch (next) {
                    case '\\' -> value.append('\\');
                    case '=' -> value.append('=');
                    case 'n' -> value.append('\n');
                    case 'r' -> value.append('\r');
                    default -> throw new IllegalArgumentException("bad extension escape \\" + next + " in " + key);
                }
            } else if (c == '=') {
                // A raw '=' ends the previous value: the word after its last raw space is the next key.
                if (lastRawSpace < 0) {
                    throw new IllegalArgumentException("raw '=' inside the value of " + key);
                }
                String nextKey = checkKey(value.substring(lastRawSpace + 1));
                put(out, key, value.substring(0, lastRawSpace));
                key = nextKey;
                value.setLength(0);
                lastRawSpace = -1;
            } else {
                if (c == ' ') {
                    lastRawSpace = value.length();
                }
                value.append(c);
            }
        }
        put(out, key, value.toString());
        return out;
    }

    private static void put(Map<String, String> out, String key, String value) {
        if (out.putIfAbsent(key, value) != null) {
            throw new IllegalArgumentException("key " + key + " appears twice");
        }
    }

    private static String checkKey(String key) {
        if (!key.matches("[A-Za-z0-9]+")) {
            throw new IllegalArgumentException("not an extension key: \"" + key + "\"");
        }
        return key;
    }

    private static char at(String s, int i) {
        if (i >= s.length()) {
            throw new IllegalArgumentException("dangling backslash at the end");
        }
        return s.charAt(i);
    }
}
