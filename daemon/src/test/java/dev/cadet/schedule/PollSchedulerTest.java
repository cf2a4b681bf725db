package dev.cadet.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.poll.CreateUserDetector;
import dev.cadet.poll.FakeApi;
import dev.cadet.poll.FakeNormalizer;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.QuotaLimiters;
import dev.cadet.poll.StreamPoller;
import dev.cadet.schedule.PollScheduler.ScheduledStream;
import dev.cadet.schedule.PollScheduler.Settings;
import dev.cadet.store.SqliteStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollSchedulerTest {
    final SqliteStore store = new SqliteStore(SqliteStore.IN_MEMORY);
    final AtomicBoolean stopping = new AtomicBoolean();
    final Pipeline pipeline = new Pipeline(store, new CreateUserDetector(), CreateUserDetector::alertOf,
            new QuotaLimiters(), stopping::get, () -> { });

    @AfterEach
    void closeStore() {
        store.close();
    }

    static StreamSpec spec(String key) {
        return new StreamSpec(key, "fake.audit", TimeAxis.EVENT_TIME, Duration.ZERO, Duration.ofMinutes(1),
                Duration.ofHours(1), Duration.ofDays(7), Duration.ofMinutes(5), QuotaScope.unlimited(key), Map.of());
    }

    StreamPoller poller(String key, Source source) {
        return new StreamPoller(spec(key), source, new FakeNormalizer(), pipeline);
    }

    static Settings settings(int maxThreads, Duration misfireThreshold) {
        return new Settings("test-" + UUID.randomUUID(), maxThreads, misfireThreshold);
    }

    @Test
    void twoTriggersOfTheSameStreamNeverRunConcurrently() throws Exception {
        FakeApi slow = new FakeApi(Clock.systemUTC());
        slow.fetchTakes = Duration.ofMillis(250);
        FakeApi fast1 = new FakeApi(Clock.systemUTC());
        FakeApi fast2 = new FakeApi(Clock.systemUTC());
        PollScheduler scheduler = new PollScheduler(List.of(
                new ScheduledStream(poller("slow", slow), Duration.ofMillis(50)),
                new ScheduledStream(poller("fast1", fast1), Duration.ofMillis(100)),
                new ScheduledStream(poller("fast2", fast2), Duration.ofMillis(100))),
                settings(8, Duration.ofMillis(100)));
        assertEquals(3, scheduler.threadCount(), "min(streams, maxThreads)");
        scheduler.start();
        try {
            // a second trigger of the slow stream, fired while its interval trigger keeps firing too
            for (int i = 0; i < 12; i++) {
                scheduler.pollNow("slow");
                Thread.sleep(100);
            }
        } finally {
            scheduler.shutdown(true);
        }
        assertEquals(1, slow.mostConcurrentFetches.get(), "the slow stream ran twice at once");
        assertTrue(slow.fetches.get() >= 3, "the slow stream ran: " + slow.fetches.get());
        assertTrue(fast1.fetches.get() >= 3 && fast2.fetches.get() >= 3, "other streams were not starved");
    }

    @Test
    void misfiredScheduleRunsOnceNowThenContinues() throws Exception {
        // one worker thread: the slow stream holds it for 1.2 s, so the other stream's firings go late
        FakeApi blocker = new FakeApi(Clock.systemUTC());
        blocker.fetchTakes = Duration.ofMillis(1200);
        List<Long> runs = Collections.synchronizedList(new ArrayList<>());
        List<Long> blockerEnd = Collections.synchronizedList(new ArrayList<>());
        FakeApi late = new FakeApi(Clock.systemUTC());
        Source recordingLate = (stream, window, context) -> {
            runs.add(System.nanoTime());
            late.fetch(stream, window, context);
        };
        Source recordingBlocker = (stream, window, context) -> {
            blocker.fetch(stream, window, context);
            blockerEnd.add(System.nanoTime());
        };
        PollScheduler scheduler = new PollScheduler(List.of(
                new ScheduledStream(poller("blocker", recordingBlocker), Duration.ofHours(1)),
                new ScheduledStream(poller("late", recordingLate), Duration.ofMillis(1000), Duration.ofMillis(100))),
                settings(1, Duration.ofMillis(100)));
        assertEquals(1, scheduler.threadCount());
        scheduler.start();
        try {
            Thread.sleep(2600);
        } finally {
            scheduler.shutdown(true);
        }
        assertEquals(1, blockerEnd.size());
        long freed = blockerEnd.get(0);
        List<Long> after = runs.stream().filter(t -> t >= freed).toList();
        assertTrue(after.size() >= 2, "ran after the thread was free: " + after.size());
        // the missed firing (due at 100 ms) runs once as soon as the thread is free (~1200 ms), not at the
        // next scheduled time (1100 ms is past, 2100 ms is far) ...
        assertTrue(after.get(0) - freed < Duration.ofMillis(300).toNanos(), "first run soon after the thread was free");
        // ... then the interval again, with no burst of catch-up runs
        for (int i = 1; i < after.size(); i++) {
            long gap = after.get(i) - after.get(i - 1);
            assertTrue(gap > Duration.ofMillis(700).toNanos(), "runs " + (i - 1) + " and " + i + " only "
                    + Duration.ofNanos(gap).toMillis() + " ms apart");
        }
        assertEquals(after.size(), runs.size(), "no run while the blocker held the only thread");
    }
}
