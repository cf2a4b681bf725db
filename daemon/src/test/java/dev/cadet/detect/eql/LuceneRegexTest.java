package dev.cadet.detect.eql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** EQL's regex is Lucene's: what a pattern matches here is what it matches in Elasticsearch. */
class LuceneRegexTest {

    @ParameterizedTest(name = "{0} on {1}: {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        // the whole value, as in Lucene (and as Java's matches())
        "abc|abc|true", "abc|xabcx|false", "a.c|abc|true",
        // . matches line breaks too
        "a.c|'a\nc'|true", ".*end|'line\nend'|true",
        // ^ and $ are ordinary characters, not anchors
        "^abc$|abc|false", "^abc$|^abc$|true",
        // a backslash makes the next character literal; \d \s \w are classes (Lucene 9)
        "a\\.c|abc|false", "a\\.c|a.c|true", "\\q|q|true", "a\\*|a*|true", "\\d+|123|true", "\\d+|12a|false",
        "a\\sb|a b|true", "\\w+|ab_9|true", "\\S+|a b|false",
        // a quoted string is literal, quotes not included; \" is a quote
        "'\"a.b\"c'|a.bc|true", "'\"a.b\"c'|axbc|false", "'\\\"Action\\\"'|'\"Action\"'|true", "'\"Action\"'|'\"Action\"'|false",
        // @ is any string, # the empty language, () the empty string
        "a@z|a-anything-z|true", "@|''|true", "a#|a|false", "a()b|ab|true",
        // classes, ranges, negation, escapes inside
        "[a-c]+|abcab|true", "[a-c]+|abd|false", "[^a-c]x|dx|true", "[^a-c]x|ax|false", "[\\]x]+|]x]|true",
        "[-a]+|-a-|true", "[&^]+|&^|true",
        // repetition
        "a{2}|aa|true", "a{2}|aaa|false", "a{2,}|aaaa|true", "a{1,2}|aaa|false", "(ab)+|ababab|true",
        "a?b*c+|bbc|true",
        // union
        "'ab|cd'|cd|true", "'ab|cd'|abcd|false", "'(ab|cd)ef'|cdef|true",
        // Java metacharacters that Lucene reads as ordinary ones
        "a$b|a$b|true",
    })
    void matchesWhatLuceneMatches(String pattern, String text, boolean expected) throws Exception {
        assertEquals(expected, LuceneRegex.compile(pattern, false).matcher(text).matches(),
                () -> pattern + " -> " + safeJava(pattern));
    }

    private static String safeJava(String pattern) {
        try {
            return LuceneRegex.toJava(pattern);
        } catch (LuceneRegex.SyntaxException e) {
            return e.getMessage();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a&b|1|true", "~a|0|true", "<1-10>|0|true", "a<b>|1|true",
        "(?s).*|1|false", "*a|0|false", "a{|1|false", "a{,3}|1|false", "a{3,1}|1|false", "(ab|0|false", "ab)|2|false",
        "[ab|0|false", "[]|0|false", "a\\|1|false", "'\"ab'|0|false",
    })
    void refusesWhatLuceneReadsOtherwiseOrNotAtAll(String pattern, int offset, boolean unsupported) {
        LuceneRegex.SyntaxException e = assertThrows(LuceneRegex.SyntaxException.class, () -> LuceneRegex.toJava(pattern));
        assertEquals(offset, e.offset, e.getMessage());
        assertEquals(unsupported, e.unsupported, e.getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"abc|ABC", "[a-c]+|ABC", "\"ab\"c|AbC"})
    void regexTildeIgnoresCase(String pattern, String text) throws Exception {
        assertTrue(LuceneRegex.compile(pattern, true).matcher(text).matches());
    }
}
