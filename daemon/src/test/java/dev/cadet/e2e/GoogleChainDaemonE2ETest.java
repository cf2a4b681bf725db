package dev.cadet.e2e;

import static dev.cadet.e2e.GooglePipeline.CUSTOMER;
import static dev.cadet.e2e.GooglePipeline.PROJECT;
import static dev.cadet.e2e.GooglePollingE2ETest.activity;
import static dev.cadet.e2e.GooglePollingE2ETest.auditEntry;
import static dev.cadet.e2e.GooglePollingE2ETest.createUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.e2e.GoogleApisStandIn.Api;
import dev.cadet.e2e.GoogleApisStandIn.Held;
import dev.cadet.e2e.SyslogDaemonRun.Expected;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's end-to-end acceptance: a Workspace user created then made super admin, and a GCP service
 * account created then given a key, through the real daemon ({@code cadet run} in a child JVM, the
 * distribution's gcp plugin with google-auth's JWT-bearer grant and its HTTP client against
 * {@link GoogleApisStandIn}, the service account key by {@code ${file:...}}), the checkout's whole rule
 * pack, SQLite, and syslog/TCP to a receiver here. The SIEM must get the creation alert and the chain
 * alert, as strict CEF, and nothing else.
 */
class GoogleChainDaemonE2ETest {
    static final String ACTOR = "root@example.org";

    @TempDir
    Path tmp;
    GoogleApisStandIn google;
    SyslogDaemonRun cadet;
    Path keyFile;
    String keyMaterial;

    @BeforeEach
    void standIn() throws Exception {
        google = new GoogleApisStandIn();
        String key = google.keyJson();
        keyFile = SyslogDaemonRun.secretFile(tmp, "gcp-key.json", key);
        // a piece of the private key's base64, which must never reach the log
        int k = key.indexOf("PRIVATE KEY-----") + 20;
        keyMaterial = key.substring(k, k + 40);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (cadet != null) {
                cadet.close();
            }
        } finally {
            google.close();
        }
    }

    private String gcpEntry(String sources) {
        return """
                  gcp:
                    - name: google
                      credentials_json: ${file:%s}
                      token_uri: %s/token
                      reports_root_url: %s
                      logging_root_url: %s
                %s
                      schedule: 1s
                      settle_lag: 1s
                      rescan_overlap: 15m
                      initial_backfill: 1h
                """.formatted(keyFile, google.baseUrl(), google.baseUrl(), google.baseUrl(), sources.stripTrailing());
    }

    @Test
    void workspaceUserCreatedThenMadeSuperAdminYieldsTheChainAlertAtTheSiem() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(40));
        Held createBob = createUser("c-bob", t, "bob@example.org");
        // "Grant super admin privileges" (admin-user-settings GRANT_ADMIN_PRIVILEGE), 12 minutes later
        Held superAdminBob = activity("g-bob", t.plus(Duration.ofMinutes(12)), "GRANT_ADMIN_PRIVILEGE", ACTOR, "bob@example.org", null);
        // carol was made super admin but not created here: no chain; dave was created but never made admin
        Held superAdminCarol = activity("g-carol", t.plus(Duration.ofMinutes(13)), "GRANT_ADMIN_PRIVILEGE", ACTOR, "carol@example.org", null);
        Held createDave = createUser("c-dave", t.plus(Duration.ofMinutes(20)), "dave@example.org");
        for (Held h : List.of(createBob, superAdminBob, superAdminCarol, createDave)) {
            google.addActivity(h);
        }
        cadet = new SyslogDaemonRun(tmp, gcpEntry("""
                      subject: admin@example.org
                      workspace:
                        customer_id: %s
                        applications: [admin]
                """.formatted(CUSTOMER)));
        String ds = "google_workspace.admin";
        // gws-user-created per CREATE_USER; gws-user-created-then-admin for bob only. The pack's
        // admin-count-above-baseline learns its baseline for 14 days from the first grant: no alert.
        List<Expected> expected = List.of(
                new Expected("gws-user-created", List.of(createBob.id()), ds, CUSTOMER, ACTOR, "bob@example.org"),
                new Expected("gws-user-created", List.of(createDave.id()), ds, CUSTOMER, ACTOR, "dave@example.org"),
                new Expected("gws-user-created-then-admin", List.of(createBob.id(), superAdminBob.id()), ds, CUSTOMER, ACTOR,
                        "bob@example.org"));

        cadet.runToAlerts(GooglePipeline.GWS, expected, keyMaterial);

        // the Reports API served newest first (over two pages), so the daemon read the grant before the
        // creation it follows, and still alerted on the chain in event-time order
        List<String> served = google.served(Api.REPORTS).stream().filter(s -> s.status() == 200)
                .flatMap(s -> s.ids().stream()).toList();
        assertTrue(served.indexOf(superAdminBob.id()) >= 0 && served.indexOf(superAdminBob.id()) < served.indexOf(createBob.id()),
                served::toString);
        assertEquals("admin@example.org", google.tokenClaims().get(0).path("sub").asText(), "domain-wide delegation subject");
    }

    @Test
    void gcpServiceAccountCreatedThenGivenAKeyYieldsTheChainAlertAtTheSiem() throws Exception {
        String sa = "backdoor@" + PROJECT + ".iam.gserviceaccount.com";
        String actor = "mallory@example.org"; // auditEntry's principal
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(45));
        // a denied creation (status 7) alerts nowhere; two unrelated IAM calls sit between creation and key
        google.addEntry(auditEntry("denied", t.minus(Duration.ofMinutes(1)), "CreateServiceAccount",
                "x@" + PROJECT + ".iam.gserviceaccount.com", 7));
        google.addEntry(auditEntry("create", t, "CreateServiceAccount", sa, null));
        google.addEntry(auditEntry("noise1", t.plusSeconds(30), "CreateRole", sa, null));
        google.addEntry(auditEntry("noise2", t.plusSeconds(60), "CreateRole", sa, null));
        google.addEntry(auditEntry("key", t.plus(Duration.ofMinutes(3)), "CreateServiceAccountKey", sa, null));
        cadet = new SyslogDaemonRun(tmp, gcpEntry("""
                      cloud_logging:
                        resources: [projects/%s]
                """.formatted(PROJECT)));
        String ds = "gcp.audit";
        List<Expected> expected = List.of(
                new Expected("gcp-service-account-created", List.of("create"), ds, PROJECT, actor, sa),
                new Expected("gcp-service-account-created-then-key", List.of("create", "key"), ds, PROJECT, actor, sa));

        cadet.runToAlerts(GooglePipeline.GCP, expected, keyMaterial);

        assertTrue(google.served(Api.LOGGING).stream().anyMatch(s -> s.page() == 2), "the five entries took two pages");
        assertEquals("https://www.googleapis.com/auth/logging.read", google.tokenClaims().get(0).path("scope").asText());
    }
}
