package dev.cadet.provider.gcp.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.Provider;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.collector.testkit.RecordingFetchContext;
import dev.cadet.provider.gcp.TestConfigs;
import dev.cadet.provider.gcp.TestKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real source (JDK HTTP client, google-auth JWT-bearer grant) against WireMock on 127.0.0.1
 * standing in for the token endpoint, the Reports API and Cloud Logging.
 */
class GoogleSourceTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SUBJECT = "admin@example.org";
    static final String REPORTS = "/admin/reports/v1/activity/users/all/applications/admin";
    static final Window WINDOW = new Window(Instant.parse("2026-03-01T09:00:00Z"), Instant.parse("2026-03-01T12:00:00Z"));

    @TempDir
    Path dir;
    WireMockServer google;
    TestKey key;
    Provider provider;

    @BeforeEach
    void start() throws Exception {
        google = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        google.start();
        String base = "http://127.0.0.1:" + google.port();
        key = new TestKey("https://oauth2.googleapis.com/token"); // overridden by token_uri below
        google.stubFor(post(urlEqualTo("/token")).willReturn(aResponse().withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"ya29.tok-A\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
        provider = TestConfigs.provider(Map.of(
                "credentials_json", TestConfigs.ref(key.write(dir)),
                "subject", SUBJECT,
                "token_uri", base + "/token",
                "reports_root_url", base,
                "logging_root_url", base + "/",
                "workspace", Map.of("applications", List.of("admin")),
                "cloud_logging", Map.of("resources", List.of("projects/proj-one"))));
    }

    @AfterEach
    void stop() {
        google.stop();
    }

    StreamSpec stream(String key) {
        return provider.streams().stream().filter(s -> s.key().equals(key)).findFirst().orElseThrow();
    }

    static String activity(String time, String qualifier, String name) {
        return "{\"kind\":\"admin#reports#activity\",\"id\":{\"time\":\"" + time + "\",\"uniqueQualifier\":\"" + qualifier
                + "\",\"applicationName\":\"admin\",\"customerId\":\"C0abc\"},\"actor\":{\"email\":\"root@example.org\"},"
                + "\"events\":[{\"type\":\"USER_SETTINGS\",\"name\":\"" + name + "\",\"parameters\":[{\"name\":\"USER_EMAIL\",\"value\":\"u"
                + qualifier + "@example.org\"}]}]}";
    }

    @Test
    void streamsAreDeclaredPerApplicationAndResourceWithTheirTiming() {
        assertEquals(List.of("gws/my_customer/admin", "gcp/projects/proj-one"), provider.streams().stream().map(StreamSpec::key).toList());
        StreamSpec gws = stream("gws/my_customer/admin");
        assertEquals("google_workspace.admin", gws.dataset());
        assertEquals(Duration.ofMinutes(15), gws.settleLag());
        assertEquals(Duration.ofHours(3), gws.rescanOverlap());
        assertEquals(Duration.ofDays(180), gws.retention());
        assertEquals("gws/my_customer", gws.quota().key());
        StreamSpec gcp = stream("gcp/projects/proj-one");
        assertEquals("gcp.audit", gcp.dataset());
        assertEquals("gcp-logging/" + TestKey.CLIENT_EMAIL, gcp.quota().key());
    }

    @Test
    void reportsPagesThroughEveryPageNewestFirstWithADelegatedSignedToken() throws Exception {
        google.stubFor(get(urlPathEqualTo(REPORTS)).withQueryParam("pageToken", com.github.tomakehurst.wiremock.client.WireMock.absent())
                .withHeader("Authorization", equalTo("Bearer ya29.tok-A"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"kind\":\"admin#reports#activities\",\"items\":[" + activity("2026-03-01T11:59:00.000Z", "3", "CREATE_USER") + ","
                                + activity("2026-03-01T11:00:00.000Z", "2", "CREATE_USER") + "],\"nextPageToken\":\"PT2\"}")));
        google.stubFor(get(urlPathEqualTo(REPORTS)).withQueryParam("pageToken", equalTo("PT2"))
                .withHeader("Authorization", equalTo("Bearer ya29.tok-A"))
                .willReturn(aResponse().withHeader("Content-Type", "application/json").withBody(
                        "{\"kind\":\"admin#reports#activities\",\"items\":[" + activity("2026-03-01T09:00:00.000Z", "1", "GRANT_ADMIN_PRIVILEGE") + "]}")));
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        provider.source().fetch(stream("gws/my_customer/admin"), WINDOW, ctx);

        assertEquals(2, ctx.pages.size());
        assertEquals(List.of("3", "2", "1"), ctx.records().stream()
                .map(r -> read(r.body()).at("/id/uniqueQualifier").asText()).toList());
        assertTrue(ctx.records().get(0).origin().contains("gws/my_customer/admin page 1"), ctx.records().get(0).origin());
        List<LoggedRequest> calls = google.findAll(getRequestedFor(urlPathEqualTo(REPORTS)));
        assertEquals(2, calls.size());
        for (LoggedRequest r : calls) {
            assertEquals("2026-03-01T09:00:00Z", r.queryParameter("startTime").firstValue());
            assertEquals("2026-03-01T12:00:00Z", r.queryParameter("endTime").firstValue());
            assertEquals("1000", r.queryParameter("maxResults").firstValue());
            assertFalse(r.queryParameter("customerId").isPresent(), "my_customer is the default: not sent");
            assertFalse(r.queryParameter("eventName").isPresent());
        }
        List<LoggedRequest> tokens = google.findAll(postRequestedFor(urlEqualTo("/token")));
        assertEquals(1, tokens.size(), "the token is cached across pages");
        JsonNode claims = key.verifiedClaims(tokens.get(0).getBodyAsString());
        assertEquals(TestKey.CLIENT_EMAIL, claims.path("iss").asText());
        assertEquals(SUBJECT, claims.path("sub").asText(), "domain-wide delegation: the admin is the subject");
        assertEquals(GoogleHttp.REPORTS_SCOPE, claims.path("scope").asText());
    }

    @Test
    void eventNamesAreOnePassEachAndACustomerIdIsSent() throws Exception {
        Provider p = TestConfigs.provider(Map.of(
                "credentials_json", TestConfigs.ref(key.write(dir)), "subject", SUBJECT,
                "token_uri", google.baseUrl() + "/token", "reports_root_url", google.baseUrl(),
                "workspace", Map.of("customer_id", "C0abc123", "event_names", List.of("CREATE_USER", "ASSIGN_ROLE"))));
        google.stubFor(get(urlPathEqualTo(REPORTS)).willReturn(aResponse().withBody("{\"kind\":\"admin#reports#activities\"}")));
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        p.source().fetch(p.streams().get(0), WINDOW, ctx);

        assertEquals("gws/C0abc123/admin", p.streams().get(0).key());
        List<LoggedRequest> calls = google.findAll(getRequestedFor(urlPathEqualTo(REPORTS)));
        assertEquals(List.of("CREATE_USER", "ASSIGN_ROLE"), calls.stream().map(r -> r.queryParameter("eventName").firstValue()).toList());
        assertTrue(calls.stream().allMatch(r -> r.queryParameter("customerId").firstValue().equals("C0abc123")));
        assertTrue(ctx.pages.isEmpty());
    }

    @Test
    void cloudLoggingPostsTheAuditFilterOldestFirstAndFollowsTokensThroughEmptyPages() throws Exception {
        google.stubFor(post(urlEqualTo("/v2/entries:list")).inScenario("pages").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withBody("{\"entries\":[{\"insertId\":\"a1\",\"protoPayload\":{\"methodName\":\"x\"}}],\"nextPageToken\":\"T2\"}"))
                .willSetStateTo("two"));
        google.stubFor(post(urlEqualTo("/v2/entries:list")).inScenario("pages").whenScenarioStateIs("two")
                .willReturn(aResponse().withBody("{\"nextPageToken\":\"T3\"}")).willSetStateTo("three"));
        google.stubFor(post(urlEqualTo("/v2/entries:list")).inScenario("pages").whenScenarioStateIs("three")
                .willReturn(aResponse().withBody("{\"entries\":[{\"insertId\":\"a2\",\"protoPayload\":{\"methodName\":\"x\"}}]}")));
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        provider.source().fetch(stream("gcp/projects/proj-one"), WINDOW, ctx);

        assertEquals(List.of("a1", "a2"), ctx.records().stream().map(r -> read(r.body()).path("insertId").asText()).toList());
        List<LoggedRequest> calls = google.findAll(postRequestedFor(urlEqualTo("/v2/entries:list")));
        assertEquals(3, calls.size());
        JsonNode first = read(calls.get(0).getBodyAsString());
        assertEquals("[\"projects/proj-one\"]", first.path("resourceNames").toString());
        assertEquals("logName=\"projects/proj-one/logs/cloudaudit.googleapis.com%2Factivity\""
                + " AND protoPayload.serviceName=\"iam.googleapis.com\""
                + " AND timestamp>=\"2026-03-01T09:00:00Z\" AND timestamp<=\"2026-03-01T12:00:00Z\"", first.path("filter").asText());
        assertEquals("timestamp asc", first.path("orderBy").asText());
        assertEquals(1000, first.path("pageSize").asInt());
        assertTrue(first.path("pageToken").isMissingNode());
        assertEquals("T2", read(calls.get(1).getBodyAsString()).path("pageToken").asText());
        assertEquals("T3", read(calls.get(2).getBodyAsString()).path("pageToken").asText());
        JsonNode claims = key.verifiedClaims(google.findAll(postRequestedFor(urlEqualTo("/token"))).get(0).getBodyAsString());
        assertEquals(GoogleHttp.LOGGING_SCOPE, claims.path("scope").asText());
        assertTrue(claims.path("sub").isMissingNode(), "Cloud Logging is read as the service account itself: " + claims);
    }

    @Test
    void quotaAnswersAreThrottlesWithRetryAfterAndTheRetryGetsThePage() throws Exception {
        google.stubFor(get(urlPathEqualTo(REPORTS)).inScenario("q").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withHeader("Retry-After", "7")
                        .withBody("{\"error\":{\"code\":503,\"message\":\"The service is currently unavailable.\",\"status\":\"UNAVAILABLE\"}}"))
                .willSetStateTo("429"));
        google.stubFor(get(urlPathEqualTo(REPORTS)).inScenario("q").whenScenarioStateIs("429")
                .willReturn(aResponse().withStatus(429).withBody("{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\"}}"))
                .willSetStateTo("403-rate"));
        google.stubFor(get(urlPathEqualTo(REPORTS)).inScenario("q").whenScenarioStateIs("403-rate")
                .willReturn(aResponse().withStatus(403).withBody(
                        "{\"error\":{\"code\":403,\"message\":\"Rate Limit Exceeded\",\"errors\":[{\"reason\":\"rateLimitExceeded\"}]}}"))
                .willSetStateTo("ok"));
        google.stubFor(get(urlPathEqualTo(REPORTS)).inScenario("q").whenScenarioStateIs("ok")
                .willReturn(aResponse().withBody("{\"items\":[" + activity("2026-03-01T10:00:00Z", "9", "CREATE_USER") + "]}")));
        RecordingFetchContext ctx = new RecordingFetchContext(5);

        provider.source().fetch(stream("gws/my_customer/admin"), WINDOW, ctx);

        assertEquals(3, ctx.failures.size());
        assertTrue(ctx.failures.stream().allMatch(f -> f.kind() == CollectorException.Kind.RETRY && f.throttled()), ctx.failures.toString());
        assertEquals(Duration.ofSeconds(7), ctx.failures.get(0).retryAfter());
        assertNull(ctx.failures.get(1).retryAfter());
        assertEquals(1, ctx.records().size(), "the record of the retried page is not lost");
    }

    @Test
    void forbiddenStopsTheStreamNamingDelegationAndScopeOrTheLoggingRole() throws Exception {
        google.stubFor(get(urlPathEqualTo(REPORTS)).willReturn(aResponse().withStatus(403).withBody(
                "{\"error\":{\"code\":403,\"message\":\"Not Authorized to access this resource/api\",\"errors\":[{\"reason\":\"forbidden\"}]}}")));
        google.stubFor(post(urlEqualTo("/v2/entries:list")).willReturn(aResponse().withStatus(403).withBody(
                "{\"error\":{\"code\":403,\"message\":\"The caller does not have permission\",\"status\":\"PERMISSION_DENIED\"}}")));

        CollectorException gws = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream("gws/my_customer/admin"), WINDOW, new RecordingFetchContext(3)));
        CollectorException gcp = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream("gcp/projects/proj-one"), WINDOW, new RecordingFetchContext(3)));

        assertEquals(CollectorException.Kind.FATAL, gws.kind());
        assertTrue(gws.getMessage().contains("domain-wide delegation"), gws.getMessage());
        assertTrue(gws.getMessage().contains("admin.reports.audit.readonly"), gws.getMessage());
        assertTrue(gws.getMessage().contains("Not Authorized to access this resource/api"), gws.getMessage());
        assertEquals(CollectorException.Kind.FATAL, gcp.kind());
        assertTrue(gcp.getMessage().contains("roles/logging.viewer"), gcp.getMessage());
        assertEquals(1, google.findAll(postRequestedFor(urlEqualTo("/v2/entries:list"))).size(), "not retried");
        for (CollectorException e : List.of(gws, gcp)) {
            assertFalse(e.getMessage().contains("ya29.tok-A"), "no token in messages");
            assertFalse(e.getMessage().contains("PRIVATE KEY"), "no key in messages");
        }
    }

    @Test
    void aRefusedTokenIsRefreshedOnceAndThePageRead() throws Exception {
        google.stubFor(post(urlEqualTo("/token")).inScenario("tok").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withBody("{\"access_token\":\"ya29.old\",\"expires_in\":3600,\"token_type\":\"Bearer\"}"))
                .willSetStateTo("new"));
        google.stubFor(post(urlEqualTo("/token")).inScenario("tok").whenScenarioStateIs("new")
                .willReturn(aResponse().withBody("{\"access_token\":\"ya29.new\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
        google.stubFor(get(urlPathEqualTo(REPORTS)).withHeader("Authorization", equalTo("Bearer ya29.old"))
                .willReturn(aResponse().withStatus(401).withBody("{\"error\":{\"code\":401,\"message\":\"Invalid Credentials\",\"status\":\"UNAUTHENTICATED\"}}")));
        google.stubFor(get(urlPathEqualTo(REPORTS)).withHeader("Authorization", equalTo("Bearer ya29.new"))
                .willReturn(aResponse().withBody("{\"items\":[" + activity("2026-03-01T10:00:00Z", "5", "CREATE_USER") + "]}")));
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        provider.source().fetch(stream("gws/my_customer/admin"), WINDOW, ctx);

        assertEquals(1, ctx.failures.size());
        assertEquals(CollectorException.Kind.REAUTH, ctx.failures.get(0).kind());
        assertEquals(2, google.findAll(postRequestedFor(urlEqualTo("/token"))).size());
        assertEquals(1, ctx.records().size());
    }

    @Test
    void aTokenRefusedForMissingDelegationIsFatalAndShowsNoKey() throws Exception {
        google.stubFor(post(urlEqualTo("/token")).willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":\"unauthorized_client\",\"error_description\":\"Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.\"}")));

        CollectorException e = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream("gws/my_customer/admin"), WINDOW, new RecordingFetchContext(3)));

        assertEquals(CollectorException.Kind.FATAL, e.kind());
        assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage()); // google-auth drops the OAuth error body
        assertTrue(e.getMessage().contains("domain-wide delegation"), e.getMessage());
        assertTrue(e.getMessage().contains(TestKey.CLIENT_EMAIL), e.getMessage());
        assertFalse(e.getMessage().contains("PRIVATE KEY"));
        assertFalse(e.getMessage().contains(key.privateKeyPem.substring(40, 80)));
        assertEquals(0, google.findAll(getRequestedFor(urlPathEqualTo(REPORTS))).size());
    }

    @Test
    void aTokenEndpointOutageIsRetried() throws Exception {
        google.stubFor(post(urlEqualTo("/token")).inScenario("t").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(503).withBody("unavailable")).willSetStateTo("ok"));
        google.stubFor(post(urlEqualTo("/token")).inScenario("t").whenScenarioStateIs("ok")
                .willReturn(aResponse().withBody("{\"access_token\":\"ya29.tok-A\",\"expires_in\":3600,\"token_type\":\"Bearer\"}")));
        google.stubFor(get(urlPathEqualTo(REPORTS)).willReturn(aResponse().withBody("{}")));
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        provider.source().fetch(stream("gws/my_customer/admin"), WINDOW, ctx);

        assertEquals(1, ctx.failures.size());
        assertEquals(CollectorException.Kind.RETRY, ctx.failures.get(0).kind());
        assertEquals(2, google.findAll(postRequestedFor(urlEqualTo("/token"))).size(), "google-auth's own retries are off");
    }

    @Test
    void aRepeatedPageTokenFailsTheWindowInsteadOfLooping() {
        google.stubFor(post(urlEqualTo("/v2/entries:list"))
                .willReturn(aResponse().withBody("{\"entries\":[],\"nextPageToken\":\"SAME\"}")));
        CollectorException e = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream("gcp/projects/proj-one"), WINDOW, new RecordingFetchContext(1)));
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        assertEquals(2, google.findAll(postRequestedFor(urlEqualTo("/v2/entries:list"))).size());
    }

    /** Both APIs answer one record, with {@code Date} set to {@code serverNow}. */
    void answerOneRecordWithDate(Instant serverNow) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(serverNow.atZone(ZoneOffset.UTC));
        google.stubFor(get(urlPathEqualTo(REPORTS)).willReturn(aResponse().withHeader("Date", date).withBody(
                "{\"items\":[" + activity("2026-03-01T10:00:00Z", "7", "CREATE_USER") + "]}")));
        google.stubFor(post(urlEqualTo("/v2/entries:list")).willReturn(aResponse().withHeader("Date", date).withBody(
                "{\"entries\":[{\"insertId\":\"e7\",\"protoPayload\":{\"methodName\":\"x\"}}]}")));
    }

    /** The window a poll planned now reads: up to {@code serverNow - settleLag}, as the host plans it. */
    static Window plannedWindow(StreamSpec stream, Instant serverNow) {
        Instant end = serverNow.minus(stream.settleLag());
        return new Window(end.minus(Duration.ofHours(2)), end);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gws/my_customer/admin", "gcp/projects/proj-one"})
    void aServerClockFarBehindOursFailsTheWindowWithTheSkewAndTheCorrectedWindowIsRead(String key) throws Exception {
        Instant ours = Instant.now();
        Duration behind = Duration.ofMinutes(-20); // the server is 20 minutes behind us
        answerOneRecordWithDate(ours.plus(behind));
        StreamSpec stream = stream(key);
        RecordingFetchContext ctx = new RecordingFetchContext(3);

        CollectorException e = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream, plannedWindow(stream, ours), ctx));

        assertEquals(CollectorException.Kind.CLOCK_SKEW, e.kind());
        assertTrue(e.getMessage().contains("clock"), e.getMessage());
        assertTrue(e.clockSkew().minus(behind).abs().compareTo(Duration.ofSeconds(30)) < 0, "measured " + e.clockSkew());
        assertEquals(1, ctx.calls.size(), "not retried: the host corrects its windows");
        assertTrue(ctx.pages.isEmpty(), "nothing of the refused window is pushed");

        // the host's next window ends at our now + the skew - the settle lag: read as usual
        RecordingFetchContext corrected = new RecordingFetchContext(3);
        provider.source().fetch(stream, plannedWindow(stream, Instant.now().plus(e.clockSkew())), corrected);
        assertEquals(1, corrected.records().size());
        assertTrue(corrected.failures.isEmpty(), corrected.failures.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gws/my_customer/admin", "gcp/projects/proj-one"})
    void aServerClockAheadOfOursOrWithinFiveMinutesChangesNothing(String key) throws Exception {
        StreamSpec stream = stream(key);
        for (Duration skew : List.of(Duration.ZERO, Duration.ofMinutes(-4), Duration.ofMinutes(20))) {
            Instant ours = Instant.now();
            answerOneRecordWithDate(ours.plus(skew));
            RecordingFetchContext ctx = new RecordingFetchContext(3);

            provider.source().fetch(stream, plannedWindow(stream, ours), ctx);

            assertEquals(1, ctx.records().size(), "server clock " + skew + " off ours");
            assertTrue(ctx.failures.isEmpty(), ctx.failures.toString());
        }
    }

    @Test
    void aReportsRefusalOfAWindowPastTheServersNowIsClockSkewNotAConfigurationError() throws Exception {
        Instant ours = Instant.now();
        StreamSpec stream = stream("gws/my_customer/admin");
        String refusal = "{\"error\":{\"code\":400,\"message\":\"Invalid request: start time.\",\"status\":\"INVALID_ARGUMENT\"}}";
        google.stubFor(get(urlPathEqualTo(REPORTS)).willReturn(aResponse().withStatus(400).withBody(refusal)
                .withHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ours.minus(Duration.ofHours(3)).atZone(ZoneOffset.UTC)))));

        CollectorException skewed = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream, plannedWindow(stream, ours), new RecordingFetchContext(3)));
        assertEquals(CollectorException.Kind.CLOCK_SKEW, skewed.kind(), skewed.getMessage());

        google.stubFor(get(urlPathEqualTo(REPORTS)).willReturn(aResponse().withStatus(400).withBody(refusal)
                .withHeader("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ours.atZone(ZoneOffset.UTC)))));
        CollectorException refused = assertThrows(CollectorException.class,
                () -> provider.source().fetch(stream, plannedWindow(stream, ours), new RecordingFetchContext(3)));
        assertEquals(CollectorException.Kind.FATAL, refused.kind(), "with our clock right, a 400 is still the configuration's");
    }

    static JsonNode read(String s) {
        try {
            return JSON.readTree(s);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
