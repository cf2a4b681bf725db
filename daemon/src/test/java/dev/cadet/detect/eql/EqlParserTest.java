package dev.cadet.detect.eql;

import static dev.cadet.detect.eql.EqlTestEvents.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.Event;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EqlParserTest {

    private static Query parse(String q) throws EqlParseException {
        return EqlParser.parse(q).query();
    }

    private static boolean matches(String condition, Event e) throws EqlParseException {
        Query q = parse("any where " + condition);
        return q.steps().get(0).matches(e);
    }

    private static EqlParseException fails(String q) {
        return assertThrows(EqlParseException.class, () -> EqlParser.parse(q));
    }

    @Test
    void eventQueryWithCategory() throws Exception {
        Query q = parse("iam where event.action == \"CreateUser\"");
        assertFalse(q.sequence());
        assertEquals("iam", q.steps().get(0).category());
        assertTrue(q.steps().get(0).matches(event("event.category", List.of("iam", "configuration"), "event.action", "CreateUser")));
        assertFalse(q.steps().get(0).matches(event("event.category", "network", "event.action", "CreateUser")));
        assertFalse(q.steps().get(0).matches(event("event.action", "CreateUser")), "no category: no match");
        assertTrue(parse("any where event.action == \"CreateUser\"").steps().get(0).matches(event("event.action", "CreateUser")));
    }

    @Test
    void sequenceStructure() throws Exception {
        EqlParser.Parsed p = EqlParser.parse("""
                sequence by cloud.account.id with maxspan=90s
                  [any where event.action == "CreateUser"] by user.target.name
                  [any where event.action == "CreateAccessKey"] by ?`user.target.name`
                until [any where event.action == "DeleteUser"] by user.target.name
                """);
        Query q = p.query();
        assertTrue(q.sequence());
        assertEquals(Duration.ofSeconds(90), q.maxspan());
        assertEquals(List.of(new Query.JoinKey("cloud.account.id", false)), q.sequenceBy());
        assertEquals(2, q.steps().size());
        assertEquals(List.of(new Query.JoinKey("user.target.name", true)), q.steps().get(1).by());
        assertEquals(1, q.until().by().size());
        assertTrue(p.warnings().isEmpty());
        assertEquals(3, q.steps().get(1).line());
    }

    @ParameterizedTest
    @CsvSource({"250ms,PT0.25S", "7s,PT7S", "5m,PT5M", "2h,PT2H", "1d,PT24H"})
    void maxspanUnits(String span, String expected) throws Exception {
        Query q = parse("sequence with maxspan=" + span + " [any where true] [any where true]");
        assertEquals(Duration.parse(expected), q.maxspan());
    }

    @Test
    void withBeforeBy() throws Exception {
        Query q = parse("sequence with maxspan=1m by a [any where true] [any where true]");
        assertEquals("a", q.sequenceBy().get(0).field());
    }

    @Test
    void oneQuerySequenceWarnsOnce() throws Exception {
        EqlParser.Parsed p = EqlParser.parse("sequence by a [any where true] by a");
        assertEquals(1, p.warnings().size());
        assertTrue(p.warnings().get(0).contains("single query"), p.warnings().get(0));
        assertTrue(p.warnings().get(0).startsWith("1:1:"), p.warnings().get(0));
    }

    @Test
    void booleanLogicAndPrecedence() throws Exception {
        Event e = event("a", "1", "b", "2");
        assertTrue(matches("a == \"1\" or a == \"x\" and b == \"x\"", e), "and binds tighter than or");
        assertFalse(matches("(a == \"1\" or a == \"x\") and b == \"x\"", e));
        assertTrue(matches("not a == \"x\"", e));
        assertFalse(matches("not not a == \"x\"", e));
    }

    @Test
    void comparisons() throws Exception {
        Event e = event("n", 5L, "d", 2.5, "s", "beta", "flag", true);
        assertTrue(matches("n == 5", e));
        assertTrue(matches("n != 4", e));
        assertTrue(matches("n < 6 and n <= 5 and n > 4 and n >= 5", e));
        assertFalse(matches("n < 5", e));
        assertTrue(matches("d > 2 and d < 3", e));
        assertTrue(matches("s > \"alpha\" and s < \"gamma\"", e));
        assertTrue(matches("s == \"beta\"", e));
        assertFalse(matches("s == \"BETA\"", e), "== is case-sensitive");
        assertTrue(matches("flag == true and flag", e));
        assertTrue(matches("n > -1", e));
    }

    @Test
    void missingFieldSemantics() throws Exception {
        Event e = event("event.action", "CreateUser");
        assertFalse(matches("error.code == \"x\"", e));
        assertFalse(matches("error.code != \"x\"", e), "!= against a missing field is false");
        assertTrue(matches("not error.code == \"x\"", e));
        assertFalse(matches("error.code : *", e));
        assertTrue(matches("not error.code : *", e), "not exists is true when absent");
        assertTrue(matches("error.code == null", e));
        assertFalse(matches("error.code != null", e));
        assertFalse(matches("error.code in (\"a\")", e));
        assertFalse(matches("error.code not in (\"a\")", e));
        assertFalse(matches("?error.code == \"x\"", e));
        assertTrue(matches("?error.code == null", e));
        Event withError = event("error.code", "AccessDenied");
        assertTrue(matches("error.code : *", withError));
        assertFalse(matches("not error.code : *", withError));
        assertTrue(matches("error.code != null", withError));
    }

    @Test
    void inAndNotIn() throws Exception {
        Event e = event("event.action", "CreateUser");
        assertTrue(matches("event.action in (\"CreateRole\", \"CreateUser\")", e));
        assertFalse(matches("event.action in (\"createuser\")", e));
        assertTrue(matches("event.action in~ (\"createuser\")", e));
        assertTrue(matches("event.action not in (\"CreateRole\")", e));
        assertFalse(matches("event.action not in (\"CreateRole\", \"CreateUser\")", e));
    }

    @Test
    void colonIsCaseInsensitiveWithWildcards() throws Exception {
        Event e = event("user.name", "Admin-Joe", "event.action", "Add user.");
        assertTrue(matches("user.name : \"admin-joe\"", e));
        assertTrue(matches("user.name : \"admin*\"", e));
        assertTrue(matches("user.name : \"?dmin-j?e\"", e));
        assertFalse(matches("user.name : \"admin\"", e));
        assertTrue(matches("user.name : (\"nobody\", \"*JOE\")", e));
        assertTrue(matches("event.action : \"add user.\"", e), "the dot is literal");
        assertFalse(matches("event.action : \"add user?x\"", e));
    }

    @Test
    void likeAndRegex() throws Exception {
        Event e = event("user.agent", "aws-cli/2.15 Python");
        assertTrue(matches("user.agent like \"aws-cli/*\"", e));
        assertFalse(matches("user.agent like \"AWS-CLI/*\"", e));
        assertTrue(matches("user.agent like~ \"AWS-CLI/*\"", e));
        assertTrue(matches("user.agent like (\"x\", \"*Python\")", e));
        assertTrue(matches("user.agent regex \"aws-cli/[0-9.]+ .*\"", e));
        assertFalse(matches("user.agent regex \"aws-cli\"", e), "regex matches the whole value");
        assertFalse(matches("user.agent regex \"AWS-CLI.*\"", e));
        assertTrue(matches("user.agent regex~ \"AWS-CLI.*\"", e));
    }

    @Test
    void multiValuedFieldsMatchAnyElement() throws Exception {
        Event e = event("tags", List.of("prod", "team-a"), "ports", List.of(22L, 443L));
        assertTrue(matches("tags == \"team-a\"", e));
        assertTrue(matches("tags : \"TEAM-*\"", e));
        assertTrue(matches("tags in (\"x\", \"prod\")", e));
        assertFalse(matches("tags != \"prod\"", e), "!= on an array is the negation of ==");
        assertTrue(matches("tags != \"dev\"", e));
        assertTrue(matches("ports > 400", e));
        assertTrue(matches("startsWith(tags, \"team\")", e));
        assertTrue(matches("length(tags) == 4", e));
    }

    @Test
    void stringsEscapesAndBackquotes() throws Exception {
        Event e = event("weird field", "a\"b\\c\td", "u", "é");
        assertTrue(matches("`weird field` == \"a\\\"b\\\\c\\td\"", e));
        assertTrue(matches("u == \"\\u{e9}\"", e));
        assertTrue(matches("u == \"\\u00e9\"", e));
        assertTrue(matches("`weird field` == \"\"\"a\"b\\c\td\"\"\"".replace("\\t", "\t"), e));
    }

    @Test
    void rawPathIsUsedWhenNoEcsField() throws Exception {
        Event e = EqlTestEvents.eventWithRaw(java.util.Map.of("requestParameters.userName", "bob", "event.action", "raw"),
                "event.action", "CreateUser");
        assertTrue(matches("requestParameters.userName == \"bob\"", e));
        assertTrue(matches("event.action == \"CreateUser\"", e), "the ECS field wins over the raw path");
    }

    @Test
    void stringFunctions() throws Exception {
        Event e = event("s", "Hello World", "ip", "10.1.2.3", "ip6", "2001:db8::1");
        assertTrue(matches("startsWith(s, \"Hello\")", e));
        assertFalse(matches("startsWith(s, \"hello\")", e));
        assertTrue(matches("startsWith~(s, \"hello\")", e));
        assertTrue(matches("endsWith(s, \"World\") and endsWith~(s, \"WORLD\")", e));
        assertTrue(matches("stringContains(s, \"o W\") and stringContains~(s, \"O w\")", e));
        assertFalse(matches("stringContains(s, \"O w\")", e));
        assertTrue(matches("length(s) == 11", e));
        assertTrue(matches("cidrMatch(ip, \"192.168.0.0/16\", \"10.0.0.0/8\")", e));
        assertFalse(matches("cidrMatch(ip, \"10.1.3.0/24\")", e));
        assertTrue(matches("cidrMatch(ip6, \"2001:db8::/32\")", e));
        assertFalse(matches("cidrMatch(s, \"10.0.0.0/8\")", e), "not an IP: no match, no lookup");
        assertTrue(matches("wildcard(s, \"h*\", \"*World\")", e));
        assertFalse(matches("wildcard(s, \"hello*\")", e));
        assertTrue(matches("wildcard~(s, \"hello*\")", e));
        assertTrue(matches("between(s, \"He\", \"o\") == \"ll\"", e));
        assertTrue(matches("between(s, \"He\", \"o\", true) == \"llo W\"", e));
        assertTrue(matches("between~(s, \"HE\", \"O\") == \"ll\"", e));
        assertTrue(matches("concat(s, \"!\", 1) == \"Hello World!1\"", e));
        assertTrue(matches("concat(s, missing) == null", e));
        assertTrue(matches("string(42) == \"42\"", e));
        assertTrue(matches("number(\"42\") == 42 and number(\"ff\", 16) == 255 and number(\"1.5\") == 1.5", e));
    }

    /** Literal blocks are parsed once at load (Nodes.CidrMatch); a block from a field goes through the function: the same answers. */
    @Test
    void cidrMatchOfLiteralBlocksAnswersAsTheFunction() throws Exception {
        Event e = event("net", "10.0.0.0/8", "ips", java.util.List.of("192.0.2.1", "10.9.9.9"), "none", java.util.List.of("x"));
        String[] addresses = {"10.1.2.3", "010.001.002.003", "9.255.255.255", "11.0.0.0", "10.1.2", "10.1.2.3.4", "256.1.2.3",
            "10.1.2.3 ", " 10.1.2.3", "1000.1.2.3", "10..2.3", "", "10.1.2.3/8", "::ffff:10.1.2.3", "2001:db8::1", "host.example"};
        for (String a : addresses) {
            Event one = event("ip", a, "net", "10.0.0.0/8", "net6", "2001:db8::/32");
            for (String blocks : new String[] {"\"10.0.0.0/8\"", "\"2001:db8::/32\", \"10.0.0.0/8\""}) {
                String fromField = blocks.replace("\"10.0.0.0/8\"", "net").replace("\"2001:db8::/32\"", "net6");
                assertEquals(matches("cidrMatch(ip, " + fromField + ")", one), matches("cidrMatch(ip, " + blocks + ")", one), a + " in " + blocks);
            }
        }
        assertTrue(matches("cidrMatch(\"010.001.002.003\", \"10.1.2.0/24\")", e), "leading zeros read as decimal");
        assertFalse(matches("cidrMatch(\"10.1.2.3 \", \"10.0.0.0/8\")", e), "a trailing space is not an address");
        assertTrue(matches("cidrMatch(ips, \"10.0.0.0/8\")", e), "any element of a list");
        assertTrue(matches("not cidrMatch(missing, \"10.0.0.0/8\") and not cidrMatch(none, \"10.0.0.0/8\")", e));
        assertTrue(matches("cidrMatch(ips, net)", e), "a block from a field");
    }

    /** The IPv4 reader without a regex reads exactly what dotted-quad syntax allows: checked against the regex. */
    @Test
    void ipv4LiteralsAreReadAsTheDottedQuadRegexReadsThem() {
        java.util.regex.Pattern quad = java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
        String junk = " a/.x-";
        java.util.SplittableRandom random = new java.util.SplittableRandom(5);
        int valid = 0;
        for (int n = 0; n < 200_000; n++) {
            StringBuilder text = new StringBuilder();
            int groups = 3 + random.nextInt(3); // 3 to 5 groups of 0 to 4 digits
            for (int g = 0; g < groups; g++) {
                if (g > 0) {
                    text.append('.');
                }
                for (int d = random.nextInt(5); d > 0; d--) {
                    text.append((char) ('0' + random.nextInt(10)));
                }
            }
            if (random.nextInt(4) == 0) {
                text.insert(random.nextInt(text.length() + 1), junk.charAt(random.nextInt(junk.length())));
            }
            String t = text.toString();
            var m = quad.matcher(t);
            byte[] expected = null;
            if (m.matches()) {
                expected = new byte[4];
                for (int i = 0; i < 4 && expected != null; i++) {
                    int octet = Integer.parseInt(m.group(i + 1));
                    if (octet > 255) {
                        expected = null;
                    } else {
                        expected[i] = (byte) octet;
                    }
                }
            }
            valid += expected == null ? 0 : 1;
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, Functions.ipLiteral(t), t);
        }
        assertTrue(valid > 1_000, "enough valid addresses among the random texts: " + valid);
    }

    @Test
    void arithmeticFunctions() throws Exception {
        Event e = event("n", 7L);
        assertTrue(matches("add(n, 3) == 10 and subtract(n, 10) == -3 and multiply(n, 2) == 14", e));
        assertTrue(matches("divide(n, 2) == 3 and divide(7.0, 2) == 3.5 and modulo(n, 4) == 3", e));
        assertTrue(matches("divide(n, 0) == null", e));
        assertFalse(matches("add(missing, 1) > 0", e));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '#', value = {
        "any where true | head 5#1#16#pipes",
        "join [any where true] [any where true]#1#1#join",
        "sample by a [any where true] [any where true]#1#1#sample",
        "any where foo(a) == 1#1#11#unsupported function 'foo'",
        "any where startswith(a, \"x\")#1#11#case-sensitive: startsWith",
        "any where a + 1 == 2#1#13#arithmetic",
        "sequence [any where true] with runs=2#1#27#runs",
        "sequence [any where true] ![any where true]#1#27#missing-event",
        "sequence with foo=1 [any where true]#1#15#parameter",
        "process where descendant of [process where true]#1#15#lineage ('descendant of')",
        "any where a == 1 and child of [any where true]#1#22#lineage ('child of')",
        "any where true or event of [any where true]#1#19#lineage ('event of')",
    })
    void unsupportedConstructsNameLineAndColumn(String query, int line, int column, String mentions) {
        EqlParseException e = fails(query);
        assertEquals(line, e.line(), e.getMessage());
        assertEquals(column, e.column(), e.getMessage());
        assertTrue(e.getMessage().contains(mentions), e.getMessage());
    }

    @Test
    void syntaxErrorsOnLaterLines() {
        EqlParseException e = fails("sequence by a\n  [any where a == \"x\"]\n  [any where a = \"y\"]");
        assertEquals(3, e.line());
        assertEquals(16, e.column());
        assertTrue(e.hint().contains("=="), e.getMessage());
        EqlParseException unterminated = fails("any where a == \"x");
        assertEquals(16, unterminated.column());
        EqlParseException span = fails("sequence with maxspan=5 [any where true]");
        assertTrue(span.hint().contains("units"), span.getMessage());
        EqlParseException keys = fails("sequence [any where true] by a [any where true]");
        assertEquals(1, keys.line());
        assertEquals(33, keys.column());
        assertTrue(keys.getMessage().contains("same number of 'by' keys"), keys.getMessage());
        EqlParseException single = fails("any where a == 'x'");
        assertTrue(single.hint().contains("double quotes"));
        EqlParseException alone = fails("any where \"x\"");
        assertTrue(alone.getMessage().contains("alone"));
        EqlParseException badCidr = fails("any where cidrMatch(ip, \"10.0.0.0/33\")");
        assertTrue(badCidr.getMessage().contains("CIDR"));
        EqlParseException badRegex = fails("any where a regex \"(\"");
        assertTrue(badRegex.getMessage().contains("regular expression"));
        EqlParseException arity = fails("any where length(a, b) == 1");
        assertTrue(arity.getMessage().contains("takes 1 argument"), arity.getMessage());
        EqlParseException noTilde = fails("any where length~(a) == 1");
        assertTrue(noTilde.getMessage().contains("case-insensitive"));
        assertTrue(fails("  ").getMessage().contains("empty query"));
    }

    @Test
    void requiredValuesForIndexing() throws Exception {
        Query q = parse("any where event.dataset == \"aws.cloudtrail\" and event.action in (\"CreateUser\", \"CreateRole\")");
        assertEquals(java.util.Set.of("createuser", "createrole"), q.steps().get(0).requiredValues("event.action"));
        assertEquals(java.util.Set.of("aws.cloudtrail"), q.steps().get(0).requiredValues("event.dataset"));
        Query or = parse("any where event.action == \"A\" or user.name == \"x\"");
        assertNull(or.steps().get(0).requiredValues("event.action"), "an or with an unpinned side cannot be indexed");
        Query colon = parse("any where event.action : (\"A\", \"b\")");
        assertEquals(java.util.Set.of("a", "b"), colon.steps().get(0).requiredValues("event.action"));
        assertNull(parse("any where event.action : \"A*\"").steps().get(0).requiredValues("event.action"));
    }

    @Test
    void indexKeysPairDatasetWithActionAcrossOrBranches() throws Exception {
        Query q = parse("any where event.dataset in (\"a\", \"b\") and ((event.dataset == \"a\" and event.action in (\"X\", \"Y\"))"
                + " or (event.dataset == \"b\" and event.action : \"Z\" and not error.code : *))");
        assertEquals(java.util.List.of(
                new Query.IndexKey(new Query.FieldValue("event.dataset", "a", false), new Query.FieldValue("event.action", "X", false)),
                new Query.IndexKey(new Query.FieldValue("event.dataset", "a", false), new Query.FieldValue("event.action", "Y", false)),
                new Query.IndexKey(new Query.FieldValue("event.dataset", "b", false), new Query.FieldValue("event.action", "Z", true))),
                q.steps().get(0).indexKeys());
        assertNull(parse("any where event.action == \"A\" or user.name : \"x*\"").steps().get(0).indexKeys());
    }
}
