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
        assertEquals("CreateThing7", table.computeIfAbsent("createTHING7", () -> "new"), "a key equal ignoring case is the same entry");
    }
}
