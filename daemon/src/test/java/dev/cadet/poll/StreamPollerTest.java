package dev.cadet.poll;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.collector.Window;
import dev.cadet.detect.Detector;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import dev.cadet.store.Store.StreamHealth;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamPollerTest {
    static final Instant T = Instant.parse("2024-05-01T12:00:00Z");
    static final String KEY = "fake/111122223333/us-east-1";

    @TempDir
    Path dir;

    final FakeClock clock = new FakeClock(T);
    final FakeApi api = new FakeApi(clock);
    final CreateUserDetector detector = new CreateUserDetector();
    final List<Duration> retrySleeps = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger forwarderWakeups = new AtomicInteger();
    final AtomicBoolean stopping = new AtomicBoolean();
    SqliteStore store;

    @BeforeEach
    void open() {
        store = new SqliteStore(dir.resolve("cadet.db").toString());
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** settle lag 5m, overlap 30m, max window 1h, retention 90d, backfill 3h, 1000 requests/s. */
    static StreamSpec spec() {
        return new StreamSpec(KEY, "fake.audit", TimeAxis.EVENT_TIME, Duration.ofMinutes(5), Duration.ofMinutes(30),
                Duration.ofHours(1), Duration.ofDays(90), Duration.ofHours(3), new QuotaScope("fake/111122223333", 1000),
                Map.of());
    }

    Pipeline pipeline(Store s) {
        Sleeper retrySleeper = d -> {
            retrySleeps.add(d);
            clock.advance(d);
        };
        return new Pipeline(s, detector, CreateUserDetector::alertOf, new QuotaLimiters(clock, clock.sleeper()), clock,
                retrySleeper, new RetryPolicy(4, Duration.ofSeconds(1), Duration.ofSeconds(8)), stopping::get,
                forwarderWakeups::incrementAndGet);
    }

    StreamPoller poller(StreamSpec spec) {
        return new StreamPoller(spec, api, new FakeNormalizer(), pipeline(store));
    }

    StreamHealth health() {
        return store.streamHealth().stream().filter(h -> h.streamKey().equals(KEY)).findFirst().orElseThrow();
    }

    List<String> alertedEventIds() {
        return store.pending("syslog", 100).stream().flatMap(e -> e.alert().eventIds().stream()).toList();
    }

    @Test
    void windowFollowsBackfillSettleLagOverlapAndIsSplitByMaxWindow() {
        StreamPoller poller = poller(spec());
        PollResult first = poller.pollOnce();

        assertEquals(PollResult.Outcome.POLLED, first.outcome());
        assertEquals(List.of(
                new Window(T.minus(Duration.ofHours(3)), T.minus(Duration.ofHours(2))),
                new Window(T.minus(Duration.ofHours(2)), T.minus(Duration.ofHours(1))),
                new Window(T.minus(Duration.ofHours(1)), T.minus(Duration.ofMinutes(5)))), api.windowsRead);
        assertEquals(3, first.partsCommitted());
        assertEquals(3, forwarderWakeups.get(), "forwarder woken after each committed part");
        assertEquals(T.minus(Duration.ofMinutes(5)), store.watermark(KEY).orElseThrow());
        assertEquals(List.of(T.minus(Duration.ofHours(2)), T.minus(Duration.ofHours(1)), T.minus(Duration.ofMinutes(5))),
                detector.advancedTo, "the detector is advanced to each part's end");
        assertEquals(List.of(KEY, KEY, KEY), detector.advancedStreams, "as this stream's watermark");

        api.windowsRead.clear();
        clock.set(T.plus(Duration.ofMinutes(10)));
        poller.pollOnce();
        assertEquals(List.of(new Window(T.minus(Duration.ofMinutes(35)), T.plus(Duration.ofMinutes(5)))), api.windowsRead);
        assertEquals(T.plus(Duration.ofMinutes(5)), store.watermark(KEY).orElseThrow());
    }

    @Test
    void nothingIsReadWhenTheWindowIsEmpty() {
        StreamSpec noOverlap = spec().withTiming(Duration.ofMinutes(5), Duration.ZERO, Duration.ofHours(4), Duration.ofHours(1));
        StreamPoller poller = poller(noOverlap);
        assertEquals(PollResult.Outcome.POLLED, poller.pollOnce().outcome());
        int fetches = api.fetches.get();
        clock.set(T); // the quota limiter's tiny waits moved the clock; the server's now is where it was
        assertEquals(PollResult.Outcome.NOTHING_TO_READ, poller.pollOnce().outcome());
        assertEquals(fetches, api.fetches.get());
    }

    @Test
    void watermarkOlderThanRetentionIsClampedWithAWarning() {
        StreamSpec spec = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(365), Duration.ofHours(3));
        Instant stale = T.minus(Duration.ofDays(100));
        store.commit(new Store.PollCommit(KEY, stale, stale, List.of(), List.of(), Map.of(), java.util.Set.of(), Map.of(),
                List.of(), 0, 0, List.of()));

        poller(spec).pollOnce();

        Instant oldestReadable = T.minus(Duration.ofDays(90));
        assertEquals(List.of(new Window(oldestReadable, T.minus(Duration.ofMinutes(5)))), api.windowsRead);
        String warning = health().lastWarning();
        assertTrue(warning.contains("possible data loss before " + oldestReadable), warning);
    }

    @Test
    void recordSeenInTwoOverlappingWindowsAlertsOnce() {
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        api.add("e2", T.minus(Duration.ofMinutes(21)), "ListUsers", "-");
        StreamPoller poller = poller(spec());
        poller.pollOnce();
        clock.set(T.plus(Duration.ofMinutes(10)));
        PollResult second = poller.pollOnce();

        assertTrue(api.windowsRead.get(api.windowsRead.size() - 1).contains(T.minus(Duration.ofMinutes(20))),
                "the second window re-read the record");
        assertEquals(0, second.newEvents());
        assertEquals(List.of("e1"), alertedEventIds());
        assertEquals(2, health().events());
        assertEquals(Map.of(new Store.SequenceKey(CreateUserDetector.RULE, "mallory"), "1"), store.loadSequenceState());
    }

    @Test
    void lateRecordInsideTheOverlapAlertsOnceAndItsDelayIsMeasured() {
        StreamPoller poller = poller(spec());
        poller.pollOnce();
        assertTrue(alertedEventIds().isEmpty());

        // arrives after the first poll, with an event time before the watermark (T-5m)
        api.add("late", T.minus(Duration.ofMinutes(15)), "CreateUser", "mallory");
        clock.set(T.plus(Duration.ofMinutes(10)));
        poller.pollOnce();
        clock.set(T.plus(Duration.ofMinutes(20)));
        poller.pollOnce();

        assertEquals(List.of("late"), alertedEventIds());
        assertEquals(Duration.ofMinutes(25).toMillis(), health().arrivalDelayP50Ms());
    }

    @Test
    void failureAfterPageTwoReReadsTheWindowWithoutDuplicateAlerts() {
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));
        for (int i = 1; i <= 6; i++) {
            api.add("e" + i, T.minus(Duration.ofMinutes(10L * i)), i == 1 || i == 3 ? "CreateUser" : "ListUsers", "user" + i);
        }
        api.failAfterPages = 2;
        api.pageFailuresLeft.set(1);
        StreamPoller poller = poller(oneWindow);

        PollResult failed = poller.pollOnce();
        assertEquals(PollResult.Outcome.FAILED, failed.outcome());
        assertTrue(store.watermark(KEY).isEmpty(), "the watermark did not move");
        assertTrue(alertedEventIds().isEmpty(), "nothing of the failed window is committed");
        assertTrue(store.seen(KEY, List.of("e1", "e2", "e3", "e4")).isEmpty());
        assertTrue(detector.advancedTo.isEmpty());
        assertEquals(1, health().consecutiveFailures());
        assertTrue(health().lastError().contains("connection reset after page 2"), health().lastError());

        clock.set(T); // undo the quota limiter's pacing of the fake clock: same server time, same window
        PollResult retried = poller.pollOnce();
        assertEquals(PollResult.Outcome.POLLED, retried.outcome());
        assertEquals(api.windowsRead.get(0), api.windowsRead.get(1), "the same window is read again");
        assertEquals(List.of("e3", "e1"), alertedEventIds(), "each alert once, in event-time order");
        assertEquals(T.minus(Duration.ofMinutes(5)), store.watermark(KEY).orElseThrow());
        assertEquals(0, health().consecutiveFailures());
        assertEquals(6, health().events());
    }

    @Test
    void failureInTheSecondPartKeepsTheFirstPartCommitted() {
        api.add("early", T.minus(Duration.ofMinutes(150)), "CreateUser", "early");
        api.add("later", T.minus(Duration.ofMinutes(90)), "CreateUser", "later");
        AtomicInteger fetchNo = new AtomicInteger();
        Source secondFetchFails = (stream, window, context) -> {
            if (fetchNo.incrementAndGet() == 2) {
                api.fetch(stream, window, context);
                throw CollectorException.retry("HTTP 500 after the last page", null, null);
            }
            api.fetch(stream, window, context);
        };
        StreamPoller poller = new StreamPoller(spec(), secondFetchFails, new FakeNormalizer(), pipeline(store));

        PollResult r = poller.pollOnce();
        assertEquals(PollResult.Outcome.FAILED, r.outcome());
        assertEquals(1, r.partsCommitted());
        assertEquals(T.minus(Duration.ofHours(2)), store.watermark(KEY).orElseThrow(), "the first part's end");
        assertEquals(List.of("early"), alertedEventIds());

        clock.set(T);
        assertEquals(PollResult.Outcome.POLLED, poller.pollOnce().outcome());
        assertEquals(new Window(T.minus(Duration.ofMinutes(150)), T.minus(Duration.ofMinutes(90))), api.windowsRead.get(2),
                "resumes at the watermark minus the overlap");
        assertEquals(List.of("early", "later"), alertedEventIds());
    }

    @Test
    void retryHonoursRetryAfterThenBacksOffWithJitterAndCountsThrottles() {
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        api.callFailures.add(CollectorException.throttled("Rate exceeded", Duration.ofSeconds(7), null));
        api.callFailures.add(CollectorException.retry("HTTP 503", null, null));
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));

        PollResult r = poller(oneWindow).pollOnce();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(2, retrySleeps.size());
        assertEquals(Duration.ofSeconds(7), retrySleeps.get(0), "Retry-After is honoured");
        Duration backoff = retrySleeps.get(1);
        assertFalse(backoff.isNegative());
        assertTrue(backoff.compareTo(Duration.ofSeconds(2)) <= 0, "second retry waits at most base*2: " + backoff);
        assertEquals(List.of("e1"), alertedEventIds());
        assertEquals(1, health().throttles());
        assertEquals(3, health().requests());
        assertEquals(3, api.requests.get());
    }

    @Test
    void retryGivesUpAfterMaxAttempts() {
        for (int i = 0; i < 4; i++) {
            api.callFailures.add(CollectorException.throttled("Rate exceeded", null, null));
        }
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));
        assertEquals(PollResult.Outcome.FAILED, poller(oneWindow).pollOnce().outcome());
        assertEquals(3, retrySleeps.size(), "4 attempts, 3 waits");
        for (int i = 0; i < 3; i++) {
            long ceiling = Math.min(8, 1L << i);
            assertTrue(retrySleeps.get(i).compareTo(Duration.ofSeconds(ceiling)) <= 0, retrySleeps.toString());
        }
        assertTrue(health().lastError().contains("gave up after 4 attempts"), health().lastError());
        assertTrue(health().lastError().contains("LookupEvents page 1"), health().lastError());
        assertFalse(health().stopped());
    }

    @Test
    void reauthIsRetriedOnceOnly() {
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));
        api.callFailures.add(CollectorException.reauth("token expired", null));
        StreamPoller poller = poller(oneWindow);
        assertEquals(PollResult.Outcome.POLLED, poller.pollOnce().outcome());

        clock.set(T.plus(Duration.ofMinutes(10)));
        api.callFailures.add(CollectorException.reauth("token expired", null));
        api.callFailures.add(CollectorException.reauth("token refused", null));
        assertEquals(PollResult.Outcome.FAILED, poller.pollOnce().outcome());
        assertEquals("token refused", health().lastError());
    }

    @Test
    void fatalErrorStopsTheStreamWithItsMessage() {
        String message = "AccessDenied: grant cloudtrail:LookupEvents to the role cadet uses";
        api.failEveryFetch = CollectorException.fatal(message, null);
        StreamPoller poller = poller(spec());

        assertEquals(PollResult.Outcome.FAILED, poller.pollOnce().outcome());
        assertTrue(health().stopped());
        assertEquals(message, health().lastError());
        assertEquals(message, poller.stoppedBecause().orElseThrow());

        assertEquals(PollResult.Outcome.STOPPED, poller.pollOnce().outcome());
        assertEquals(1, api.fetches.get(), "a stopped stream is not polled");

        // The re-check: still refused, so still stopped, and not polled again before the next re-check.
        clock.set(clock.instant().plus(StreamPoller.FATAL_RECHECK));
        assertEquals(PollResult.Outcome.FAILED, poller.pollOnce().outcome());
        assertEquals(2, api.fetches.get());
        assertEquals(PollResult.Outcome.STOPPED, poller.pollOnce().outcome());
        assertEquals(2, api.fetches.get());

        // Fixed by the operator: the next re-check polls, and the stream is healthy without a restart.
        api.failEveryFetch = null;
        clock.set(clock.instant().plus(StreamPoller.FATAL_RECHECK));
        assertEquals(PollResult.Outcome.POLLED, poller.pollOnce().outcome());
        assertTrue(poller.stoppedBecause().isEmpty());
        assertFalse(health().stopped());
    }

    @Test
    void malformedRecordIsKeptWithItsReasonAndTheWindowGoesOn() throws Exception {
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        api.addMalformed("bad1", T.minus(Duration.ofMinutes(19)));
        StreamPoller poller = poller(oneWindow);

        PollResult r = poller.pollOnce();
        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(1, r.rejected());
        assertEquals(List.of("e1"), alertedEventIds());
        clock.set(T.plus(Duration.ofMinutes(10)));
        poller.pollOnce(); // re-reads the malformed record in the overlap
        assertEquals(1, health().rejected(), "a record re-read is not kept twice");

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("cadet.db"));
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT stream_key, origin, reason, body FROM rejected_record")) {
            assertTrue(rs.next());
            assertEquals(KEY, rs.getString(1));
            assertEquals("page 1 record 1", rs.getString(2));
            assertEquals("time: missing", rs.getString(3));
            assertTrue(rs.getString(4).contains("\"bad1\""));
            assertFalse(rs.next());
        }
    }

    @Test
    void failedCommitRestoresTheDetectorFromTheStore() {
        AtomicBoolean failNextCommit = new AtomicBoolean(true);
        Store failingOnce = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("commit") && failNextCommit.getAndSet(false)) {
                        throw new IllegalStateException("disk full");
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        StreamPoller poller = new StreamPoller(oneWindow, api, new FakeNormalizer(), pipeline(failingOnce));

        assertEquals(PollResult.Outcome.FAILED, poller.pollOnce().outcome());
        assertEquals(1, detector.restores.get());
        assertEquals(List.of(new Detector.StreamWatermark(KEY, null)), detector.restoredWatermarks,
                "the stream's watermark goes back to the store's: it had read nothing");
        assertEquals(Map.of(), detector.state(), "in-memory state rolled back with the transaction");
        assertEquals(0, forwarderWakeups.get());
        assertTrue(health().lastError().contains("disk full"));

        assertEquals(PollResult.Outcome.POLLED, poller.pollOnce().outcome());
        Map<Store.SequenceKey, String> expected = Map.of(new Store.SequenceKey(CreateUserDetector.RULE, "mallory"), "1");
        assertEquals(expected, detector.state());
        assertEquals(expected, store.loadSequenceState());
        assertEquals(List.of("e1"), alertedEventIds());
    }

    @Test
    void windowCutShortByShutdownIsNotCommitted() {
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        Source stopsMidway = (stream, window, context) -> {
            api.fetch(stream, window, context);
            stopping.set(true);
        };
        StreamPoller poller = new StreamPoller(spec(), stopsMidway, new FakeNormalizer(), pipeline(store));
        assertEquals(PollResult.Outcome.INTERRUPTED, poller.pollOnce().outcome());
        assertTrue(store.watermark(KEY).isEmpty());
        assertTrue(alertedEventIds().isEmpty());
    }

    @Test
    void aSourceThatGivesUpForTheStopIsInterruptedNotFailed() {
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        Source givesUp = (stream, window, context) -> {
            stopping.set(true);
            throw CollectorException.retry("stopping before the end of window " + window, null, null);
        };
        StreamPoller poller = new StreamPoller(spec(), givesUp, new FakeNormalizer(), pipeline(store));
        assertEquals(PollResult.Outcome.INTERRUPTED, poller.pollOnce().outcome());
        assertTrue(store.watermark(KEY).isEmpty());
        assertTrue(store.streamHealth().stream().noneMatch(h -> h.consecutiveFailures() > 0), "no failure recorded");
    }

    @Test
    void recordsNoNormalizerRecognizesAreRejected() {
        StreamSpec oneWindow = spec().withTiming(Duration.ofMinutes(5), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofHours(3));
        api.add("e1", T.minus(Duration.ofMinutes(20)), "CreateUser", "mallory");
        PollResult r = new StreamPoller(oneWindow, api, record -> null, pipeline(store)).pollOnce();
        assertEquals(1, r.rejected());
        assertEquals(1, health().rejected());
        assertTrue(alertedEventIds().isEmpty());
    }

    @Test
    void aCallsReportedSendSpacesTheNextCallOfTheScopeFromIt() {
        // 2/s: 505 ms between requests (500 ms and a 1 % margin); each request leaves 35 ms after its permit
        StreamSpec oneWindow = new StreamSpec(KEY, "fake.audit", TimeAxis.EVENT_TIME, Duration.ofMinutes(5),
                Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofDays(90), Duration.ofHours(3),
                new QuotaScope("fake/2-per-second", 2.0), Map.of());
        List<Instant> permits = new ArrayList<>();
        List<Instant> sends = new ArrayList<>();
        Source slowToSend = (stream, window, context) -> {
            for (int i = 0; i < 3; i++) {
                boolean reports = i < 2; // the last one does not report: nothing follows it
                context.call("request " + i, () -> {
                    permits.add(clock.instant());
                    clock.advance(Duration.ofMillis(35));
                    if (reports) {
                        context.sending();
                        sends.add(clock.instant());
                    }
                    return null;
                });
            }
        };
        assertEquals(PollResult.Outcome.POLLED, new StreamPoller(oneWindow, slowToSend, new FakeNormalizer(), pipeline(store))
                .pollOnce().outcome());
        assertEquals(sends.get(0).plusMillis(505), permits.get(1), "spaced from the first request's send");
        assertEquals(sends.get(1).plusMillis(505), permits.get(2), "spaced from the second request's send");
    }
}
