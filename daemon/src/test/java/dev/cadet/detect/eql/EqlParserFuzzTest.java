package dev.cadet.detect.eql;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Random token soup: the parser either parses or throws EqlParseException with a position, nothing else. */
class EqlParserFuzzTest {
    private static final String[] PIECES = {
        "sequence", "by", "with", "maxspan", "=", "5m", "10", "until", "[", "]", "any", "where", "iam", "and", "or",
        "not", "in", "in~", "(", ")", ",", "==", "!=", "<", "<=", ">", ">=", ":", "*", "?", "like", "like~", "regex",
        "regex~", "\"x*\"", "\"a\\\"b\"", "\"\\u{41}\"", "\"\\q\"", "\"(\"", "`f g`", "event.action", "user.name",
        "true", "false", "null", "-", "1.5", "startsWith", "startsWith~", "cidrMatch", "\"10.0.0.0/8\"", "between",
        "concat", "length", "divide", "|", "head", "join", "sample", "!", "\n", "'", "\"", "`", "/*", "//", "~", "e5",
        "0x", "\u00e9", "\u0000", "runs", "number", "\"\"\"", "@timestamp", "%", "+", "."
    };

    @Test
    void randomInputsOnlyEverRaiseParseExceptions() {
        Random random = new Random(20240501L);
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = 1 + random.nextInt(25);
            for (int k = 0; k < n; k++) {
                sb.append(PIECES[random.nextInt(PIECES.length)]);
                sb.append(random.nextInt(4) == 0 ? "" : " ");
            }
            String input = sb.toString();
            try {
                EqlParser.parse(input);
            } catch (EqlParseException e) {
                assertTrue(e.line() >= 1 && e.column() >= 1, "position for: " + input);
            } catch (RuntimeException | StackOverflowError e) {
                fail("input " + i + " threw " + e + ": " + input, e);
            }
        }
    }

    @Test
    void deepNestingIsAParseErrorNotAStackOverflow() {
        EqlParseException e = org.junit.jupiter.api.Assertions.assertThrows(EqlParseException.class,
                () -> EqlParser.parse("any where " + "(".repeat(5000) + "a == 1" + ")".repeat(5000)));
        assertTrue(e.getMessage().contains("nested"), e.getMessage());
    }

    @Test
    void mutatedSeedQueriesOnlyEverRaiseParseExceptions() {
        String seed = "sequence by cloud.account.id with maxspan=5m [any where event.dataset in (\"a\", \"b\") and "
                + "(not error.code : * or startsWith~(user.name, \"x\"))] by cloud.account.id";
        Random random = new Random(7L);
        int parsed = 0;
        for (int i = 0; i < 3000; i++) {
            StringBuilder sb = new StringBuilder(seed);
            int edits = 1 + random.nextInt(3);
            for (int k = 0; k < edits; k++) {
                int at = random.nextInt(sb.length());
                switch (random.nextInt(3)) {
                    case 0 -> sb.deleteCharAt(at);
                    case 1 -> sb.insert(at, PIECES[random.nextInt(PIECES.length)]);
                    default -> sb.setCharAt(at, (char) (32 + random.nextInt(95)));
                }
            }
            try {
                EqlParser.parse(sb.toString());
                parsed++;
            } catch (EqlParseException e) {
                assertTrue(e.line() >= 1 && e.column() >= 1);
            } catch (RuntimeException | StackOverflowError e) {
                fail("mutation " + i + " threw " + e + ": " + sb, e);
            }
        }
        assertTrue(parsed > 0, "some mutations (e.g. in string contents) still parse");
    }
}
