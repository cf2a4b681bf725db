package dev.cadet.e2e;

import dev.cadet.provider.azure.fetch.GraphStandIn;
import dev.cadet.provider.azure.fetch.TestCertificate;
import static dev.cadet.e2e.AzurePipeline.TENANT;
import static dev.cadet.provider.azure.fetch.GraphStandIn.audit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.alert.Alert;
import dev.cadet.provider.azure.fetch.GraphStandIn.Audit;
import dev.cadet.provider.azure.fetch.GraphStandIn.Served;
import dev.cadet.poll.PollResult;
import dev.cadet.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance tests of the Entra ID path: the azure plugin from the built distribution, with the real
 * Graph SDK and azure-identity against Graph and token-endpoint stand-ins, through the host's poller,
 * SQLite store, detection engine with the shipped seed rule, and alert factory.
 */
class GraphPollingE2ETest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final String RULE = "cloud-account-created";

    @TempDir
    static Path tlsDir;
    static TestCertificate tls;
    static GraphStandIn graph;
    @TempDir
    Path dir;
    AzurePipeline cadet;

    @BeforeAll
    static void startStandIn() throws Exception {
        tls = TestCertificate.generate(tlsDir);
        graph = new GraphStandIn(tls);
    }

    @AfterAll
    static void stopStandIn() {
        graph.close();
    }

    @BeforeEach
    void start() throws Exception {
        graph.reset();
        cadet = new AzurePipeline(dir, graph, tls, T0);
    }

    @AfterEach
    void stop() {
        cadet.close();
    }

    static Audit addUser(String id, Instant t, String actor, String target) {
        return audit(id, "Add user", t, "success", actor, target, "User");
    }

    private static Map<String, Alert> byEventId(List<Store.OutboxEntry> outbox) {
        Map<String, Alert> out = new HashMap<>();
        for (Store.OutboxEntry e : outbox) {
            assertEquals(1, e.alert().eventIds().size(), e.alert().toString());
            assertNull(out.put(e.alert().eventIds().get(0), e.alert()), "two alerts for " + e.alert().eventIds());
        }
        return out;
    }

    private static List<String> servedIds() {
        List<String> ids = new ArrayList<>();
        graph.served().forEach(s -> ids.addAll(s.ids()));
        return ids;
    }

    @Test
    void pagesToTheEndAndAlertsOnEverySuccessfulCreationOnce() {
        List<Audit> creations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            creations.add(addUser("add-" + i, T0.minus(Duration.ofMinutes(100 - 10L * i)), "admin@contoso.example", "u" + i + "@contoso.example"));
        }
        graph.addAll(creations);
        graph.add(audit("failed", "Add user", T0.minus(Duration.ofMinutes(30)), "failure", "admin@contoso.example", "x@contoso.example", "User"));
        graph.add(audit("update", "Update user", T0.minus(Duration.ofMinutes(20)), "success", "admin@contoso.example", "u1@contoso.example", "User"));
        graph.pageSize = 3;
        Instant end = cadet.windowEnd();

        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(List.of(1, 2, 3), graph.served().stream().map(Served::page).toList());
        Served first = graph.served().get(0);
        assertEquals(T0.minus(AzurePipeline.INITIAL_BACKFILL), first.start());
        assertEquals(end, first.end());
        assertEquals(7, r.newEvents());
        Map<String, Alert> alerts = byEventId(cadet.outbox());
        assertEquals(Set.of("add-0", "add-1", "add-2", "add-3", "add-4"), alerts.keySet());
        Alert a = alerts.get("add-2");
        assertEquals(RULE, a.ruleId());
        assertEquals(TENANT, a.accountId());
        assertEquals("azure.auditlogs", a.dataset());
        assertEquals("admin@contoso.example", a.userName());
        assertEquals("u2@contoso.example", a.targetName());
        assertEquals("203.0.113.9", a.sourceIp());
        assertEquals(1, graph.tokenRequests().size(), "one token for the whole run");
        assertEquals(Optional.of(end), cadet.store.watermark(AzurePipeline.STREAM));
        Store.StreamHealth h = cadet.health();
        assertEquals(3, h.requests());
        assertEquals(7, h.events());
        assertEquals(0, h.throttles());
        assertFalse(h.stopped());
    }

    @Test
    void throttlingWithAndWithoutRetryAfterIsRetriedCountedAndLosesNothing() {
        List<Audit> creations = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            creations.add(addUser("thr-" + i, T0.minus(Duration.ofMinutes(90 - 10L * i)), "ops@contoso.example", "t" + i + "@contoso.example"));
        }
        graph.addAll(creations);
        graph.pageSize = 2;
        graph.fail(2, 1, 429, Map.of("Retry-After", "3"), "TooManyRequests");
        graph.fail(3, 1, 429, Map.of(), "TooManyRequests");
        Instant before = cadet.clock.instant();

        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(List.of(200, 429, 200, 429, 200), graph.served().stream().map(Served::status).toList());
        assertEquals(List.of(1, 2, 2, 3, 3), graph.served().stream().map(Served::page).toList());
        assertTrue(Duration.between(before, cadet.clock.instant()).compareTo(Duration.ofSeconds(3)) >= 0,
                "the host waited the Retry-After");
        assertEquals(6, byEventId(cadet.outbox()).size());
        Store.StreamHealth h = cadet.health();
        assertEquals(2, h.throttles());
        assertEquals(5, h.requests());
        assertEquals(0, h.consecutiveFailures());
    }

    @Test
    void aTokenThatExpiresMidRunIsRefreshedOnceAndTheRunContinues() {
        for (int i = 0; i < 4; i++) {
            graph.add(addUser("tok-" + i, T0.minus(Duration.ofMinutes(60 - 10L * i)), "ops@contoso.example", "k" + i + "@contoso.example"));
        }
        graph.pageSize = 2;
        graph.expireTokensAfterPage = 1;

        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(List.of(200, 401, 200), graph.served().stream().map(Served::status).toList());
        assertEquals(2, graph.tokenRequests().size());
        assertEquals(4, byEventId(cadet.outbox()).size(), "no record lost");
        assertEquals(0, cadet.health().consecutiveFailures());
        assertEquals(3, cadet.health().requests());
    }

    @Test
    void forbiddenStopsTheStreamNamingThePermissionAndKeepsTheWatermark() {
        graph.add(addUser("before", T0.minus(Duration.ofMinutes(30)), "alice@contoso.example", "bob@contoso.example"));
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());
        Optional<Instant> watermark = cadet.store.watermark(AzurePipeline.STREAM);
        graph.add(addUser("after", T0.plus(Duration.ofMinutes(2)), "alice@contoso.example", "eve@contoso.example"));
        graph.fail(null, Integer.MAX_VALUE, 403, Map.of(), "Authorization_RequestDenied");
        graph.clearLog();
        cadet.clock.advance(Duration.ofMinutes(5));

        PollResult denied = cadet.poll();

        assertEquals(PollResult.Outcome.FAILED, denied.outcome());
        assertEquals(1, graph.served().size(), "a permission error is not retried");
        Store.StreamHealth h = cadet.health();
        assertTrue(h.stopped(), h.toString());
        assertTrue(h.lastError().contains("AuditLog.Read.All") && h.lastError().contains("admin consent"), h.lastError());
        assertTrue(h.lastError().contains(TENANT), h.lastError());
        assertFalse(h.lastError().contains(AzurePipeline.SECRET));
        assertEquals(watermark, cadet.store.watermark(AzurePipeline.STREAM));
        cadet.clock.advance(Duration.ofMinutes(5));
        assertEquals(PollResult.Outcome.STOPPED, cadet.poll().outcome());
        assertEquals(1, graph.served().size(), "a stopped stream makes no request");
        assertEquals(Set.of("before"), byEventId(cadet.outbox()).keySet());
    }

    @Test
    void outOfOrderLateAndRepeatedRecordsAlertOnceEach() {
        graph.add(addUser("early", T0.minus(Duration.ofMinutes(50)), "alice@contoso.example", "svc-early@contoso.example"));
        graph.add(addUser("in-both", T0.minus(Duration.ofMinutes(10)), "alice@contoso.example", "both@contoso.example"));
        Instant firstEnd = cadet.windowEnd();
        assertEquals(2, cadet.poll().alerts());

        // Recorded before the first window's end but visible only now (late), and older than a record
        // the first poll already saw (out of order); the overlap re-serves "in-both".
        graph.add(addUser("late", firstEnd.minus(Duration.ofMinutes(20)), "mallory@contoso.example", "backdoor@contoso.example"));
        graph.add(addUser("new", T0.plus(Duration.ofMinutes(2)), "alice@contoso.example", "new@contoso.example"));
        graph.clearLog();
        cadet.clock.advance(Duration.ofMinutes(5));

        PollResult second = cadet.poll();

        assertEquals(firstEnd.minus(AzurePipeline.RESCAN_OVERLAP), graph.served().get(0).start(), "re-scan of the overlap");
        assertTrue(servedIds().containsAll(List.of("in-both", "late", "new")), servedIds().toString());
        assertEquals(2, second.newEvents());
        assertEquals(2, second.alerts(), "only the late and the new record alert");
        Map<String, Alert> alerts = byEventId(cadet.outbox());
        assertEquals(Set.of("early", "in-both", "late", "new"), alerts.keySet());
        assertEquals("mallory@contoso.example", alerts.get("late").userName());

        graph.clearLog();
        cadet.clock.advance(Duration.ofMinutes(5));
        PollResult third = cadet.poll();
        assertTrue(servedIds().contains("late"), "still inside the overlap");
        assertEquals(0, third.alerts());
        assertEquals(4, cadet.outbox().size());
    }

    /** The seed card's Atomic Red Team tests 1, 2 and 4, as the Graph records they produce. */
    @Test
    void atomicTests124AsGraphRecordsGiveTheAlertsTheCardExpects() {
        Instant t = T0.minus(Duration.ofMinutes(40));
        // Test 1: Azure CLI "az ad user create": Add user, success, by the admin, target df00tech-test-user.
        graph.add(addUser("atomic1-add-user", t, "admin@contoso.example", "df00tech-test-user@contoso.example"));
        // Test 2: AADInternals: Add application, Add service principal, Add service principal credentials,
        // one correlation id, seconds apart, by one user.
        List<Audit> test2 = List.of(
                audit("atomic2-app", "Add application", t.plusSeconds(60), "success", "admin@contoso.example", "atomic-app", "Application"),
                audit("atomic2-sp", "Add service principal", t.plusSeconds(62), "success", "admin@contoso.example", "atomic-app", "ServicePrincipal"),
                audit("atomic2-cred", "Add service principal credentials", t.plusSeconds(64), "success", "admin@contoso.example", "atomic-app", "ServicePrincipal"));
        for (Audit a : test2) {
            a.json().put("correlationId", "atomic2-correlation");
        }
        graph.addAll(test2);
        // Test 4: AADInternals New-AADIntUser as the signed-in user (not an app).
        Audit test4 = addUser("atomic4-add-user", t.plusSeconds(300), "attacker@contoso.example", "aadint-user@contoso.example");
        ((ObjectNode) test4.json().path("additionalDetails").get(0)).put("value", "AADInternals");
        graph.add(test4);
        // Noise: a failed creation and an unrelated change do not alert.
        graph.add(audit("atomic-failed", "Add user", t.plusSeconds(400), "failure", "admin@contoso.example", "nope@contoso.example", "User"));
        graph.add(audit("atomic-update", "Update application", t.plusSeconds(500), "success", "admin@contoso.example", "atomic-app", "Application"));

        PollResult r = cadet.poll();

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        // Test 2 is also the whole AADInternals chain: the pack's chain rule alerts on it once, besides
        // the seed rule's alert per creation.
        List<Alert> chain = cadet.outbox().stream().map(Store.OutboxEntry::alert)
                .filter(a -> a.ruleId().equals("entra-app-sp-credential-chain")).toList();
        assertEquals(1, chain.size(), chain.toString());
        assertEquals(List.of("atomic2-app", "atomic2-sp", "atomic2-cred"), chain.get(0).eventIds());
        assertEquals("admin@contoso.example", chain.get(0).userName());
        List<Store.OutboxEntry> seed = cadet.outbox().stream().filter(e -> e.alert().ruleId().equals(RULE)).toList();
        assertEquals(cadet.outbox().size() - 1, seed.size(), "no other rule alerts");
        Map<String, Alert> alerts = byEventId(seed);
        assertEquals(Set.of("atomic1-add-user", "atomic2-app", "atomic2-sp", "atomic2-cred", "atomic4-add-user"), alerts.keySet());
        for (Alert a : alerts.values()) {
            assertEquals(TENANT, a.accountId());
            assertEquals("azure.auditlogs", a.dataset());
        }
        assertEquals("admin@contoso.example", alerts.get("atomic1-add-user").userName());
        assertEquals("df00tech-test-user@contoso.example", alerts.get("atomic1-add-user").targetName());
        assertEquals("atomic-app", alerts.get("atomic2-sp").targetName());
        assertEquals("attacker@contoso.example", alerts.get("atomic4-add-user").userName(), "the user, not an app");
        assertEquals("aadint-user@contoso.example", alerts.get("atomic4-add-user").targetName());
        List<String> order = seed.stream().map(e -> e.alert().eventIds().get(0)).toList();
        assertEquals(List.of("atomic1-add-user", "atomic2-app", "atomic2-sp", "atomic2-cred", "atomic4-add-user"), order,
                "alerts in event-time order");
    }
}
