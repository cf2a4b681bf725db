package dev.cadet.provider.azure.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Secret;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.collector.Window;
import dev.cadet.collector.testkit.RecordingFetchContext;
import dev.cadet.provider.azure.config.AzureSettings;
import dev.cadet.provider.azure.config.AzureSettingsReader;
import dev.cadet.provider.azure.fetch.GraphStandIn.Served;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Graph SDK and azure-identity against stand-ins: the token endpoint over HTTPS with a
 * certificate made at test time (trusted through {@code ca_certificates}), Graph over HTTP on 127.0.0.1.
 */
class DirectoryAuditsSourceTest {
    static final String TENANT = "6f1c2b9e-0d5a-4c51-9d8b-3a7e2f4c1b00";
    static final String APP = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    static final String SECRET = "graph-secret-never-shown-5e2a";
    static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");
    static final Window WINDOW = new Window(T0.minus(Duration.ofHours(1)), T0);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tls;
    static TestCertificate cert;
    static GraphStandIn graph;
    DirectoryAuditsSource source;
    StreamSpec stream;

    @BeforeAll
    static void startStandIn() throws Exception {
        cert = TestCertificate.generate(tls);
        graph = new GraphStandIn(cert);
    }

    @AfterAll
    static void stopStandIn() {
        graph.close();
    }

    @BeforeEach
    void build() {
        graph.reset();
        source = source(Map.of());
        stream = new StreamSpec(DirectoryAuditsSource.streamKey(TENANT), "azure.auditlogs", TimeAxis.EVENT_TIME,
                Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(7), Duration.ofHours(1),
                new QuotaScope("azure/" + APP + "/" + TENANT, 0.5), Map.of());
    }

    @AfterEach
    void close() {
        source.close();
    }

    static DirectoryAuditsSource source(Map<String, Object> extra) {
        Map<String, Object> values = new HashMap<>();
        values.put("tenant_id", TENANT);
        values.put("credentials", Map.of("client_secret", Map.of("client_id", APP, "secret", "${env:GRAPH_SECRET}")));
        values.put("authority_host", graph.authorityHost());
        values.put("graph_base_url", graph.graphBaseUrl());
        values.put("ca_certificates", cert.pem().toString());
        values.putAll(extra);
        ProviderConfig config = new ProviderConfig("providers.azure[0]", values,
                (kind, name) -> new Secret("${" + kind + ":" + name + "}", () -> SECRET));
        AzureSettings settings = AzureSettingsReader.read(config).orElseThrow(() -> new AssertionError(config.problems()));
        assertEquals(List.of(), config.problems());
        return new DirectoryAuditsSource(settings, Clock.systemUTC());
    }

    private static List<GraphStandIn.Audit> audits(String prefix, int n) {
        List<GraphStandIn.Audit> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(GraphStandIn.audit(prefix + i, "Add user", WINDOW.start().plusSeconds(60L * i + 1), "success",
                    "admin@contoso.example", "user" + i + "@contoso.example", "User"));
        }
        return out;
    }

    private static List<String> ids(List<RawRecord> records) throws Exception {
        List<String> ids = new ArrayList<>();
        for (RawRecord r : records) {
            ids.add(JSON.readTree(r.body()).path("properties").path("id").asText());
        }
        return ids;
    }

    @Test
    void pagesThroughEveryNextLinkWithOneTokenAndHandsRecordsOverWithTheirTenant() throws Exception {
        graph.addAll(audits("page-", 5));
        graph.pageSize = 2;
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        source.fetch(stream, WINDOW, ctx);

        List<Served> served = graph.served().stream().filter(s -> s.ids().stream().anyMatch(i -> i.startsWith("page-"))).toList();
        assertEquals(List.of(1, 2, 3), served.stream().map(Served::page).toList());
        assertEquals(List.of(200, 200, 200), served.stream().map(Served::status).toList());
        for (Served s : served) {
            assertEquals(WINDOW.start(), s.start(), "inclusive lower bound is the window start");
            assertEquals(WINDOW.end(), s.end(), "inclusive upper bound is the window end");
            assertEquals(999, s.top());
            assertTrue(s.query().get("$filter").contains("activityDateTime ge " + WINDOW.start()), s.query().toString());
        }
        assertEquals(1, graph.tokenRequests().size(), "one token for three pages: " + graph.tokenRequests());
        assertTrue(graph.tokenRequests().get(0).contains("client_id=" + APP));
        assertTrue(graph.tokenRequests().get(0).contains("graph.microsoft.com%2F.default"), graph.tokenRequests().get(0));
        assertEquals(1, source.tokenFetches(stream.key()));
        assertEquals(3, ctx.pages.size());
        assertEquals(List.of("page-4", "page-3", "page-2", "page-1", "page-0"), ids(ctx.records()), "newest first, none lost");
        JsonNode first = JSON.readTree(ctx.records().get(0).body());
        assertEquals(TENANT, first.path("tenantId").asText());
        assertEquals("AuditLogs", first.path("category").asText());
        assertEquals("admin@contoso.example", first.path("properties").path("initiatedBy").path("user").path("userPrincipalName").asText());
        assertTrue(ctx.records().get(0).origin().contains("page 1"), ctx.records().get(0).origin());
    }

    @Test
    void a429WithRetryAfterIsAThrottleWithThatDelayAndTheSdkDoesNotRetryIt() throws Exception {
        graph.addAll(audits("thr-", 3));
        graph.pageSize = 2;
        graph.fail(2, 1, 429, Map.of("Retry-After", "7"), "TooManyRequests");
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        source.fetch(stream, WINDOW, ctx);

        List<Served> served = graph.served();
        assertEquals(List.of(1, 2, 2), served.stream().map(Served::page).toList(), "one 429 answer, then the host's retry");
        assertEquals(List.of(200, 429, 200), served.stream().map(Served::status).toList());
        assertEquals(1, ctx.failures.size());
        CollectorException e = ctx.failures.get(0);
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        assertTrue(e.throttled());
        assertEquals(Duration.ofSeconds(7), e.retryAfter());
        assertTrue(e.getMessage().contains("TooManyRequests") && e.getMessage().contains(TENANT), e.getMessage());
        assertEquals(List.of("thr-2", "thr-1", "thr-0"), ids(ctx.records()));
    }

    @Test
    void a429WithoutRetryAfterLeavesTheBackoffToTheHost() throws Exception {
        graph.addAll(audits("nra-", 1));
        graph.fail(1, 1, 429, Map.of(), "TooManyRequests");
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        source.fetch(stream, WINDOW, ctx);

        CollectorException e = ctx.failures.get(0);
        assertTrue(e.throttled());
        assertNull(e.retryAfter());
        assertEquals(List.of(429, 200), graph.served().stream().map(Served::status).toList());
        assertEquals(List.of("nra-0"), ids(ctx.records()));
    }

    @Test
    void aServerErrorIsRetriedButNotCountedAsAThrottle() throws Exception {
        graph.addAll(audits("srv-", 1));
        graph.fail(1, 1, 503, Map.of(), "ServiceUnavailable");
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        source.fetch(stream, WINDOW, ctx);

        assertEquals(CollectorException.Kind.RETRY, ctx.failures.get(0).kind());
        assertFalse(ctx.failures.get(0).throttled());
        assertEquals(List.of("srv-0"), ids(ctx.records()));
    }

    @Test
    void aTokenThatExpiresMidRunIsRefreshedOnceAndTheRunContinues() throws Exception {
        graph.addAll(audits("exp-", 6));
        graph.pageSize = 2;
        graph.expireTokensAfterPage = 1;
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        source.fetch(stream, WINDOW, ctx);

        List<Served> served = graph.served();
        assertEquals(List.of(1, 2, 2, 3), served.stream().map(Served::page).toList());
        assertEquals(List.of(200, 401, 200, 200), served.stream().map(Served::status).toList());
        assertEquals(served.get(0).token(), served.get(1).token(), "the cached token was used until refused");
        assertFalse(served.get(1).token().equals(served.get(2).token()), "a new token after the 401");
        assertEquals(2, graph.tokenRequests().size());
        assertEquals(List.of(CollectorException.Kind.REAUTH), ctx.failures.stream().map(CollectorException::kind).toList());
        assertEquals(6, ctx.records().size(), "no record lost");
    }

    @Test
    void forbiddenStopsWithThePermissionToGrantAndNoSecret() {
        graph.addAll(audits("den-", 1));
        graph.fail(null, 1, 403, Map.of(), "Authorization_RequestDenied");
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        CollectorException e = assertThrows(CollectorException.class, () -> source.fetch(stream, WINDOW, ctx));

        assertEquals(CollectorException.Kind.FATAL, e.kind());
        assertTrue(e.getMessage().contains("AuditLog.Read.All"), e.getMessage());
        assertTrue(e.getMessage().contains("admin consent"), e.getMessage());
        assertTrue(e.getMessage().contains(TENANT), e.getMessage());
        assertTrue(e.getMessage().contains("Authorization_RequestDenied"), e.getMessage());
        assertFalse(e.getMessage().contains(SECRET));
        assertEquals(1, graph.served().size(), "a permission error is not retried");
        assertTrue(ctx.records().isEmpty());
    }

    @Test
    void activityNamesAreFilteredOnTheServerWithQuotesEscaped() throws Exception {
        source.close();
        source = source(Map.of("activity_names", List.of("Add user", "Add O'Brien's app")));
        graph.add(GraphStandIn.audit("f-user", "Add user", WINDOW.start().plusSeconds(5), "success", "a@x.example", "b@x.example", "User"));
        graph.add(GraphStandIn.audit("f-other", "Update user", WINDOW.start().plusSeconds(6), "success", "a@x.example", "b@x.example", "User"));
        graph.add(GraphStandIn.audit("f-app", "Add O'Brien's app", WINDOW.start().plusSeconds(7), "success", "a@x.example", "app", "Application"));
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        source.fetch(stream, WINDOW, ctx);

        Served s = graph.served().get(0);
        assertTrue(s.query().get("$filter").endsWith(
                " and (activityDisplayName eq 'Add user' or activityDisplayName eq 'Add O''Brien''s app')"), s.query().get("$filter"));
        assertEquals(List.of("Add user", "Add O'Brien's app"), s.activities());
        assertEquals(List.of("f-app", "f-user"), ids(ctx.records()));
    }
}
