package dev.cadet.detect;

/**
 * JSON string literals written directly, escaped as Jackson escapes them ({@code \"}, {@code \\},
 * {@code \b \t \n \f \r}, other control characters as a backslash, u00 and two upper-case hex digits, nothing else),
 * for the text the engine writes per hit: join keys (which the store keys state by, so they must
 * read as Jackson would have written them) and sequence state.
 */
final class JsonText {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private JsonText() {
    }

    /** Appends {@code s} as a JSON string literal, quotes included. */
    static void quote(StringBuilder out, String s) {
        out.append('"');
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\') {
                continue;
            }
            out.append(s, start, i).append('\\');
            switch (c) {
                case '"', '\\' -> out.append(c);
                case '\b' -> out.append('b');
                case '\t' -> out.append('t');
                case '\n' -> out.append('n');
                case '\f' -> out.append('f');
                case '\r' -> out.append('r');
                default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
            }
            start = i + 1;
        }
        out.append(s, start, s.length()).append('"');
    }
}
