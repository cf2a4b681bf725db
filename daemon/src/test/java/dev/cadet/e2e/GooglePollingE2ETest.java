package dev.cadet.e2e;

import static dev.cadet.e2e.GooglePipeline.CUSTOMER;
import static dev.cadet.e2e.GooglePipeline.GCP;
import static dev.cadet.e2e.GooglePipeline.GWS;
import static dev.cadet.e2e.GooglePipeline.PROJECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.alert.Alert;
import dev.cadet.e2e.GoogleApisStandIn.Api;
import dev.cadet.e2e.GoogleApisStandIn.Held;
import dev.cadet.e2e.GoogleApisStandIn.Served;
import dev.cadet.poll.PollResult;
import dev.cadet.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance tests of the Google paths: the distribution's gcp plugin (real JDK HTTP client and
 * google-auth JWT-bearer grant) against stand-ins of the token endpoint, the Reports API and Cloud
 * Logging, through the host's pollers, SQLite store, detection engine and alert factory.
 */
class GooglePollingE2ETest {
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CREATED = "e2e-gws-user-created";

    @TempDir
    Path dir;
    GoogleApisStandIn google;
    GooglePipeline cadet;

    @BeforeEach
    void start() throws Exception {
        google = new GoogleApisStandIn();
        cadet = new GooglePipeline(dir, google, T0);
    }

    @AfterEach
    void stop() {
        if (cadet != null) {
            cadet.close();
        }
        google.close();
    }

    /** An admin activity with one event on {@code target}; its dedup id is {@link #gwsId}. */
    static Held activity(String qualifier, Instant time, String name, String actor, String target, String role) {
        ObjectNode a = JSON.createObjectNode().put("kind", "admin#reports#activity");
        a.putObject("id").put("time", time.toString()).put("uniqueQualifier", qualifier).put("applicationName", "admin")
                .put("customerId", CUSTOMER);
        a.putObject("actor").put("callerType", "USER").put("email", actor).put("profileId", "1001");
        a.put("ipAddress", "203.0.113.7");
        ObjectNode e = a.putArray("events").addObject().put("type", role == null ? "USER_SETTINGS" : "DELEGATED_ADMIN_SETTINGS")
                .put("name", name);
        e.putArray("parameters").addObject().put("name", "USER_EMAIL").put("value", target);
        if (role != null) {
            ((com.fasterxml.jackson.databind.node.ArrayNode) e.get("parameters")).addObject().put("name", "ROLE_NAME").put("value", role);
        }
        return new Held(gwsId(qualifier, time, name), time, a.toString());
    }

    static String gwsId(String qualifier, Instant time, String name) {
        return time + "|" + qualifier + "|admin|" + CUSTOMER + "|" + name;
    }

    static Held createUser(String qualifier, Instant time, String target) {
        return activity(qualifier, time, "CREATE_USER", "root@example.org", target, null);
    }

    /** A Cloud Audit Log entry of the IAM service. */
    static Held auditEntry(String insertId, Instant time, String method, String account, Integer statusCode) {
        ObjectNode e = JSON.createObjectNode().put("insertId", insertId)
                .put("logName", "projects/" + PROJECT + "/logs/cloudaudit.googleapis.com%2Factivity")
                .put("timestamp", time.toString()).put("severity", "NOTICE");
        ObjectNode p = e.putObject("protoPayload").put("@type", "type.googleapis.com/google.cloud.audit.AuditLog")
                .put("serviceName", "iam.googleapis.com").put("methodName", "google.iam.admin.v1." + method);
        p.putObject("authenticationInfo").put("principalEmail", "mallory@example.org");
        p.putObject("requestMetadata").put("callerIp", "198.51.100.23").put("callerSuppliedUserAgent", "google-cloud-sdk");
        ObjectNode status = p.putObject("status");
        if (statusCode != null) {
            status.put("code", statusCode).put("message", "Permission denied");
        }
        if (method.equals("CreateServiceAccount")) {
            p.put("resourceName", "projects/" + PROJECT);
            if (statusCode == null) {
                p.putObject("response").put("email", account).put("unique_id", "10" + insertId.hashCode());
            }
            e.putObject("resource").put("type", "service_account").putObject("labels").put("project_id", PROJECT).put("email_id", account);
        } else {
            // as logged: the resource names the account by unique id, the response names it by email
            p.put("resourceName", "projects/-/serviceAccounts/1049");
            p.putObject("response").put("name", "projects/" + PROJECT + "/serviceAccounts/" + account + "/keys/k" + insertId);
            e.putObject("resource").put("type", "service_account").putObject("labels").put("project_id", PROJECT).put("unique_id", "1049");
        }
        return new Held(insertId, time, e.toString());
    }

    static Set<String> firstEventIds(List<Store.OutboxEntry> entries) {
        return entries.stream().map(e -> e.alert().eventIds().get(0)).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void workspacePagesAreReadNewestFirstToTheEndAndEachCreateUserAlertsOnce() {
        List<Held> creates = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Held h = i % 3 == 2
                    ? activity("q" + i, T0.minus(Duration.ofMinutes(100)).plusSeconds(600L * i), "CHANGE_PASSWORD", "root@example.org", "u" + i + "@example.org", null)
                    : createUser("q" + i, T0.minus(Duration.ofMinutes(100)).plusSeconds(600L * i), "u" + i + "@example.org");
            google.addActivity(h);
            if (i % 3 != 2) {
                creates.add(h);
            }
        }
        Instant end = cadet.windowEnd();

        PollResult r = cadet.poll(GWS);

        assertEquals(PollResult.Outcome.POLLED, r.outcome(), cadet.health(GWS).toString());
        List<Served> pages = google.served(Api.REPORTS);
        assertEquals(List.of(1, 2, 3), pages.stream().map(Served::page).toList(), "8 activities are 3 pages of 3");
        assertEquals(gwsId("q7", T0.minus(Duration.ofMinutes(100)).plusSeconds(4200), "CREATE_USER"), pages.get(0).ids().get(0),
                "newest first");
        assertEquals(8, r.newEvents());
        List<Store.OutboxEntry> alerts = cadet.outbox(CREATED);
        assertEquals(creates.stream().map(Held::id).collect(Collectors.toCollection(TreeSet::new)), firstEventIds(alerts));
        Alert a = alerts.get(0).alert();
        assertEquals("google_workspace.admin", a.dataset());
        assertEquals(CUSTOMER, a.accountId());
        assertEquals("root@example.org", a.userName());
        assertEquals("203.0.113.7", a.sourceIp());
        assertTrue(a.targetName().matches("u\\d@example.org"), a.targetName());
        if (cadet.hasRule("gws-user-created")) {
            assertEquals(creates.size(), cadet.outbox("gws-user-created").size(), "the pack rule alerts on every CREATE_USER");
        }
        assertEquals(Optional.of(end), cadet.store.watermark(GWS));
        Store.StreamHealth h = cadet.health(GWS);
        assertEquals(3, h.requests());
        assertEquals(8, h.events());
        assertFalse(h.stopped());
        assertEquals(1, google.tokenClaims().size(), "one token for the three pages");
        assertEquals("admin@example.org", google.tokenClaims().get(0).path("sub").asText());
        assertEquals("https://www.googleapis.com/auth/admin.reports.audit.readonly", google.tokenClaims().get(0).path("scope").asText());
    }

    @Test
    void anActivityVisibleOnlyLaterWithAnEarlierTimeInsideTheOverlapAlertsOnce() {
        google.addActivity(createUser("early", T0.minus(Duration.ofMinutes(50)), "early@example.org"));
        Instant firstEnd = cadet.windowEnd();
        assertEquals(1, cadet.poll(GWS).alerts() > 0 ? cadet.outbox(CREATED).size() : 0);

        // happened 10 minutes before the first window's end, became visible only now
        Held late = createUser("late", firstEnd.minus(Duration.ofMinutes(10)), "backdoor@example.org");
        google.addActivity(late);
        cadet.clock.advance(Duration.ofMinutes(5));
        google.clearLog();

        PollResult second = cadet.poll(GWS);

        assertEquals(PollResult.Outcome.POLLED, second.outcome());
        assertTrue(google.served(Api.REPORTS).stream().anyMatch(s -> s.ids().contains(late.id())));
        assertEquals(Set.of(gwsId("early", T0.minus(Duration.ofMinutes(50)), "CREATE_USER"), late.id()), firstEventIds(cadet.outbox(CREATED)));
        assertEquals("backdoor@example.org", cadet.outbox(CREATED).stream().filter(e -> e.alert().eventIds().contains(late.id()))
                .findFirst().orElseThrow().alert().targetName());

        cadet.clock.advance(Duration.ofMinutes(5));
        google.clearLog();
        PollResult third = cadet.poll(GWS);
        assertTrue(google.served(Api.REPORTS).stream().anyMatch(s -> s.ids().contains(late.id())), "still in the overlap");
        assertEquals(0, third.newEvents());
        assertEquals(2, cadet.outbox(CREATED).size(), "no duplicate alert");
    }

    @Test
    void quotaAnswersAreRetriedCountedAndLoseNothing() {
        for (int i = 0; i < 5; i++) {
            google.addActivity(createUser("u" + i, T0.minus(Duration.ofMinutes(90)).plusSeconds(300L * i), "n" + i + "@example.org"));
            google.addEntry(auditEntry("sa" + i, T0.minus(Duration.ofMinutes(90)).plusSeconds(300L * i), "CreateServiceAccount",
                    "sa" + i + "@" + PROJECT + ".iam.gserviceaccount.com", null));
        }
        google.fail(Api.REPORTS, 503, "2", 1);
        google.fail(Api.REPORTS, 429, null, 1);
        google.fail(Api.LOGGING, 429, "1", 1);
        Instant end = cadet.windowEnd();

        PollResult gws = cadet.poll(GWS);
        Instant gcpEnd = cadet.windowEnd(); // the Retry-After waits moved the clock
        PollResult gcp = cadet.poll(GCP);

        assertEquals(PollResult.Outcome.POLLED, gws.outcome());
        assertEquals(PollResult.Outcome.POLLED, gcp.outcome());
        assertEquals(List.of(503, 429, 200, 200), google.served(Api.REPORTS).stream().map(Served::status).toList());
        assertEquals(List.of(429, 200, 200), google.served(Api.LOGGING).stream().map(Served::status).toList());
        assertEquals(5, cadet.outbox(CREATED).size());
        assertEquals(5, cadet.outbox("e2e-gcp-sa-created").size());
        assertEquals(2, cadet.health(GWS).throttles());
        assertEquals(4, cadet.health(GWS).requests());
        assertEquals(1, cadet.health(GCP).throttles());
        assertEquals(0, cadet.health(GWS).consecutiveFailures());
        assertEquals(Optional.of(end), cadet.store.watermark(GWS));
        assertEquals(Optional.of(gcpEnd), cadet.store.watermark(GCP));
        assertTrue(gcpEnd.isAfter(end.plusSeconds(2)), "the host waited the 503's Retry-After of 2s");
    }

    @Test
    void forbiddenStopsEachStreamNamingWhatToGrantAndKeepsItsWatermark() throws Exception {
        google.addActivity(createUser("ok", T0.minus(Duration.ofMinutes(30)), "ok@example.org"));
        assertEquals(PollResult.Outcome.POLLED, cadet.poll(GWS).outcome());
        Optional<Instant> watermark = cadet.store.watermark(GWS);
        google.fail(Api.REPORTS, 403, null, 100);
        google.fail(Api.LOGGING, 403, null, 100);
        cadet.clock.advance(Duration.ofMinutes(5));
        google.clearLog();

        assertEquals(PollResult.Outcome.FAILED, cadet.poll(GWS).outcome());
        assertEquals(PollResult.Outcome.FAILED, cadet.poll(GCP).outcome());

        Store.StreamHealth gws = cadet.health(GWS);
        assertTrue(gws.stopped(), gws.toString());
        assertTrue(gws.lastError().contains("domain-wide delegation"), gws.lastError());
        assertTrue(gws.lastError().contains("admin.reports.audit.readonly"), gws.lastError());
        Store.StreamHealth gcp = cadet.health(GCP);
        assertTrue(gcp.stopped(), gcp.toString());
        assertTrue(gcp.lastError().contains("roles/logging.viewer"), gcp.lastError());
        String key = google.keyJson();
        String keyMaterial = key.substring(key.indexOf("PRIVATE KEY-----") + 20, key.indexOf("PRIVATE KEY-----") + 60);
        for (Store.StreamHealth h : List.of(gws, gcp)) {
            assertFalse(h.lastError().contains(keyMaterial), "no key material in health");
            assertFalse(h.lastError().contains("ya29."), "no token in health");
        }
        assertEquals(watermark, cadet.store.watermark(GWS));
        assertEquals(2, google.served().stream().filter(s -> s.status() == 403).count(), "a 403 is not retried");
        assertEquals(PollResult.Outcome.STOPPED, cadet.poll(GWS).outcome());
    }

    @Test
    void aRevokedTokenIsReplacedAndThePollLosesAndRepeatsNothing() {
        google.addActivity(createUser("before", T0.minus(Duration.ofMinutes(20)), "before@example.org"));
        assertEquals(PollResult.Outcome.POLLED, cadet.poll(GWS).outcome());
        google.revokeTokens();
        for (int i = 0; i < 4; i++) {
            google.addActivity(createUser("after" + i, T0.plusSeconds(60L * i), "after" + i + "@example.org"));
        }
        cadet.clock.advance(Duration.ofMinutes(10));
        google.clearLog();

        PollResult r = cadet.poll(GWS);

        assertEquals(PollResult.Outcome.POLLED, r.outcome(), cadet.health(GWS).toString());
        List<Served> log = google.served();
        assertEquals(401, log.get(0).status(), "the old token is refused");
        assertEquals(Api.TOKEN, log.get(1).api(), "a new token is fetched at once");
        assertEquals(2, google.tokenClaims().size());
        assertTrue(log.subList(2, log.size()).stream().allMatch(s -> s.status() == 200 && s.token().equals(log.get(1).token())));
        assertEquals(4, r.newEvents());
        assertEquals(5, cadet.outbox(CREATED).size(), "every record alerted, none twice");
        assertEquals(0, cadet.health(GWS).consecutiveFailures());
    }

    @Test
    void aWorkspaceUserCreatedThenMadeSuperAdminYieldsTheChainAlert() {
        Instant created = T0.minus(Duration.ofMinutes(40));
        Held create = createUser("c1", created, "bob@example.org");
        Held grant = activity("g1", created.plus(Duration.ofMinutes(12)), "GRANT_ADMIN_PRIVILEGE", "root@example.org", "bob@example.org", null);
        Held other = activity("g2", created.plus(Duration.ofMinutes(13)), "GRANT_ADMIN_PRIVILEGE", "root@example.org", "carol@example.org", null);
        google.addActivity(create);
        google.addActivity(grant);
        google.addActivity(other);

        PollResult r = cadet.poll(GWS);

        assertEquals(PollResult.Outcome.POLLED, r.outcome());
        assertEquals(grant.id(), google.served(Api.REPORTS).get(0).ids().get(1), "the grant is served before the creation");
        List<Store.OutboxEntry> chain = cadet.outbox("e2e-gws-created-then-admin");
        assertEquals(1, chain.size(), "only bob was created and then made admin");
        Alert a = chain.get(0).alert();
        assertEquals(List.of(create.id(), grant.id()), a.eventIds(), "event-time order");
        assertEquals("bob@example.org", a.targetName());
        assertEquals(CUSTOMER, a.accountId());
        if (cadet.hasRule("gws-user-created-then-admin")) {
            assertEquals(List.of(create.id(), grant.id()), cadet.outbox("gws-user-created-then-admin").get(0).alert().eventIds());
        }
    }

    @Test
    void aServiceAccountCreatedThenGivenAKeyYieldsTheChainAlertAcrossPages() {
        String sa = "backdoor@" + PROJECT + ".iam.gserviceaccount.com";
        Instant t = T0.minus(Duration.ofMinutes(45));
        google.addEntry(auditEntry("denied", t.minus(Duration.ofMinutes(1)), "CreateServiceAccount", "x@" + PROJECT + ".iam.gserviceaccount.com", 7));
        google.addEntry(auditEntry("create", t, "CreateServiceAccount", sa, null));
        google.addEntry(auditEntry("noise1", t.plusSeconds(30), "CreateRole", sa, null));
        google.addEntry(auditEntry("noise2", t.plusSeconds(60), "CreateRole", sa, null));
        google.addEntry(auditEntry("key", t.plus(Duration.ofMinutes(3)), "CreateServiceAccountKey", sa, null));

        PollResult r = cadet.poll(GCP);

        assertEquals(PollResult.Outcome.POLLED, r.outcome(), cadet.health(GCP).toString());
        assertEquals(List.of(1, 2), google.served(Api.LOGGING).stream().map(Served::page).toList());
        assertEquals(5, r.newEvents());
        assertEquals(List.of("create"), cadet.outbox("e2e-gcp-sa-created").stream().map(e -> e.alert().eventIds().get(0)).toList(),
                "the denied creation does not alert");
        List<Store.OutboxEntry> chain = cadet.outbox("e2e-gcp-sa-created-then-key");
        assertEquals(1, chain.size());
        Alert a = chain.get(0).alert();
        assertEquals(List.of("create", "key"), a.eventIds());
        assertEquals(sa, a.targetName(), "both steps name the account by email");
        assertEquals(PROJECT, a.accountId());
        assertEquals("mallory@example.org", a.userName());
        assertEquals("gcp.audit", a.dataset());
        if (cadet.hasRule("gcp-service-account-created-then-key")) {
            assertEquals(List.of("create", "key"), cadet.outbox("gcp-service-account-created-then-key").get(0).alert().eventIds());
        }
        assertEquals("https://www.googleapis.com/auth/logging.read", google.tokenClaims().get(0).path("scope").asText());
    }
}
