package dev.cadet.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.RuleSet;
import dev.cadet.detect.Tuning;
import dev.cadet.detect.tuning.TuningFiles;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import dev.cadet.store.Store.RuleStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exceptions and suppression through the real poll path: the real engine and rules, a real SQLite
 * file, polls that deliver events late, and a restart (new store, engine and tuning) in between.
 */
class TuningPollTest {
    static final Instant T = Instant.parse("2026-05-01T12:00:00Z");
    static final String KEY = "fake/111122223333/us-east-1";

    @TempDir
    Path dir;

    final FakeClock clock = new FakeClock(T);
    final List<String[]> records = new ArrayList<>(); // {id, time, action, user}

    /** Serves every record whose event time is in the window. */
    final Source source = new Source() {
        @Override
        public void fetch(StreamSpec stream, dev.cadet.collector.Window window, dev.cadet.collector.FetchContext ctx) {
            List<RawRecord> page = new ArrayList<>();
            for (String[] r : records) {
                Instant t = Instant.parse(r[1]);
                if (!t.isBefore(window.start()) && t.isBefore(window.end())) {
                    page.add(new RawRecord("{\"id\":\"%s\",\"time\":\"%s\",\"action\":\"%s\",\"user\":\"%s\"}"
                            .formatted(r[0], r[1], r[2], r[3]), "test"));
                }
            }
            ctx.page(page);
        }

        @Override
        public Instant serverNow(StreamSpec stream) {
            return clock.instant();
        }
    };

    /** No settle lag; a 3 h re-scan overlap, so a later poll still reads an event that arrived late. */
    static StreamSpec spec() {
        return new StreamSpec(KEY, "fake.audit", TimeAxis.EVENT_TIME, Duration.ZERO, Duration.ofHours(3),
                Duration.ofHours(6), Duration.ofDays(90), Duration.ofHours(3), new QuotaScope("fake", 1000), Map.of());
    }

    /** What the daemon builds at start: engine and tuning restored from the store. */
    StreamPoller start(Store store) throws Exception {
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.writeString(rules.resolve("user-created.eql"), "any where event.action == \"CreateUser\"\n");
        Path tuningDir = Files.createDirectories(dir.resolve("exceptions"));
        Files.writeString(tuningDir.resolve("tuning.yaml"), """
                exceptions:
                  - rule: user-created
                    target: "svc-*"
                    reason: service accounts come from the pipeline
                    expires: 2099-01-01
                suppress:
                  - rule: user-created
                    by: [user.target.name]
                    for: 1h
                    reason: one alert per user per hour
                """);
        DetectionEngine engine = new DetectionEngine(RuleSet.load(List.of(rules)), Duration.ofHours(1));
        engine.restore(store.loadSequenceState());
        TuningFiles files = TuningFiles.load(List.of(tuningDir), clock.instant());
        assertEquals(List.of(), files.problems());
        Tuning tuning = new Tuning(files, clock);
        tuning.restore(store.loadSuppressions());
        Pipeline pipeline = new Pipeline(store, engine, new AlertFactory(engine)::toAlert, tuning,
                new QuotaLimiters(clock, clock.sleeper()), clock, d -> clock.advance(d), RetryPolicy.DEFAULT, () -> false,
                () -> { });
        return new StreamPoller(spec(), source, new FakeNormalizer(), pipeline);
    }

    void add(String id, String time, String user) {
        records.add(new String[] {id, "2026-05-01T" + time + "Z", "CreateUser", user});
    }

    static List<String> alerted(Store store) {
        return store.pending("out", 100).stream().flatMap(e -> e.alert().eventIds().stream()).toList();
    }

    @Test
    void exceptedAndSuppressedMatchesAreCountedAcrossPollsAndARestart() throws Exception {
        String db = dir.resolve("cadet.db").toString();
        try (SqliteStore store = new SqliteStore(db)) {
            StreamPoller poller = start(store);
            add("a1", "10:00:00", "alice");
            add("s1", "10:01:00", "svc-build");     // excepted
            add("a2", "10:20:00", "alice");         // suppressed, same poll
            assertEquals(PollResult.Outcome.POLLED, poller.pollOnce().outcome());
            assertEquals(List.of("a1"), alerted(store));

            clock.set(T.plus(Duration.ofMinutes(5)));
            add("a3", "10:40:00", "alice");         // late, suppressed by the window opened at 10:00
            add("b1", "10:41:00", "bob");           // another key: alert
            add("a0", "09:30:00", "alice");         // older than the window's start but within 1 h of it: suppressed
            poller.pollOnce();
            assertEquals(List.of("a1", "b1"), alerted(store));
            assertEquals(List.of(new RuleStats("user-created", 2, 1, 3)), store.ruleStats());
        }

        // restart: the suppression window comes back from the store
        clock.set(T.plus(Duration.ofMinutes(10)));
        try (SqliteStore store = new SqliteStore(db)) {
            StreamPoller poller = start(store);
            add("a4", "10:59:59", "alice");         // still inside [10:00, 11:00)
            add("a5", "11:00:00", "alice");         // the window has ended: alert, and a new window opens
            add("a6", "11:30:00", "alice");         // inside the new window
            poller.pollOnce();
            assertEquals(List.of("a1", "b1", "a5"), alerted(store));
            assertEquals(List.of(new RuleStats("user-created", 3, 1, 5)), store.ruleStats());
        }
    }

    @Test
    void withoutTuningEveryMatchIsAnAlertAndCounted() throws Exception {
        try (SqliteStore store = new SqliteStore(dir.resolve("plain.db").toString())) {
            Path rules = Files.createDirectories(dir.resolve("plain-rules"));
            Files.writeString(rules.resolve("user-created.eql"), "any where event.action == \"CreateUser\"\n");
            DetectionEngine engine = new DetectionEngine(RuleSet.load(List.of(rules)), Duration.ofHours(1));
            Pipeline pipeline = new Pipeline(store, engine, new AlertFactory(engine)::toAlert,
                    new QuotaLimiters(clock, clock.sleeper()), clock, d -> clock.advance(d), RetryPolicy.DEFAULT,
                    () -> false, () -> { });
            add("a1", "10:00:00", "alice");
            add("a2", "10:20:00", "alice");
            add("s1", "10:01:00", "svc-build");
            new StreamPoller(spec(), source, new FakeNormalizer(), pipeline).pollOnce();
            assertEquals(List.of("a1", "s1", "a2"), alerted(store));
            assertEquals(List.of(new RuleStats("user-created", 3, 0, 0)), store.ruleStats());
        }
    }
}
