package dev.cadet.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.store.Store.PollCommit;
import dev.cadet.store.Store.Rejected;
import dev.cadet.store.Store.SeenEvent;
import dev.cadet.store.Store.SequenceKey;
import dev.cadet.store.Store.StreamHealth;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest {
    static final String S = "aws/111122223333/us-east-1";
    static final Instant T0 = Instant.parse("2024-05-01T10:00:00Z");

    @TempDir
    Path dir;

    static Alert alert(String id) {
        return new Alert(id, T0, "rule-1", "Rule one", Severity.MEDIUM, 47, List.of("T1136.003"), "aws.cloudtrail",
                "111122223333", "alice", "mallory", "198.51.100.7", List.of("ev-" + id), false);
    }

    static PollCommit commit(String stream, Instant watermark, List<SeenEvent> seen, List<Alert> alerts) {
        return new PollCommit(stream, T0, watermark, seen, alerts, Map.of(), Set.of(), Map.of(), List.of(), 1, 0, List.of());
    }

    private SqliteStore open() {
        return new SqliteStore(dir.resolve("state/sub/cadet.db").toString());
    }

    @Test
    void freshFileIsMigratedWithWalAndReopenKeepsTheVersion() throws Exception {
        Path file = dir.resolve("state/sub/cadet.db");
        try (SqliteStore store = open()) {
            assertEquals(SchemaMigrations.latest(), store.schemaVersion());
        }
        assertTrue(Files.exists(file), "parent folders and file created");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertEquals("wal", rs.getString(1));
            }
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM schema_version")) {
                rs.next();
                assertEquals(1, rs.getInt(1), "one version row");
            }
        }
        try (SqliteStore store = open()) {
            assertEquals(SchemaMigrations.latest(), store.schemaVersion());
            assertTrue(store.streamHealth().isEmpty());
        }
    }

    @Test
    void schemaNewerThanTheCodeIsAClearError() throws Exception {
        Path file = dir.resolve("state/sub/cadet.db");
        open().close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement st = c.createStatement()) {
            st.execute("UPDATE schema_version SET version = 99");
        }
        StoreException e = assertThrows(StoreException.class, this::open);
        assertTrue(e.getMessage().contains("schema version 99"), e.getMessage());
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
    }

    @Test
    void failedCommitLeavesNothingVisible() {
        try (SqliteStore store = open()) {
            store.commit(commit(S, T0, List.of(), List.of()));
            // the item mark with a null state violates NOT NULL after seen ids, alerts and sequence
            // state were already written inside the transaction
            Map<String, String> badMark = new HashMap<>();
            badMark.put("blob-1", null);
            PollCommit failing = new PollCommit(S, T0.plusSeconds(60), T0.plusSeconds(60),
                    List.of(new SeenEvent("e1", T0)), List.of(alert("a1")),
                    Map.of(new SequenceKey("rule-1", "k"), "{}"), Set.of(), badMark,
                    List.of(new Rejected("p1", "bad", "{}")), 5, 1, List.of(100L));
            assertThrows(StoreException.class, () -> store.commit(failing));

            assertEquals(T0, store.watermark(S).orElseThrow());
            assertTrue(store.seen(S, List.of("e1")).isEmpty());
            assertTrue(store.pending("syslog", 10).isEmpty());
            assertTrue(store.loadSequenceState().isEmpty());
            StreamHealth h = store.streamHealth().get(0);
            assertEquals(1, h.requests());
            assertEquals(0, h.rejected());
            assertNull(h.arrivalDelayP50Ms());
            // and the writer still works afterwards
            store.commit(commit(S, T0.plusSeconds(60), List.of(new SeenEvent("e1", T0)), List.of(alert("a1"))));
            assertEquals(Set.of("e1"), store.seen(S, List.of("e1", "e2")));
        }
    }

    @Test
    void outboxIsInOrderWithACursorPerOutputAndIgnoresARepeatedAlertId() {
        try (SqliteStore store = open()) {
            store.commit(commit(S, null, List.of(), List.of(alert("a1"), alert("a2"))));
            store.commit(commit(S, null, List.of(), List.of(alert("a2"), alert("a3"))));
            assertFalse(store.enqueue(alert("a1")), "same id already queued");
            assertTrue(store.enqueue(alert("test-1")));

            List<String> ids = store.pending("syslog", 10).stream().map(e -> e.alert().id()).toList();
            assertEquals(List.of("a1", "a2", "a3", "test-1"), ids);
            assertEquals(alert("a2"), store.pending("syslog", 10).get(1).alert(), "JSON round trip");

            long secondSeq = store.pending("syslog", 10).get(1).seq();
            store.markSent("syslog", secondSeq);
            assertEquals(List.of("a3", "test-1"), store.pending("syslog", 10).stream().map(e -> e.alert().id()).toList());
            assertEquals(4, store.pending("file", 10).size(), "other output has its own cursor");
            assertEquals(1, store.pending("file", 1).size(), "limit");
            store.markSent("syslog", 1); // never moves back
            assertEquals(Map.of("syslog", 2L, "file", 4L), store.outboxDepth(List.of("syslog", "file")));
        }
    }

    @Test
    void seenReturnsOnlyCommittedIdsOfThatStream() {
        try (SqliteStore store = open()) {
            store.commit(commit(S, null, List.of(new SeenEvent("e1", T0), new SeenEvent("e2", T0)), List.of()));
            store.commit(commit("other", null, List.of(new SeenEvent("e3", T0)), List.of()));
            assertEquals(Set.of("e1", "e2"), store.seen(S, List.of("e1", "e2", "e3", "e4")));
            List<String> many = new ArrayList<>();
            for (int i = 0; i < 1200; i++) {
                many.add("x" + i);
            }
            many.add("e2");
            assertEquals(Set.of("e2"), store.seen(S, many), "more ids than one query takes");
            assertEquals(2, store.streamHealth().get(0).events(), "streams sorted by key: " + S + " first");
        }
    }

    @Test
    void watermarkNeverMovesBackwards() {
        try (SqliteStore store = open()) {
            assertTrue(store.watermark(S).isEmpty());
            store.commit(commit(S, T0.plusSeconds(600), List.of(), List.of()));
            store.commit(commit(S, T0, List.of(), List.of()));
            assertEquals(T0.plusSeconds(600), store.watermark(S).orElseThrow());
            store.commit(commit(S, null, List.of(), List.of()));
            assertEquals(T0.plusSeconds(600), store.watermark(S).orElseThrow());
            store.commit(commit(S, T0.plusSeconds(601), List.of(), List.of()));
            assertEquals(T0.plusSeconds(601), store.watermark(S).orElseThrow());
        }
    }

    @Test
    void healthCountsFailuresAndSuccessResetsThem() {
        try (SqliteStore store = open()) {
            store.recordFailure(S, T0, "AccessDenied: grant cloudtrail:LookupEvents", true);
            store.recordFailure(S, T0.plusSeconds(1), "still denied", true);
            StreamHealth h = store.streamHealth().get(0);
            assertTrue(h.stopped());
            assertEquals(2, h.consecutiveFailures());
            assertEquals("still denied", h.lastError());
            assertEquals(T0.plusSeconds(1), h.lastFailure());
            store.recordWarning(S, T0, "possible data loss before 2024-01-01T00:00:00Z");
            List<Long> delays = new ArrayList<>();
            for (long i = 1; i <= 100; i++) {
                delays.add(i * 1000);
            }
            store.commit(new PollCommit(S, T0.plusSeconds(5), T0, List.of(new SeenEvent("e1", T0)), List.of(),
                    Map.of(), Set.of(), Map.of(), List.of(new Rejected("page 1", "eventTime: missing", "{\"a\":1}")),
                    3, 2, delays));
            h = store.streamHealth().get(0);
            assertFalse(h.stopped());
            assertEquals(0, h.consecutiveFailures());
            assertEquals(T0.plusSeconds(5), h.lastSuccess());
            assertTrue(h.lastWarning().contains("possible data loss"));
            assertEquals(3, h.requests());
            assertEquals(2, h.throttles());
            assertEquals(1, h.events());
            assertEquals(1, h.rejected());
            assertEquals(50_000L, h.arrivalDelayP50Ms());
            assertEquals(99_000L, h.arrivalDelayP99Ms());
        }
    }

    @Test
    void arrivalDelaySampleKeepsOnlyTheMostRecent() {
        try (SqliteStore store = open()) {
            for (int round = 0; round < 3; round++) {
                List<Long> delays = new ArrayList<>();
                for (int i = 0; i < 600; i++) {
                    delays.add(round == 2 ? 7L : 1_000_000L);
                }
                store.commit(new PollCommit(S, T0, null, List.of(), List.of(), Map.of(), Set.of(), Map.of(),
                        List.of(), 0, 0, delays));
            }
            // the last 1000 are 600 x 7 and 400 x 1e6: p50 is 7, p99 is 1e6
            StreamHealth h = store.streamHealth().get(0);
            assertEquals(7L, h.arrivalDelayP50Ms());
            assertEquals(1_000_000L, h.arrivalDelayP99Ms());
        }
    }

    @Test
    void sequenceStateUpsertsAndDeletesAndItemMarks() {
        try (SqliteStore store = open()) {
            SequenceKey k1 = new SequenceKey("r", "alice");
            SequenceKey k2 = new SequenceKey("r", "bob");
            store.commit(new PollCommit(S, T0, null, List.of(), List.of(), Map.of(k1, "s1", k2, "s2"), Set.of(),
                    Map.of("blob-1", "done"), List.of(), 0, 0, List.of()));
            store.commit(new PollCommit(S, T0, null, List.of(), List.of(), Map.of(k1, "s1b"), Set.of(k2),
                    Map.of(), List.of(), 0, 0, List.of()));
            assertEquals(Map.of(k1, "s1b"), store.loadSequenceState());
            assertTrue(store.itemMarked(S, "blob-1"));
            assertFalse(store.itemMarked(S, "blob-2"));
            assertFalse(store.itemMarked("other", "blob-1"));
        }
    }

    @Test
    void pruneDropsOldRowsAndAlertsSentByEveryOutput() {
        try (SqliteStore store = open()) {
            store.commit(new PollCommit(S, T0, null, List.of(new SeenEvent("old", T0)), List.of(alert("a1"), alert("a2")),
                    Map.of(), Set.of(), Map.of("blob-old", "done"), List.of(new Rejected("o", "r", "x")), 0, 0, List.of()));
            Instant later = T0.plusSeconds(86_400);
            store.commit(new PollCommit(S, later, null, List.of(new SeenEvent("new", later)), List.of(),
                    Map.of(), Set.of(), Map.of("blob-new", "done"), List.of(), 0, 0, List.of()));
            long first = store.pending("syslog", 10).get(0).seq();
            store.markSent("syslog", first);
            store.markSent("file", first + 1);

            store.prune(T0.plusSeconds(3600), List.of("syslog", "file"));

            assertEquals(Set.of("new"), store.seen(S, List.of("old", "new")));
            assertFalse(store.itemMarked(S, "blob-old"));
            assertTrue(store.itemMarked(S, "blob-new"));
            assertTrue(store.pending("file", 10).isEmpty());
            // a1 was sent by both and is gone; a2 was sent by "file" only and stays for "syslog"
            assertEquals(List.of("a2"), store.pending("syslog", 10).stream().map(e -> e.alert().id()).toList());
            assertFalse(store.enqueue(alert("a2")));
            assertTrue(store.enqueue(alert("a1")), "a1 was pruned, so its id is free again");
        }
    }

    @Test
    void stateSurvivesCloseAndReopen() {
        try (SqliteStore store = open()) {
            store.commit(new PollCommit(S, T0, T0.plusSeconds(60), List.of(new SeenEvent("e1", T0)), List.of(alert("a1")),
                    Map.of(new SequenceKey("r", "k"), "st"), Set.of(), Map.of("i", "done"), List.of(), 2, 0, List.of(5L)));
            store.markSent("syslog", 0);
        }
        try (SqliteStore store = open()) {
            assertEquals(T0.plusSeconds(60), store.watermark(S).orElseThrow());
            assertEquals(Set.of("e1"), store.seen(S, List.of("e1")));
            assertEquals(List.of(alert("a1")), store.pending("syslog", 10).stream().map(Store.OutboxEntry::alert).toList());
            assertEquals(Map.of(new SequenceKey("r", "k"), "st"), store.loadSequenceState());
            assertTrue(store.itemMarked(S, "i"));
            assertEquals(5L, store.streamHealth().get(0).arrivalDelayP50Ms());
        }
    }

    @Test
    void concurrentCommitsAndReadsFromManyThreadsAllLand() throws Exception {
        try (SqliteStore store = open()) {
            List<Thread> threads = new ArrayList<>();
            List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int t = 0; t < 4; t++) {
                String stream = "s" + t;
                threads.add(new Thread(() -> {
                    try {
                        for (int i = 0; i < 50; i++) {
                            store.commit(commit(stream, T0.plusSeconds(i), List.of(new SeenEvent(stream + "-" + i, T0)),
                                    List.of(alert(stream + "-" + i))));
                            store.pending("syslog", 5);
                            store.seen(stream, List.of(stream + "-" + i));
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            assertTrue(errors.isEmpty(), errors.toString());
            assertEquals(200, store.pending("syslog", 1000).size());
            for (int t = 0; t < 4; t++) {
                assertEquals(T0.plusSeconds(49), store.watermark("s" + t).orElseThrow());
            }
        }
    }

    @Test
    void inMemoryStoreWorksWithOneConnection() {
        try (SqliteStore store = new SqliteStore(SqliteStore.IN_MEMORY)) {
            store.commit(commit(S, T0, List.of(new SeenEvent("e1", T0)), List.of(alert("a1"))));
            assertEquals(Set.of("e1"), store.seen(S, List.of("e1")));
            assertEquals(1, store.pending("stdout", 10).size());
            assertEquals(T0, store.watermark(S).orElseThrow());
        }
    }
}
