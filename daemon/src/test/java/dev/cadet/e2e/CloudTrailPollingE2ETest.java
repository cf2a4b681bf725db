package dev.cadet.e2e;

import static dev.cadet.e2e.AwsPipeline.ACCOUNT;
import static dev.cadet.e2e.AwsPipeline.RESCAN_OVERLAP;
import static dev.cadet.e2e.AwsPipeline.RULE;
import static dev.cadet.e2e.AwsPipeline.createUser;
import static dev.cadet.e2e.AwsPipeline.iamEvent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.e2e.LookupEventsStandIn.Served;
import dev.cadet.e2e.LookupEventsStandIn.TrailEvent;
import dev.cadet.poll.PollResult;
import dev.cadet.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance tests of the CloudTrail path: the real AWS plugin (from the built distribution) with the
 * real SDK against a LookupEvents stand-in, through the host's poller, SQLite store, detection engine
 * with the shipped seed rule, and alert factory.
 */
class CloudTrailPollingE2ETest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @TempDir
    Path dir;
    LookupEventsStandIn cloudTrail;
    AwsPipeline cadet;

    @BeforeEach
    void start() throws Exception {
        cloudTrail = new LookupEventsStandIn();
        cadet = new AwsPipeline(dir, cloudTrail, T0);
    }

    @AfterEach
    void stop() {
        if (cadet != null) {
            cadet.close();
        }
        cloudTrail.close();
    }

    private static Map<String, Alert> byEventId(List<Store.OutboxEntry> outbox) {
        Map<String, Alert> out = new HashMap<>();
        for (Store.OutboxEntry e : outbox) {
            assertEquals(1, e.alert().eventIds().size(), "one record per alert of the seed rule: " + e.alert());
            Alert before = out.put(e.alert().eventIds().get(0), e.alert());
            assertNull(before, "two alerts for record " + e.alert().eventIds().get(0));
        }
        return out;
    }

    private static List<String> servedIds(List<Served> served) {
        List<String> ids = new ArrayList<>();
        served.forEach(s -> ids.addAll(s.eventIds()));
        return ids;
    }

    @Test
    void pagesThroughNextTokenNewestFirstAndAlertsOncePerCreateUser() {
        List<TrailEvent> creates = new ArrayList<>();
        List<TrailEvent> others = new ArrayList<>();
        Instant first = T0.minus(Duration.ofMinutes(115));
        for (int i = 0; i < 160; i++) {
            Instant t = first.plusSeconds(40L * i);
            String id = "ev-%04d".formatted(i);
            if (i % 8 == 3) {
                others.add(iamEvent(id, "AttachUserPolicy", t, "admin-" + i % 3, "user-" + i, null));
            } else if (i % 8 == 6) {
                others.add(iamEvent(id, "CreateUser", t, "admin-" + i % 3, "user-" + i, "EntityAlreadyExists"));
            } else {
                creates.add(createUser(id, t, "admin-" + i % 3, "user-" + i));
            }
        }
        cloudTrail.addAll(creates);
        cloudTrail.addAll(others);
        Instant end = cadet.windowEnd();

        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        List<Served> served = cloudTrail.served();
        assertEquals(4, served.size(), "160 events are 4 pages of 50: " + served);
        assertNull(served.get(0).nextToken());
        for (int i = 0; i < served.size(); i++) {
            Served s = served.get(i);
            assertEquals(i + 1, s.page());
            assertEquals(200, s.status());
            assertEquals(T0.minus(AwsPipeline.INITIAL_BACKFILL), s.start(), "a new stream reads the initial backfill");
            assertEquals(end, s.end());
            if (i > 0) {
                assertTrue(s.nextToken() != null, "page " + (i + 1) + " asked with the NextToken of the page before");
            }
        }
        assertEquals("ev-0159", served.get(0).eventIds().get(0), "the stand-in serves newest first");
        assertEquals(160, new HashSet<>(servedIds(served)).size());

        assertEquals(160, r.newEvents());
        assertEquals(creates.size(), r.alerts());
        List<Store.OutboxEntry> outbox = cadet.outbox();
        Map<String, Alert> alerts = byEventId(outbox);
        assertEquals(creates.size(), alerts.size());
        for (TrailEvent e : creates) {
            Alert a = alerts.get(e.id());
            assertTrue(a != null, "no alert for " + e.id());
            int i = Integer.parseInt(e.id().substring(3));
            assertEquals(RULE, a.ruleId());
            assertEquals(Alert.idOf(RULE, List.of(e.id())), a.id());
            assertEquals(ACCOUNT, a.accountId());
            assertEquals("admin-" + i % 3, a.userName());
            assertEquals("user-" + i, a.targetName());
            assertEquals("aws.cloudtrail", a.dataset());
            assertEquals("198.51.100.7", a.sourceIp());
            assertEquals(e.time(), a.timestamp());
        }
        // Pages came newest first; the outbox holds the alerts in event-time order.
        for (int i = 1; i < outbox.size(); i++) {
            assertFalse(outbox.get(i).alert().timestamp().isBefore(outbox.get(i - 1).alert().timestamp()), "outbox order at " + i);
        }
        assertEquals(Optional.of(end), cadet.store.watermark(AwsPipeline.STREAM));
        Store.StreamHealth h = cadet.health();
        assertEquals(4, h.requests());
        assertEquals(160, h.events());
        assertFalse(h.stopped());
    }

    @Test
    void aLateEventInsideTheRescanOverlapAlertsOnceInTheSecondPoll() {
        TrailEvent early = createUser("early", T0.minus(Duration.ofMinutes(50)), "alice", "svc-early");
        cloudTrail.add(early);
        Instant firstEnd = cadet.windowEnd();
        PollResult first = cadet.poll();
        assertEquals(1, first.alerts());

        // Recorded 10 minutes before the first window's end, but visible only now.
        TrailEvent late = createUser("late", firstEnd.minus(Duration.ofMinutes(9)), "mallory", "backdoor");
        cloudTrail.add(late);
        assertFalse(servedIds(cloudTrail.served()).contains("late"));
        cloudTrail.clearLog();
        cadet.clock.advance(Duration.ofMinutes(5));

        PollResult second = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, second.outcome());
        assertEquals(firstEnd.minus(RESCAN_OVERLAP), cloudTrail.served().get(0).start(), "the second window re-scans the overlap");
        assertEquals(1, second.alerts(), "the late record alerts in the second poll");
        Map<String, Alert> alerts = byEventId(cadet.outbox());
        assertEquals(Set.of("early", "late"), alerts.keySet());
        assertEquals("mallory", alerts.get("late").userName());
        assertEquals("backdoor", alerts.get("late").targetName());

        cloudTrail.clearLog();
        cadet.clock.advance(Duration.ofMinutes(5));
        PollResult third = cadet.poll();
        assertTrue(servedIds(cloudTrail.served()).contains("late"), "still inside the third window's overlap");
        assertEquals(0, third.alerts());
        assertEquals(2, cadet.outbox().size());
    }

    /**
     * Atomic test 3 (the seed card's signals: CreateUser, then CreateAccessKey seconds later) read out
     * of order: the CreateAccessKey is visible in the first poll, its CreateUser only after a restart,
     * inside the re-scan overlap. The partial sequence went through the store; the seed rule and the
     * chain each alert once, and re-reading both records alerts nothing more.
     */
    @Test
    void atomicTest3ReadOutOfOrderAlertsOnceAcrossARestart() throws Exception {
        String chain = "aws-user-created-then-credentials";
        Instant created = T0.minus(Duration.ofMinutes(10));
        cloudTrail.add(AwsPipeline.atomicTest3("key-1", "CreateAccessKey", created.plusSeconds(3)));
        PollResult first = cadet.poll();
        assertEquals(1, first.newEvents());
        assertEquals(0, first.alerts());
        assertFalse(cadet.store.loadSequenceState().isEmpty(), "the CreateAccessKey waits in the store for an earlier CreateUser");

        // a restart: a new engine and pipeline on the same store file
        cadet.close();
        cadet = new AwsPipeline(dir, cloudTrail, T0.plus(Duration.ofMinutes(5)));
        // recorded three seconds before the access key, delivered late
        cloudTrail.add(AwsPipeline.atomicTest3("user-1", "CreateUser", created));
        PollResult second = cadet.poll();
        assertEquals(1, second.newEvents());
        Map<String, Alert> byRule = new HashMap<>();
        cadet.outbox().forEach(e -> assertNull(byRule.put(e.alert().ruleId(), e.alert()), "two alerts of " + e.alert().ruleId()));
        assertEquals(Set.of(RULE, chain), byRule.keySet());
        assertEquals(List.of("user-1"), byRule.get(RULE).eventIds());
        assertEquals(List.of("user-1", "key-1"), byRule.get(chain).eventIds(), "both records, in event-time order");
        Alert alert = byRule.get(chain);
        assertEquals("df00tech-atomic-test-user", alert.targetName());
        assertEquals("AtomicRunner", alert.userName());
        assertEquals("203.0.113.9", alert.sourceIp());
        assertEquals(ACCOUNT, alert.accountId());
        assertEquals(Alert.idOf(chain, List.of("user-1", "key-1")), alert.id());

        cadet.clock.advance(Duration.ofMinutes(5));
        PollResult third = cadet.poll();
        assertEquals(0, third.newEvents(), "both records re-read in the overlap are known");
        assertEquals(0, third.alerts());
        assertEquals(2, cadet.outbox().size());
    }

    @Test
    void theSameRecordInTwoWindowsAlertsOnce() {
        TrailEvent a = createUser("in-both", T0.minus(Duration.ofMinutes(10)), "alice", "bob");
        cloudTrail.add(a);
        assertEquals(1, cadet.poll().alerts());
        List<Store.OutboxEntry> afterFirst = cadet.outbox();

        cloudTrail.clearLog();
        cadet.clock.advance(Duration.ofMinutes(10));
        TrailEvent b = createUser("only-second", T0.plus(Duration.ofMinutes(5)), "alice", "carol");
        cloudTrail.add(b);
        PollResult second = cadet.poll();

        assertTrue(servedIds(cloudTrail.served()).contains("in-both"), "the overlap served the record again");
        assertEquals(1, second.newEvents());
        assertEquals(1, second.alerts(), "only the new record alerts");
        List<Store.OutboxEntry> outbox = cadet.outbox();
        assertEquals(2, outbox.size());
        assertEquals(afterFirst.get(0), outbox.get(0), "the first alert is untouched");
        assertEquals(List.of(Alert.idOf(RULE, List.of("in-both")), Alert.idOf(RULE, List.of("only-second"))),
                outbox.stream().map(e -> e.alert().id()).toList());
    }

    @Test
    void aThrottleIsRetriedAndCountedAndTheWindowCommits() {
        List<TrailEvent> creates = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            creates.add(createUser("t-%02d".formatted(i), T0.minus(Duration.ofMinutes(100)).plusSeconds(60L * i), "ops", "u" + i));
        }
        cloudTrail.addAll(creates);
        cloudTrail.fail(2, 1, 400, "ThrottlingException", "Rate exceeded");
        Instant end = cadet.windowEnd();

        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(List.of(1, 2, 2), cloudTrail.served().stream().map(Served::page).toList());
        assertEquals(List.of(200, 400, 200), cloudTrail.served().stream().map(Served::status).toList());
        assertEquals(60, r.alerts());
        assertEquals(creates.stream().map(TrailEvent::id).collect(java.util.stream.Collectors.toSet()),
                byEventId(cadet.outbox()).keySet(), "no record lost");
        Store.StreamHealth h = cadet.health();
        assertEquals(1, h.throttles());
        assertEquals(3, h.requests());
        assertEquals(0, h.consecutiveFailures());
        assertEquals(Optional.of(end), cadet.store.watermark(AwsPipeline.STREAM));
    }

    @Test
    void accessDeniedStopsTheStreamNamingThePermissionAndKeepsTheWatermark() {
        cloudTrail.add(createUser("before", T0.minus(Duration.ofMinutes(30)), "alice", "bob"));
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());
        Optional<Instant> watermark = cadet.store.watermark(AwsPipeline.STREAM);
        assertTrue(watermark.isPresent());

        cloudTrail.add(createUser("after", T0.plus(Duration.ofMinutes(2)), "alice", "eve"));
        cloudTrail.fail(null, Integer.MAX_VALUE, 400, "AccessDeniedException",
                "User: arn:aws:iam::111122223333:user/x is not authorized to perform: cloudtrail:LookupEvents");
        cadet.clock.advance(Duration.ofMinutes(5));
        cloudTrail.clearLog();

        PollResult denied = cadet.poll();

        assertEquals(PollResult.Outcome.FAILED, denied.outcome());
        assertEquals(1, cloudTrail.served().size(), "a permission error is not retried");
        Store.StreamHealth h = cadet.health();
        assertTrue(h.stopped(), "stream stopped: " + h);
        assertTrue(h.lastError().contains("cloudtrail:LookupEvents"), h.lastError());
        assertTrue(h.lastError().contains(ACCOUNT), h.lastError());
        assertFalse(h.lastError().contains(AwsPipeline.SECRET_ACCESS_KEY));
        assertEquals(watermark, cadet.store.watermark(AwsPipeline.STREAM), "the watermark did not move");
        assertTrue(cadet.poller.stoppedBecause().isPresent());

        cadet.clock.advance(Duration.ofMinutes(5));
        assertEquals(PollResult.Outcome.STOPPED, cadet.poll().outcome());
        assertEquals(1, cloudTrail.served().size(), "a stopped stream makes no request");
        assertEquals(Set.of("before"), byEventId(cadet.outbox()).keySet());
    }

    @Test
    void aServerErrorAfterPageTwoReReadsTheWholeWindowWithoutDuplicateAlerts() {
        List<TrailEvent> earlier = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            earlier.add(createUser("old-%02d".formatted(i), T0.minus(Duration.ofMinutes(20)).plusSeconds(60L * i), "ops", "old" + i));
        }
        cloudTrail.addAll(earlier);
        assertEquals(10, cadet.poll().alerts());
        Instant watermark = cadet.store.watermark(AwsPipeline.STREAM).orElseThrow();

        List<TrailEvent> newer = new ArrayList<>();
        for (int i = 0; i < 170; i++) {
            newer.add(createUser("new-%03d".formatted(i), T0.plusSeconds(5L * i), "ops", "new" + i));
        }
        cloudTrail.addAll(newer);
        cloudTrail.fail(3, AwsPipeline.FAST_RETRY.maxAttempts(), 500, "InternalFailure", "We encountered an internal error");
        cadet.clock.advance(Duration.ofMinutes(20));
        cloudTrail.clearLog();

        PollResult failed = cadet.poll();

        assertEquals(PollResult.Outcome.FAILED, failed.outcome());
        assertEquals(List.of(1, 2, 3, 3, 3), cloudTrail.served().stream().map(Served::page).toList(), "retried page 3 until exhausted");
        assertEquals(10, cadet.outbox().size(), "nothing of the failed window was committed");
        assertEquals(Optional.of(watermark), cadet.store.watermark(AwsPipeline.STREAM));
        assertEquals(1, cadet.health().consecutiveFailures());
        assertTrue(cadet.health().lastError().contains("500"), cadet.health().lastError());
        Instant failedStart = cloudTrail.served().get(0).start();

        cloudTrail.clearLog();
        Instant end = cadet.windowEnd();
        PollResult again = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, again.outcome());
        Served firstRequest = cloudTrail.served().get(0);
        assertNull(firstRequest.nextToken(), "the window is read from its first page, not resumed");
        assertEquals(failedStart, firstRequest.start());
        assertEquals(watermark.minus(RESCAN_OVERLAP), firstRequest.start());
        assertTrue(servedIds(cloudTrail.served()).containsAll(earlier.stream().map(TrailEvent::id).toList()),
                "the earlier records were served again in the overlap");
        assertEquals(170, again.newEvents());
        assertEquals(170, again.alerts(), "no alert handed to the outbox twice");
        Map<String, Alert> alerts = byEventId(cadet.outbox());
        assertEquals(180, alerts.size());
        assertEquals(Optional.of(end), cadet.store.watermark(AwsPipeline.STREAM));
        assertEquals(0, cadet.health().consecutiveFailures());
    }
}
