package dev.cadet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import dev.cadet.store.Store.PollCommit;
import dev.cadet.store.Store.TuningCommit;
import dev.cadet.store.Store.TuningCounts;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cadet status} shows per rule the alerts and the matches tuning excepted or suppressed. */
class StatusRuleStatsTest {
    @TempDir
    Path dir;

    @Test
    void tableAndJsonShowCountsPerRuleAndTuningNotes() throws Exception {
        Instant t = Instant.parse("2026-05-01T10:00:00Z");
        List<Store.RuleStats> stats;
        try (Store store = new SqliteStore(dir.resolve("s.db").toString())) {
            Alert a = new Alert(Alert.idOf("gws-user-created", List.of("e1")), t, "gws-user-created", "GWS user", Severity.LOW,
                    21, List.of(), null, null, null, null, null, List.of("e1"), false);
            TuningCommit tuning = new TuningCommit(Map.of(), Map.of(
                    "gws-user-created", new TuningCounts(2, 5), "aws-user-created-then-admin", new TuningCounts(1, 0)));
            PollCommit commit = new PollCommit("s", t, t, List.of(), List.of(a), Map.of(), Set.of(), Map.of(), List.of(), 0, 0,
                    List.of(), tuning);
            store.commit(commit);
            store.commit(commit); // the same alert again is not counted twice; tuning counts add up
            stats = store.ruleStats();
        }
        assertEquals(List.of(new Store.RuleStats("aws-user-created-then-admin", 0, 2, 0),
                new Store.RuleStats("gws-user-created", 1, 4, 10)), stats);

        List<String> notes = List.of("warning: x.yaml: exceptions[0]: expired 2026-01-01T00:00:00Z, no longer applied");
        String table = StatusCommand.table(List.of(), Map.of(), stats, notes, t);
        assertTrue(table.lines().anyMatch(l -> l.matches("gws-user-created\\s+1\\s+4\\s+10")), table);
        assertTrue(table.contains("RULE") && table.contains("SUPPRESSED") && table.contains("expired 2026-01-01"), table);

        JsonNode json = new ObjectMapper().readTree(StatusCommand.json(List.of(), Map.of(), stats, notes, t));
        assertEquals(10, json.path("rules").path("gws-user-created").path("suppressed").asInt());
        assertEquals(4, json.path("rules").path("gws-user-created").path("excepted").asInt());
        assertEquals(1, json.path("rules").path("gws-user-created").path("alerts").asInt());
        assertEquals(notes.get(0), json.path("tuning").get(0).asText());
    }
}
