package dev.cadet.detect.eql;

/**
 * A wildcard pattern of {@code :}, {@code like} and {@code wildcard()}: {@code *} matches any run of
 * characters (line breaks too), {@code ?} exactly one, everything else itself, over the whole text.
 * Matched directly rather than through a regex: rules test such patterns against many events (a
 * literal prefix that differs rejects the text at its first character), and a matcher per test
 * would be garbage. Ignoring case compares code points folded as {@code Pattern.CASE_INSENSITIVE |
 * Pattern.UNICODE_CASE} does.
 */
final class Wildcard {
    private static final int STAR = -1;
    private static final int ONE = -2;

    /** The pattern's code points (folded when ignoring case), {@link #STAR} and {@link #ONE} for the wildcards. */
    private final int[] pattern;
    private final boolean ignoreCase;

    Wildcard(String pattern, boolean ignoreCase) {
        this.ignoreCase = ignoreCase;
        this.pattern = pattern.codePoints().map(cp -> cp == '*' ? STAR : cp == '?' ? ONE : fold(cp)).toArray();
    }

    private int fold(int cp) {
        if (!ignoreCase) {
            return cp;
        }
        if (cp < 0x80) { // ASCII, almost every character: its folded form is its lower case, without the tables
            return cp >= 'A' && cp <= 'Z' ? cp + ('a' - 'A') : cp;
        }
        return Character.toLowerCase(Character.toUpperCase(cp));
    }

    /**
     * Whether the whole text matches: greedy, and on a mismatch after a {@code *} the star takes one
     * more character and the rest is tried again (at most text x pattern steps, no recursion).
     */
    boolean matches(String text) {
        int[] pat = pattern;
        int p = 0;
        int t = 0;
        int starP = -1;
        int starT = -1;
        while (t < text.length()) {
            int cp = text.codePointAt(t);
            if (p < pat.length && (pat[p] == ONE || (pat[p] >= 0 && pat[p] == fold(cp)))) {
                p++;
                t += Character.charCount(cp);
            } else if (p < pat.length && pat[p] == STAR) {
                starP = p++;
                starT = t;
            } else if (starP >= 0) {
                p = starP + 1;
                starT += Character.charCount(text.codePointAt(starT));
                t = starT;
            } else {
                return false;
            }
        }
        while (p < pat.length && pat[p] == STAR) {
            p++;
        }
        return p == pat.length;
    }
}
