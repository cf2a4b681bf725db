package dev.cadet.e2e;

import dev.cadet.provider.azure.fetch.GraphStandIn;
import dev.cadet.provider.azure.fetch.TestCertificate;
import static dev.cadet.provider.azure.fetch.GraphStandIn.audit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.provider.azure.fetch.GraphStandIn.Audit;
import dev.cadet.e2e.SyslogDaemonRun.Expected;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's end-to-end acceptance: the seed card's Atomic Red Team tests 1, 2 and 4 (T1136.003), as
 * the records Graph directoryAudits and the O365 Management Activity API hold for them, through the
 * real daemon ({@code cadet run} in a child JVM, the distribution's azure / o365 plugin with its real
 * SDK or HTTP client and azure-identity against the stand-ins, the token endpoint over HTTPS trusted
 * through the entry's CA setting, the client secret by {@code ${file:...}}), the checkout's whole rule
 * pack, SQLite, and syslog/TCP to a receiver here. The SIEM must get exactly the alerts the card
 * expects, as strict CEF with the actor, target, account and event ids.
 */
class MicrosoftAtomicDaemonE2ETest {
    static final String SEED = "cloud-account-created";
    static final String CHAIN = "entra-app-sp-credential-chain";
    static final String ADMIN = "admin@contoso.example";

    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        // the daemon first (killed if a failed test left it running), then the stand-ins
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private <T extends AutoCloseable> T open(T c) {
        open.add(c);
        return c;
    }

    @Test
    void atomicTests124AsGraphRecordsThroughTheDaemonGiveTheCardsAlertsAtTheSiem() throws Exception {
        String tenant = AzurePipeline.TENANT;
        TestCertificate tls = TestCertificate.generate(tmp);
        GraphStandIn graph = open(new GraphStandIn(tls));
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(40));
        // Test 1: "az ad user create": Add user, success, by the admin, target df00tech-test-user.
        graph.add(audit("atomic1-add-user", "Add user", t, "success", ADMIN, "df00tech-test-user@contoso.example", "User"));
        // Test 2: AADInternals: Add application, Add service principal, Add service principal
        // credentials, one correlation id, seconds apart, by one user (Graph serves them newest first).
        List<Audit> test2 = List.of(
                audit("atomic2-app", "Add application", t.plusSeconds(60), "success", ADMIN, "atomic-app", "Application"),
                audit("atomic2-sp", "Add service principal", t.plusSeconds(62), "success", ADMIN, "atomic-app", "ServicePrincipal"),
                audit("atomic2-cred", "Add service principal credentials", t.plusSeconds(64), "success", ADMIN, "atomic-app",
                        "ServicePrincipal"));
        for (Audit a : test2) {
            a.json().put("correlationId", "atomic2-correlation");
        }
        graph.addAll(test2);
        // Test 4: AADInternals New-AADIntUser, initiated by the signed-in user (not an app).
        Audit test4 = audit("atomic4-add-user", "Add user", t.plusSeconds(300), "success", "attacker@contoso.example",
                "aadint-user@contoso.example", "User");
        ((ObjectNode) test4.json().path("additionalDetails").get(0)).put("value", "AADInternals");
        graph.add(test4);
        // Noise: a failed creation and an unrelated change alert nowhere.
        graph.add(audit("atomic-failed", "Add user", t.plusSeconds(400), "failure", ADMIN, "nope@contoso.example", "User"));
        graph.add(audit("atomic-update", "Update application", t.plusSeconds(500), "success", ADMIN, "atomic-app", "Application"));

        String secret = "graph-daemon-secret-never-shown-9d41";
        Path secretFile = SyslogDaemonRun.secretFile(tmp, "graph-secret", secret + "\n");
        SyslogDaemonRun cadet = open(new SyslogDaemonRun(tmp, """
                  azure:
                    - name: entra
                      tenant_id: %s
                      credentials:
                        client_secret: {client_id: %s, secret: "${file:%s}"}
                      authority_host: %s
                      graph_base_url: %s
                      ca_certificates: '%s'
                      schedule: 1s
                      settle_lag: 1s
                      rescan_overlap: 15m
                      initial_backfill: 1h
                """.formatted(tenant, AzurePipeline.APP, secretFile, graph.authorityHost(), graph.graphBaseUrl(), tls.pem())));
        String ds = "azure.auditlogs";
        // The seed rule: one alert per successful Add user / Add application / Add service principal /
        // Add service principal credentials. The pack's chain rule: test 2 once, as a whole.
        List<Expected> expected = List.of(
                new Expected(SEED, List.of("atomic1-add-user"), ds, tenant, ADMIN, "df00tech-test-user@contoso.example"),
                new Expected(SEED, List.of("atomic2-app"), ds, tenant, ADMIN, "atomic-app"),
                new Expected(SEED, List.of("atomic2-sp"), ds, tenant, ADMIN, "atomic-app"),
                new Expected(SEED, List.of("atomic2-cred"), ds, tenant, ADMIN, "atomic-app"),
                new Expected(SEED, List.of("atomic4-add-user"), ds, tenant, "attacker@contoso.example", "aadint-user@contoso.example"),
                new Expected(CHAIN, List.of("atomic2-app", "atomic2-sp", "atomic2-cred"), ds, tenant, ADMIN, "atomic-app"));

        cadet.runToAlerts("azure/" + tenant, expected, secret);

        assertTrue(graph.tokenRequests().size() >= 1, "the plugin fetched its token from the HTTPS stand-in");
        assertTrue(graph.served().stream().allMatch(s -> s.status() == 200), () -> "Graph answers: " + graph.served());
    }

    /**
     * The same Atomic tests as the Office 365 Management Activity API (Audit.AzureActiveDirectory)
     * records them: operation names end with a period. The seed rule's O365 clause, kept verbatim, is
     * {@code event.action in ("Add user.", "New-MsolUser", "New-AzureADUser")}: tests 1 and 4 alert;
     * test 2's "Add application.", "Add service principal." and "Add service principal credentials."
     * are not in that list, and the pack's chain rule reads Graph records (azure.auditlogs) only, so
     * through O365 test 2 yields no alert at all. That is what the rules really do; reading Entra via
     * Graph ({@code entra_via: graph}) is what catches test 2.
     */
    @Test
    void atomicTests124AsO365RecordsThroughTheDaemonGiveWhatTheSeedRulesO365ClauseMatches() throws Exception {
        String tenant = ActivityFeedStandIn.TENANT;
        String admin = "admin@contoso.onmicrosoft.com";
        ActivityFeedStandIn api = open(new ActivityFeedStandIn(tmp));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String contentType = O365Pipeline.CONTENT_TYPE;
        api.blob(contentType, "atomic-1", now.minus(Duration.ofMinutes(40)), List.of(
                O365Pipeline.aadRecord("atomic1-add-user", "Add user.", now.minus(Duration.ofMinutes(45)), admin,
                        "df00tech-test-user@contoso.onmicrosoft.com", "Success")));
        api.blob(contentType, "atomic-2", now.minus(Duration.ofMinutes(30)), List.of(
                O365Pipeline.aadRecord("atomic2-add-app", "Add application.", now.minus(Duration.ofMinutes(35)), admin,
                        "AADInternals app", "Success"),
                O365Pipeline.aadRecord("atomic2-add-sp", "Add service principal.", now.minus(Duration.ofMinutes(35)).plusSeconds(2),
                        admin, "AADInternals app", "Success"),
                O365Pipeline.aadRecord("atomic2-add-sp-cred", "Add service principal credentials.",
                        now.minus(Duration.ofMinutes(35)).plusSeconds(4), admin, "AADInternals app", "Success")));
        // test 4, with an unrelated change in the same blob
        api.blob(contentType, "atomic-4", now.minus(Duration.ofMinutes(20)), List.of(
                O365Pipeline.aadRecord("atomic4-update", "Update user.", now.minus(Duration.ofMinutes(26)), admin,
                        "df00tech-test-user@contoso.onmicrosoft.com", "Success"),
                O365Pipeline.aadRecord("atomic4-add-user", "Add user.", now.minus(Duration.ofMinutes(25)), "attacker@contoso.onmicrosoft.com",
                        "aadint-user@contoso.onmicrosoft.com", "Success")));

        String secret = "o365-daemon-secret-never-shown-3b7e";
        Path secretFile = SyslogDaemonRun.secretFile(tmp, "o365-secret", secret + "\n");
        SyslogDaemonRun cadet = open(new SyslogDaemonRun(tmp, """
                  o365:
                    - name: m365
                      tenant_id: %s
                      credentials:
                        client_secret: {client_id: %s, secret: "${file:%s}"}
                      content_types: [%s]
                      api_base_url: %s
                      authority_host: %s
                      ca_file: '%s'
                      schedule: 1s
                      settle_lag: 1s
                      rescan_overlap: 15m
                      initial_backfill: 1h
                """.formatted(tenant, ActivityFeedStandIn.CLIENT_ID, secretFile, contentType, api.apiBaseUrl(),
                api.authorityHost(), api.caFile())));
        String ds = "o365.audit";
        List<Expected> expected = List.of(
                new Expected(SEED, List.of("atomic1-add-user"), ds, tenant, admin, "df00tech-test-user@contoso.onmicrosoft.com"),
                new Expected(SEED, List.of("atomic4-add-user"), ds, tenant, "attacker@contoso.onmicrosoft.com",
                        "aadint-user@contoso.onmicrosoft.com"));

        cadet.runToAlerts("o365/" + tenant + "/" + contentType, expected, secret);

        List<String> blobsRead = api.served("blob").stream().filter(s -> s.status() == 200)
                .map(s -> s.path().substring(s.path().lastIndexOf('/') + 1)).distinct().sorted().toList();
        assertEquals(List.of("atomic-1", "atomic-2", "atomic-4"), blobsRead, "every blob was read, test 2's included");
    }
}
