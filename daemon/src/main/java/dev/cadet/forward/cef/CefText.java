package dev.cadet.forward.cef;

import java.nio.charset.StandardCharsets;

/**
 * The CEF text rules (ArcSight "Implementing CEF", rev. 27): length limits counted in Java chars,
 * applied before escaping, and the two different escapings of header fields and extension values.
 */
final class CefText {
    private CefText() {
    }

    /**
     * The first {@code maxChars} chars of {@code s}, one shorter if the cut would fall between the two
     * halves of a surrogate pair (an emoji is kept whole or dropped whole).
     */
    static String truncate(String s, int maxChars) {
        if (s.length() <= maxChars) {
            return s;
        }
        int end = Math.max(0, maxChars);
        if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1)) && Character.isLowSurrogate(s.charAt(end))) {
            end--;
        }
        return s.substring(0, end);
    }

    /** Header field: {@code \} and {@code |} escaped with a backslash; CR and LF (not allowed) become a space. */
    static String escapeHeader(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '|' -> b.append("\\|");
                case '\r', '\n' -> b.append(' ');
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Extension value: {@code \} and {@code =} escaped, CR and LF as {@code \r} and {@code \n}; a bare {@code |} stays. */
    static String escapeExtension(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '=' -> b.append("\\=");
                case '\r' -> b.append("\\r");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * The longest prefix of {@code s} (never splitting a surrogate pair) whose escaped UTF-8 form is at
     * most {@code maxBytes} long; used to shrink a value so that a frame fits.
     */
    static String prefixFitting(String s, int maxBytes, boolean header) {
        int bytes = 0;
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            int cost = escapedBytes(cp, header);
            if (bytes + cost > maxBytes) {
                break;
            }
            bytes += cost;
            i += Character.charCount(cp);
        }
        return s.substring(0, i);
    }

    /** UTF-8 length of the escaped form. */
    static int escapedBytes(String s, boolean header) {
        String escaped = header ? escapeHeader(s) : escapeExtension(s);
        return escaped.getBytes(StandardCharsets.UTF_8).length;
    }

    private static int escapedBytes(int cp, boolean header) {
        if (cp == '\\') {
            return 2;
        }
        if (header) {
            return cp == '|' ? 2 : utf8Length(cp);
        }
        return cp == '=' || cp == '\r' || cp == '\n' ? 2 : utf8Length(cp);
    }

    private static int utf8Length(int cp) {
        if (cp < 0x80) {
            return 1;
        }
        if (cp < 0x800) {
            return 2;
        }
        if (cp < 0x10000) {
            return 3; // includes a lone surrogate, which the UTF-8 encoder writes as one '?' byte at most
        }
        return 4;
    }
}
