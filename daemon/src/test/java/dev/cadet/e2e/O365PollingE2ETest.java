package dev.cadet.e2e;

import static dev.cadet.e2e.O365Pipeline.CONTENT_TYPE;
import static dev.cadet.e2e.O365Pipeline.STREAM;
import static dev.cadet.e2e.O365Pipeline.TENANT;
import static dev.cadet.e2e.O365Pipeline.aadRecord;
import static dev.cadet.e2e.O365Pipeline.addUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.e2e.ActivityFeedStandIn.Served;
import dev.cadet.poll.PollResult;
import dev.cadet.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance tests of the O365 path: the real o365 plugin (JDK HTTP client, azure-identity token over
 * TLS) against the Management Activity API stand-in, through the host's poller, SQLite store, the
 * shipped seed rule and alert factory.
 */
class O365PollingE2ETest {
    static final String RULE = "cloud-account-created";
    static final String ADMIN = "admin@contoso.onmicrosoft.com";

    @TempDir
    Path dir;
    ActivityFeedStandIn api;
    O365Pipeline cadet;
    Instant now;

    @BeforeEach
    void start() throws Exception {
        api = new ActivityFeedStandIn(dir);
        cadet = new O365Pipeline(dir, api);
        now = cadet.clock.instant();
    }

    @AfterEach
    void stop() {
        if (cadet != null) {
            cadet.close();
        }
        api.close();
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

    private Instant ago(int minutes) {
        return now.minus(Duration.ofMinutes(minutes));
    }

    @Test
    void startsTheSubscriptionPagesThroughNextPageUriAndAlertsOncePerAddUser() {
        api.lowerCaseNextPageHeader = true;
        for (int i = 0; i < 5; i++) {
            api.blob(CONTENT_TYPE, "blob-" + i, ago(100 - 10 * i), List.of(
                    addUser("add-" + i, ago(110 - 10 * i), ADMIN, "user" + i + "@contoso.onmicrosoft.com"),
                    aadRecord("upd-" + i, "Update user.", ago(109 - 10 * i), ADMIN, "user" + i + "@contoso.onmicrosoft.com", "Success"),
                    aadRecord("failed-" + i, "Add user.", ago(108 - 10 * i), ADMIN, "x" + i + "@contoso.onmicrosoft.com", "Failure")));
        }
        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertEquals(List.of("start"), api.served("start").stream().map(Served::kind).toList(), "one subscription start");
        assertEquals(Set.of(CONTENT_TYPE), api.subscriptions);
        List<Served> lists = api.served("list");
        assertEquals(5, api.served("blob").size(), "every blob read once");
        assertTrue(lists.stream().anyMatch(s -> s.query().containsKey("nextPage")), "NextPageUri followed (lower-case header name)");
        for (Served s : api.served) {
            assertEquals(TENANT, s.query().get("PublisherIdentifier"), "PublisherIdentifier on " + s);
            assertEquals("Bearer tok-1", s.authorization());
        }
        for (Served s : lists.stream().filter(s -> !s.query().containsKey("nextPage")).toList()) {
            Instant start = LocalDateTime.parse(s.query().get("startTime")).toInstant(ZoneOffset.UTC);
            Instant end = LocalDateTime.parse(s.query().get("endTime")).toInstant(ZoneOffset.UTC);
            assertFalse(Duration.between(start, end).compareTo(Duration.ofHours(1)) > 0, "slices of at most 1 h: " + s);
        }
        assertEquals(1, api.tokensIssued.size(), "the token is cached");
        assertEquals(15, r.newEvents());
        // The seed rule's O365 clause tests the operation only: failed "Add user." records alert too.
        Map<String, Alert> alerts = byEventId(cadet.outbox());
        assertEquals(Set.of("add-0", "add-1", "add-2", "add-3", "add-4", "failed-0", "failed-1", "failed-2", "failed-3", "failed-4"),
                alerts.keySet());
        Alert a = alerts.get("add-2");
        assertEquals(RULE, a.ruleId());
        assertEquals(TENANT, a.accountId());
        assertEquals(ADMIN, a.userName());
        assertEquals("user2@contoso.onmicrosoft.com", a.targetName());
        assertEquals("o365.audit", a.dataset());
        assertEquals("203.0.113.9", a.sourceIp());
        for (int i = 0; i < 5; i++) {
            assertTrue(cadet.store.itemMarked(STREAM, "blob-" + i), "blob-" + i + " marked done");
        }
        Store.StreamHealth h = cadet.health();
        assertEquals(15, h.events());
        assertFalse(h.stopped());

        // Next poll re-lists the overlap: done blobs are not read again, nothing alerts twice.
        api.served.clear();
        cadet.clock.advance(Duration.ofMinutes(5));
        PollResult second = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, second.outcome());
        assertEquals(0, api.served("blob").size());
        assertEquals(List.of(), api.served("start"), "the subscription is started once per run");
        assertEquals(10, cadet.outbox().size());
    }

    @Test
    void anAlreadyEnabledSubscriptionIsFine() {
        api.subscriptions.add(CONTENT_TYPE);
        api.blob(CONTENT_TYPE, "b", ago(30), List.of(addUser("a", ago(40), ADMIN, "new@contoso.onmicrosoft.com")));
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertEquals(400, api.served("start").get(0).status(), "AF20024 answered");
        assertEquals(1, r.alerts());
    }

    @Test
    void throttlingWithAndWithoutRetryAfterIsRetried() {
        api.blob(CONTENT_TYPE, "b", ago(30), List.of(addUser("a", ago(40), ADMIN, "new@contoso.onmicrosoft.com")));
        api.fail("list", 1, 429, "AF429", "Too many requests. Method=GetBlob, PublisherId=00000000", "7");
        api.fail("blob", 1, 429, "AF429", "Too many requests.", null);
        api.fail("blob", 1, 503, "", "Service unavailable", null);
        Instant before = cadet.clock.instant();
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertTrue(Duration.between(before, cadet.clock.instant()).compareTo(Duration.ofSeconds(7)) >= 0, "Retry-After: 7 honoured");
        assertEquals(1, r.alerts());
        Store.StreamHealth h = cadet.health();
        assertEquals(2, h.throttles(), "two AF429 answers counted as throttles");
        assertFalse(h.stopped());
        assertNull(h.lastError());
    }

    @Test
    void aTokenThatExpiresMidRunIsRefreshedOnceAndTheRunContinues() {
        api.blob(CONTENT_TYPE, "b1", ago(100), List.of(addUser("a1", ago(101), ADMIN, "one@contoso.onmicrosoft.com")));
        assertEquals(1, cadet.poll().alerts());
        assertEquals(List.of("tok-1"), api.tokensIssued);

        api.expireTokens();
        api.blob(CONTENT_TYPE, "b2", ago(2), List.of(addUser("a2", ago(3), ADMIN, "two@contoso.onmicrosoft.com")));
        cadet.clock.advance(Duration.ofMinutes(2));
        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertEquals(List.of("tok-1", "tok-2"), api.tokensIssued, "one refresh");
        assertEquals(1, api.served.stream().filter(s -> s.status() == 401).count(), "one 401");
        assertEquals(1, r.alerts());
        assertEquals(Set.of("a1", "a2"), byEventId(cadet.outbox()).keySet());
        assertNull(cadet.health().lastError());
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "list|403|AF10001|The permission set () sent in the request does not include the expected permission ActivityFeed.Read.|ActivityFeed.Read",
            "list|400|AF20010|The tenant ID passed in the URL does not match the tenant ID passed in the access token.|Check tenant_id",
            "start|400|AF20011|Specified tenant ID does not exist in the system or has been deleted.|Check tenant_id",
            "list|400|AF20012|Specified tenant ID is incorrectly configured in the system.|Check tenant_id",
            "list|400|AF20013|The tenant ID passed in the URL does not match the tenant ID passed in the access token.|Check tenant_id",
            "list|400|AF20020|The specified content type is not valid.|content_types",
            "start|400|AF20021|The webhook endpoint could not be validated.|webhook",
            "start|400|AF20000|Tenant " + "41463f53-8812-40f4-890f-865bf6e35190 does not exist.|Microsoft Purview compliance portal",
    })
    void configAndPermissionErrorsStopTheStreamSayingWhatToFix(String kind, int status, String code, String message, String fix) {
        api.subscriptions.add(CONTENT_TYPE);
        api.fail(kind, 1, status, code, message, null);
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.FAILED, r.outcome());
        Store.StreamHealth h = cadet.health();
        assertTrue(h.stopped(), "a FATAL error stops the stream");
        assertTrue(h.lastError().contains(fix), h.lastError());
        assertTrue(h.lastError().contains(code.equals("AF20000") ? "Unified audit logging is off" : code), h.lastError());
        assertFalse(h.lastError().contains(O365Pipeline.CLIENT_SECRET));
        assertEquals(PollResult.Outcome.STOPPED, cadet.poll().outcome());
    }

    @Test
    void aMissingSubscriptionIsStartedAndTheListingAskedAgain() {
        api.subscriptions.add(CONTENT_TYPE);
        api.blob(CONTENT_TYPE, "b", ago(30), List.of(addUser("a", ago(40), ADMIN, "new@contoso.onmicrosoft.com")));
        cadet.poll();
        assertEquals(1, cadet.outbox().size());
        // Someone stopped the subscription: AF20022 on the next listing.
        api.subscriptions.clear();
        api.blob(CONTENT_TYPE, "b2", ago(1), List.of(addUser("a2", ago(2), ADMIN, "two@contoso.onmicrosoft.com")));
        api.served.clear();
        cadet.clock.advance(Duration.ofMinutes(3));
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertEquals(400, api.served("list").get(0).status(), "AF20022 first");
        assertEquals(1, api.served("start").size(), "then the subscription is started");
        assertEquals(1, r.alerts());
        assertEquals(Set.of(CONTENT_TYPE), api.subscriptions);
    }

    @Test
    void anInternalErrorIsRetried() {
        api.blob(CONTENT_TYPE, "b", ago(30), List.of(addUser("a", ago(40), ADMIN, "new@contoso.onmicrosoft.com")));
        api.fail("list", 2, 500, "AF50000", "An internal server error occurred. Retry the request.", null);
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertEquals(1, r.alerts());
        assertEquals(0, cadet.health().throttles());
    }

    @Test
    void aRefusedTimeRangeMeasuresTheClockSkewAndLaterWindowsAreCorrected() {
        api.serverSkew = Duration.ofMinutes(-20); // the server is 20 minutes behind us
        api.fail("list", 1, 400, "AF20055", "Start time and end time must both be specified (or both omitted) and must"
                + " be less than or equal to 24 hours apart, with the start time no more than 7 days in the past.", null);
        api.blob(CONTENT_TYPE, "b", ago(60), List.of(addUser("a", ago(61), ADMIN, "new@contoso.onmicrosoft.com")));
        PollResult first = cadet.poll();
        assertEquals(PollResult.Outcome.FAILED, first.outcome());
        Store.StreamHealth h = cadet.health();
        assertFalse(h.stopped());
        assertTrue(h.lastError().contains("AF20055") && h.lastError().contains("clock"), h.lastError());

        api.served.clear();
        PollResult second = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, second.outcome(), () -> String.valueOf(cadet.health()));
        Instant lastEnd = api.served("list").stream()
                .map(s -> LocalDateTime.parse(s.query().get("endTime")).toInstant(ZoneOffset.UTC)).max(Instant::compareTo).orElseThrow();
        Instant expected = cadet.clock.instant().minus(Duration.ofMinutes(20)).minus(O365Pipeline.SETTLE_LAG);
        assertTrue(Duration.between(expected, lastEnd).abs().compareTo(Duration.ofMinutes(1)) < 0,
                "the window ends at the server's now minus the settle lag: " + lastEnd + " vs " + expected);
        assertEquals(1, second.alerts());
    }

    @Test
    void expiredBlobsAreSkippedReportedAndMarked() {
        api.blobs.add(new ActivityFeedStandIn.Blob(CONTENT_TYPE, "old", ago(50), ago(5), false,
                List.of(addUser("lost-1", ago(51), ADMIN, "lost@contoso.onmicrosoft.com"))));
        api.blobs.add(new ActivityFeedStandIn.Blob(CONTENT_TYPE, "gone", ago(40), now.plus(Duration.ofDays(1)), true,
                List.of(addUser("lost-2", ago(41), ADMIN, "lost2@contoso.onmicrosoft.com"))));
        api.blob(CONTENT_TYPE, "fine", ago(30), List.of(addUser("kept", ago(31), ADMIN, "kept@contoso.onmicrosoft.com")));
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, r.outcome(), () -> String.valueOf(cadet.health()));
        assertEquals(Set.of("kept"), byEventId(cadet.outbox()).keySet());
        assertEquals(List.of("/audit/gone", "/audit/fine"), api.served("blob").stream()
                .map(s -> s.path().substring(s.path().indexOf("/audit/"))).toList(), "the expired blob is not asked for");
        assertTrue(cadet.store.itemMarked(STREAM, "old") && cadet.store.itemMarked(STREAM, "gone"));
        String warning = cadet.health().lastWarning();
        assertTrue(warning.contains("was not read") && warning.contains("lost"), warning);

        api.served.clear();
        cadet.clock.advance(Duration.ofMinutes(5));
        cadet.poll();
        assertEquals(0, api.served("blob").size(), "expired blobs are not tried again");
    }

    @Test
    void theSameRecordInTwoBlobsAlertsOnce() {
        String record = addUser("dup", ago(70), ADMIN, "dup@contoso.onmicrosoft.com");
        api.blob(CONTENT_TYPE, "first", ago(60), List.of(record));
        api.blob(CONTENT_TYPE, "second", ago(10), List.of(record, addUser("other", ago(11), ADMIN, "o@contoso.onmicrosoft.com")));
        PollResult r = cadet.poll();
        assertEquals(2, r.alerts());
        assertEquals(Set.of("dup", "other"), byEventId(cadet.outbox()).keySet());
    }

    @Test
    void recordsOutOfOrderInsideABlobAndAcrossWindowsAllAlertOnce() {
        api.blob(CONTENT_TYPE, "b1", ago(90), List.of(
                addUser("late-in-blob", ago(95), ADMIN, "c@contoso.onmicrosoft.com"),
                addUser("early-in-blob", ago(119), ADMIN, "a@contoso.onmicrosoft.com"),
                addUser("middle-in-blob", ago(100), ADMIN, "b@contoso.onmicrosoft.com")));
        assertEquals(3, cadet.poll().alerts());
        // A later window brings a record that happened before every record above.
        cadet.clock.advance(Duration.ofMinutes(10));
        api.blob(CONTENT_TYPE, "b2", ago(-5), List.of(addUser("oldest", ago(300), ADMIN, "z@contoso.onmicrosoft.com")));
        PollResult r = cadet.poll();
        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(1, r.alerts());
        assertEquals(Set.of("late-in-blob", "early-in-blob", "middle-in-blob", "oldest"), byEventId(cadet.outbox()).keySet());
    }

    @Test
    void aBlobListedLateWithinTheOverlapIsReadInTheNextPoll() {
        api.blob(CONTENT_TYPE, "on-time", ago(50), List.of(addUser("a", ago(51), ADMIN, "a@contoso.onmicrosoft.com")));
        Instant firstEnd = cadet.windowEnd();
        assertEquals(1, cadet.poll().alerts());
        // contentCreated 10 minutes before the first window's end, but listed only now
        api.blob(CONTENT_TYPE, "late", firstEnd.minus(Duration.ofMinutes(10)),
                List.of(addUser("b", firstEnd.minus(Duration.ofMinutes(12)), ADMIN, "b@contoso.onmicrosoft.com")));
        api.served.clear();
        cadet.clock.advance(Duration.ofMinutes(5));
        PollResult r = cadet.poll();
        assertEquals(1, r.alerts(), "the late blob is read in the re-scanned overlap");
        assertEquals(List.of("late"), api.served("blob").stream().map(s -> s.path().substring(s.path().lastIndexOf('/') + 1)).toList(),
                "the blob marked done is not read again");
        assertEquals(Set.of("a", "b"), byEventId(cadet.outbox()).keySet());
    }
}
