package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class StepIndexTest {
    @Test
    void ignoreCaseTableFindsEveryKeyIgnoringCaseAcrossGrowth() {
        StepIndex.IgnoreCaseTable<String> table = new StepIndex.IgnoreCaseTable<>();
        for (int i = 0; i < 500; i++) {
            String key = "CreateThing" + i;
            assertEquals(key, table.computeIfAbsent(key, () -> key));
        }
        for (int i = 0; i < 500; i++) {
            assertEquals("CreateThing" + i, table.get("CREATETHING" + i));
            assertEquals("CreateThing" + i, table.get("creatething" + i));
        }
        assertNull(table.get("CreateThing500"));
        assertEquals("CreateThing7", table.get("cREATEtHING7"), "found past the fingerprint check");
        table.computeIfAbsent("k", () -> "kelvin");
        assertEquals("kelvin", table.get("\u212A"), "the Kelvin sign equals k ignoring case");
        assertEquals("CreateThing7", table.computeIfAbsent("createTHING7", () -> "new"), "a key equal ignoring case is the same entry");
    }

    /** The table's contract: strings equal ignoring case hash alike and share a fingerprint, the ASCII fast path included. */
    @Test
    void stringsEqualIgnoringCaseHashAlike() {
        // each group: characters String.equalsIgnoreCase treats as one (Kelvin sign, long s, dotted and dotless i...)
        String[][] groups = {{"k", "K", "\u212A"}, {"s", "S", "\u017F"}, {"i", "I", "\u0130", "\u0131"}, {"a", "A"},
                {"\u00E9", "\u00C9"}, {"\u03C3", "\u03A3", "\u03C2"}, {"1"}, {" "}, {"."}, {"\uD801\uDC00", "\uD801\uDC28"}};
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        int equalPairs = 0;
        for (int n = 0; n < 20_000; n++) {
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int len = random.nextInt(8); len > 0; len--) {
                String[] g = groups[random.nextInt(groups.length)];
                a.append(g[random.nextInt(g.length)]);
                b.append(g[random.nextInt(g.length)]);
            }
            if (a.toString().equalsIgnoreCase(b.toString())) {
                equalPairs++;
                assertEquals(StepIndex.IgnoreCaseTable.hash(a.toString()), StepIndex.IgnoreCaseTable.hash(b.toString()),
                        () -> "'" + a + "' and '" + b + "' are equal ignoring case");
                assertEquals(StepIndex.IgnoreCaseTable.fingerprint(a.toString()), StepIndex.IgnoreCaseTable.fingerprint(b.toString()),
                        () -> "'" + a + "' and '" + b + "' are equal ignoring case: the same fingerprint");
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(equalPairs > 5_000, "enough equal pairs: " + equalPairs);
    }
}
