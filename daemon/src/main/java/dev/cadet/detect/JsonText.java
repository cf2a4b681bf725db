package dev.cadet.detect;

/**
 * JSON string literals (and instants as strings) written directly, escaped as Jackson escapes them ({@code \"}, {@code \\},
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
        int n = s.length();
        int first = 0;
        while (first < n) {
            char c = s.charAt(first);
            if (c < 0x20 || c == '"' || c == '\\') {
                break;
            }
            first++;
        }
        out.append('"');
        if (first == n) { // nothing to escape, the common case: one copy
            out.append(s).append('"');
            return;
        }
        int start = 0;
        for (int i = first; i < n; i++) {
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

    /**
     * Appends {@code t} as a JSON string literal of exactly {@link java.time.Instant#toString}'s text
     * ({@code 2026-11-20T08:15:30.120Z}: fraction in groups of three digits, none when zero), without
     * its formatter: sequence state writes an instant per event per change. Years outside 0000-9999
     * (written with a sign) go through {@code toString}.
     */
    static void quote(StringBuilder out, java.time.Instant t) {
        long seconds = t.getEpochSecond();
        if (seconds < MIN_SECOND || seconds > MAX_SECOND) {
            quote(out, t.toString());
            return;
        }
        long days = Math.floorDiv(seconds, 86_400L);
        int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
        // civil date from days since 1970-01-01, counted in 400-year eras from 0000-03-01
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097L);
        int dayOfEra = (int) (z - era * 146_097);
        int yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        int mp = (5 * dayOfYear + 2) / 153;
        int day = dayOfYear - (153 * mp + 2) / 5 + 1;
        int month = mp < 10 ? mp + 3 : mp - 9;
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        out.append('"');
        digits(out, (int) year, 4);
        out.append('-');
        digits(out, month, 2);
        out.append('-');
        digits(out, day, 2);
        out.append('T');
        digits(out, secondOfDay / 3600, 2);
        out.append(':');
        digits(out, secondOfDay / 60 % 60, 2);
        out.append(':');
        digits(out, secondOfDay % 60, 2);
        int nano = t.getNano();
        if (nano != 0) {
            out.append('.');
            if (nano % 1_000_000 == 0) {
                digits(out, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(out, nano / 1000, 6);
            } else {
                digits(out, nano, 9);
            }
        }
        out.append("Z\"");
    }

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
    private static final long MIN_SECOND = -62_167_219_200L;
    private static final long MAX_SECOND = 253_402_300_799L;

    /** {@code value} (not negative) in {@code width} digits, zero-padded. */
    private static void digits(StringBuilder out, int value, int width) {
        for (int p = width - 1, div = pow10(p); p >= 0; p--, div /= 10) {
            out.append((char) ('0' + value / div % 10));
        }
    }

    private static int pow10(int p) {
        int r = 1;
        for (int i = 0; i < p; i++) {
            r *= 10;
        }
        return r;
    }
}
