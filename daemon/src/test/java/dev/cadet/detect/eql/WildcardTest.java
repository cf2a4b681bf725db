package dev.cadet.detect.eql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class WildcardTest {

    @Test
    void matchesTheWholeTextWithStarsAndSingleCharacters() {
        assertTrue(new Wildcard("Update application*Certificates and secrets management*", true)
                .matches("Update application \u2013 Certificates and secrets management "));
        assertFalse(new Wildcard("Update application*Certificates and secrets management*", true).matches("Update user"));
        assertTrue(new Wildcard("arn:aws*:iam::*:policy/AdministratorAccess", true)
                .matches("arn:aws-us-gov:iam::aws:policy/administratoraccess"));
        assertFalse(new Wildcard("arn:aws*:iam::*:policy/AdministratorAccess", false)
                .matches("arn:aws:iam::aws:policy/administratoraccess"));
        assertTrue(new Wildcard("a?c", false).matches("abc"));
        assertFalse(new Wildcard("a?c", false).matches("ac"));
        assertTrue(new Wildcard("*", false).matches(""));
        assertTrue(new Wildcard("", false).matches(""));
        assertFalse(new Wildcard("", false).matches("x"));
        assertTrue(new Wildcard("x*", false).matches("x\ny"), "* spans line breaks");
        assertTrue(new Wildcard("?", false).matches("\uD83D\uDE00"), "? is one code point, a surrogate pair too");
    }

    /** The old implementation, a regex per pattern, as the oracle: both must agree on every text. */
    private static Pattern regex(String pattern, boolean ignoreCase) {
        StringBuilder re = new StringBuilder();
        pattern.codePoints().forEach(cp -> re.append(cp == '*' ? ".*" : cp == '?' ? "." : Pattern.quote(Character.toString(cp))));
        return Pattern.compile(re.toString(), Pattern.DOTALL | (ignoreCase ? Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE : 0));
    }

    @Test
    void agreesWithTheEquivalentRegexOnRandomPatternsAndTexts() {
        String[] alphabet = {"a", "A", "b", "B", "*", "?", "\n", ".", "\u00DF", "\u0130", "i", "I", "\u0131", "k", "\u212A",
                "\uD83D\uDE00", "\u00E9", "\u00C9", "\\", "$"};
        SplittableRandom random = new SplittableRandom(7);
        int agreedTrue = 0;
        for (int n = 0; n < 20_000; n++) {
            String pattern = randomText(random, alphabet, 6);
            String text = randomText(random, alphabet, 8).replace("*", "").replace("?", "");
            boolean ignoreCase = random.nextBoolean();
            boolean expected = regex(pattern, ignoreCase).matcher(text).matches();
            assertEquals(expected, new Wildcard(pattern, ignoreCase).matches(text),
                    () -> "pattern '" + pattern + "' text '" + text + "' ignoreCase " + ignoreCase);
            agreedTrue += expected ? 1 : 0;
        }
        assertTrue(agreedTrue > 500, "the random cases must include matches, not only mismatches: " + agreedTrue);
    }

    private static String randomText(SplittableRandom random, String[] alphabet, int maxLength) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            s.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return s.toString();
    }
}
