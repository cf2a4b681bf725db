package dev.cadet.provider.aws.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.Event;
import dev.cadet.collector.Provider;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.collector.testkit.RecordingFetchContext;
import dev.cadet.provider.aws.AwsProviderFactory;
import dev.cadet.provider.aws.TestConfigs;
import dev.cadet.provider.aws.normalize.CloudTrailNormalizer;
import java.math.BigDecimal;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real SDK CloudTrailClient against a WireMock LookupEvents on 127.0.0.1. */
class CloudTrailSourceTest {

    static final String TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    static final String ACCOUNT = "123456789012";
    static final String STREAM = "aws/" + ACCOUNT + "/us-east-1";
    static final Window WINDOW = new Window(Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T11:00:00Z"));

    private final ObjectMapper json = new ObjectMapper();
    private WireMockServer cloudTrail;
    private Provider provider;

    @BeforeEach
    void start() {
        cloudTrail = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        cloudTrail.start();
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        cloudTrail.stop();
    }

    private Provider provider(Map<String, Object> extra) {
        Map<String, Object> values = new HashMap<>();
        values.put("accounts", List.of(Map.of("id", ACCOUNT)));
        values.put("credentials", TestConfigs.staticCredentials());
        values.put("endpoint", "http://127.0.0.1:" + cloudTrail.port());
        values.putAll(extra);
        var config = TestConfigs.config(values);
        provider = new AwsProviderFactory().create(config);
        assertEquals(List.of(), config.problems());
        return provider;
    }

    private StreamSpec stream(Provider p) {
        return p.streams().stream().filter(s -> s.key().equals(STREAM)).findFirst().orElseThrow();
    }

    static MappingBuilder lookupEvents() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET));
    }

    /** A CloudTrail record as text, the way LookupEvents embeds it. */
    String trailRecord(String id, String name, Instant time) {
        ObjectNode r = json.createObjectNode();
        r.put("eventVersion", "1.08");
        r.putObject("userIdentity").put("type", "IAMUser").put("userName", "ops-admin").put("accountId", ACCOUNT);
        r.put("eventTime", time.toString());
        r.put("eventSource", "iam.amazonaws.com");
        r.put("eventName", name);
        r.put("awsRegion", "us-east-1");
        r.put("sourceIPAddress", "203.0.113.9");
        r.putObject("requestParameters").put("userName", "new-" + id);
        r.put("eventID", id);
        r.put("recipientAccountId", ACCOUNT);
        return r.toString();
    }

    /** A LookupEvents answer: events in the given (newest-first) order. */
    String answer(String nextToken, Object[]... events) {
        ObjectNode body = json.createObjectNode();
        ArrayNode list = body.putArray("Events");
        for (Object[] e : events) {
            String id = (String) e[0];
            String name = (String) e[1];
            Instant time = (Instant) e[2];
            list.addObject().put("EventId", id).put("EventName", name).put("EventTime", time.getEpochSecond())
                    .put("EventSource", "iam.amazonaws.com").put("Username", "ops-admin")
                    .put("CloudTrailEvent", trailRecord(id, name, time))
                    .putArray("Resources");
        }
        if (nextToken != null) {
            body.put("NextToken", nextToken);
        }
        return body.toString();
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder ok(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1").withBody(body);
    }

    static com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder error(int status, String type, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody("{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
    }

    static Object[] ev(String id, String name, String time) {
        return new Object[] {id, name, Instant.parse(time)};
    }

    @Test
    void pagesFollowNextTokenNewestFirstAndCarryTheWindowAndAttribute() throws Exception {
        // First page: no NextToken in the request (lowest priority catches it)
        cloudTrail.stubFor(lookupEvents().atPriority(10).willReturn(ok(answer("tok-2",
                ev("e5", "CreateUser", "2026-11-20T10:59:00Z"), ev("e4", "CreateAccessKey", "2026-11-20T10:50:00Z")))));
        cloudTrail.stubFor(lookupEvents().atPriority(1).withRequestBody(matchingJsonPath("$.NextToken", equalTo("tok-2")))
                .willReturn(ok(answer("tok-3", ev("e3", "CreateUser", "2026-11-20T10:30:00Z"), ev("e2", "AttachUserPolicy", "2026-11-20T10:20:00Z")))));
        cloudTrail.stubFor(lookupEvents().atPriority(1).withRequestBody(matchingJsonPath("$.NextToken", equalTo("tok-3")))
                .willReturn(ok(answer(null, ev("e1", "CreateUser", "2026-11-20T10:00:00Z")))));

        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(3);
        p.source().fetch(stream(p), WINDOW, ctx);

        assertEquals(3, ctx.pages.size());
        assertEquals(List.of(2, 2, 1), ctx.pages.stream().map(List::size).toList());
        assertEquals(List.of("LookupEvents " + STREAM + " page 1", "LookupEvents " + STREAM + " page 2",
                "LookupEvents " + STREAM + " page 3"), ctx.calls);
        assertEquals("LookupEvents " + STREAM + " page 3", ctx.pages.get(2).get(0).origin());

        // each body is the CloudTrailEvent text; they normalize, newest first as the API sent them
        CloudTrailNormalizer normalizer = new CloudTrailNormalizer();
        List<String> ids = ctx.records().stream().map(r -> normalize(normalizer, r).id()).toList();
        assertEquals(List.of("e5", "e4", "e3", "e2", "e1"), ids);
        assertEquals(trailRecord("e1", "CreateUser", Instant.parse("2026-11-20T10:00:00Z")), ctx.pages.get(2).get(0).body());

        List<LoggedRequest> requests = cloudTrail.findAll(postRequestedFor(urlEqualTo("/")));
        assertEquals(3, requests.size());
        for (LoggedRequest r : requests) {
            assertTrue(r.getHeader("Content-Type").startsWith("application/x-amz-json-1.1"));
            assertTrue(r.getHeader("Authorization").contains("Credential=" + TestConfigs.ACCESS_KEY_ID + "/"),
                    "signed with the configured static key");
            assertTrue(r.getHeader("Authorization").contains("/us-east-1/cloudtrail/aws4_request"));
            JsonNode body = json.readTree(r.getBodyAsString());
            assertEquals(0, body.get("StartTime").decimalValue().compareTo(BigDecimal.valueOf(WINDOW.start().getEpochSecond())));
            assertEquals(0, body.get("EndTime").decimalValue().compareTo(BigDecimal.valueOf(WINDOW.end().getEpochSecond())));
            assertEquals(50, body.get("MaxResults").asInt());
            assertEquals("EventSource", body.at("/LookupAttributes/0/AttributeKey").asText());
            assertEquals("iam.amazonaws.com", body.at("/LookupAttributes/0/AttributeValue").asText());
            assertEquals(1, body.get("LookupAttributes").size());
        }
        assertFalse(json.readTree(requests.get(0).getBodyAsString()).has("NextToken"));
    }

    private static Event normalize(CloudTrailNormalizer n, RawRecord r) {
        try {
            return n.normalize(r).get(0);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void configuredAttributeAndEventNameFilterAreApplied() throws Exception {
        cloudTrail.stubFor(lookupEvents().willReturn(ok(answer(null,
                ev("e3", "CreateUser", "2026-11-20T10:30:00Z"), ev("e2", "ListUsers", "2026-11-20T10:20:00Z"),
                ev("e1", "CreateLoginProfile", "2026-11-20T10:10:00Z")))));
        Provider p = provider(Map.of("lookup_attribute", Map.of("key", "EventName", "value", "CreateUser"),
                "event_names", List.of("CreateUser", "CreateLoginProfile")));
        RecordingFetchContext ctx = new RecordingFetchContext(1);
        p.source().fetch(stream(p), WINDOW, ctx);
        assertEquals(2, ctx.records().size());
        assertTrue(ctx.records().stream().noneMatch(r -> r.body().contains("ListUsers")));
        cloudTrail.verify(1, postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.LookupAttributes[0].AttributeKey", equalTo("EventName")))
                .withRequestBody(matchingJsonPath("$.LookupAttributes[0].AttributeValue", equalTo("CreateUser"))));
    }

    @Test
    void throttlingIsClassifiedThrottledAndTheSdkDoesNotRetryOnItsOwn() {
        cloudTrail.stubFor(lookupEvents().willReturn(error(400, "ThrottlingException", "Rate exceeded")));
        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(3);
        CollectorException e = assertThrows(CollectorException.class, () -> p.source().fetch(stream(p), WINDOW, ctx));
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        assertTrue(e.throttled());
        assertTrue(e.getMessage().contains("Rate exceeded") && e.getMessage().contains(ACCOUNT), e.getMessage());
        // 3 attempts by the host's loop = 3 HTTP requests: the SDK made one each
        cloudTrail.verify(3, postRequestedFor(urlEqualTo("/")));
        assertTrue(ctx.pages.isEmpty());
    }

    @Test
    void throttledThenAnsweredCompletesTheWindow() throws Exception {
        cloudTrail.stubFor(lookupEvents().inScenario("throttle").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(error(400, "ThrottlingException", "Rate exceeded").withHeader("Retry-After", "2"))
                .willSetStateTo("calm"));
        cloudTrail.stubFor(lookupEvents().inScenario("throttle").whenScenarioStateIs("calm")
                .willReturn(ok(answer(null, ev("e1", "CreateUser", "2026-11-20T10:10:00Z")))));
        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(3);
        p.source().fetch(stream(p), WINDOW, ctx);
        assertEquals(1, ctx.records().size());
        assertEquals(1, ctx.failures.size());
        assertTrue(ctx.failures.get(0).throttled());
        assertEquals(java.time.Duration.ofSeconds(2), ctx.failures.get(0).retryAfter());
    }

    @Test
    void serverErrorIsRetryButNotThrottled() {
        cloudTrail.stubFor(lookupEvents().willReturn(error(503, "ServiceUnavailableException", "try later")));
        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(2);
        CollectorException e = assertThrows(CollectorException.class, () -> p.source().fetch(stream(p), WINDOW, ctx));
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        assertFalse(e.throttled());
        cloudTrail.verify(2, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void accessDeniedIsFatalAndNamesThePermissionAccountAndRegion() {
        cloudTrail.stubFor(lookupEvents().willReturn(error(400, "AccessDeniedException",
                "User: arn:aws:iam::123456789012:user/cadet is not authorized to perform: cloudtrail:LookupEvents")));
        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(3);
        CollectorException e = assertThrows(CollectorException.class, () -> p.source().fetch(stream(p), WINDOW, ctx));
        assertEquals(CollectorException.Kind.FATAL, e.kind());
        assertTrue(e.getMessage().startsWith("access denied to cloudtrail:LookupEvents for account 123456789012 region us-east-1"), e.getMessage());
        assertTrue(e.getMessage().contains("grant cloudtrail:LookupEvents"), e.getMessage());
        cloudTrail.verify(1, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void http403AndUnrecognizedClientAreFatal() {
        cloudTrail.stubFor(lookupEvents().willReturn(error(403, "SomethingNew", "no")));
        Provider p = provider(Map.of());
        CollectorException denied = assertThrows(CollectorException.class,
                () -> p.source().fetch(stream(p), WINDOW, new RecordingFetchContext(3)));
        assertEquals(CollectorException.Kind.FATAL, denied.kind());
        assertTrue(denied.getMessage().contains("cloudtrail:LookupEvents"));

        cloudTrail.resetAll();
        cloudTrail.stubFor(lookupEvents().willReturn(error(400, "UnrecognizedClientException", "The security token included in the request is invalid.")));
        CollectorException bad = assertThrows(CollectorException.class,
                () -> p.source().fetch(stream(p), WINDOW, new RecordingFetchContext(3)));
        assertEquals(CollectorException.Kind.FATAL, bad.kind());
        assertTrue(bad.getMessage().contains("cloudtrail:LookupEvents") && bad.getMessage().contains("credentials"), bad.getMessage());
        assertFalse(bad.getMessage().contains(TestConfigs.SECRET_ACCESS_KEY));
    }

    @Test
    void invalidNextTokenAndTimeRangeAreRetry() {
        for (String type : List.of("InvalidNextTokenException", "InvalidTimeRangeException")) {
            cloudTrail.resetAll();
            cloudTrail.stubFor(lookupEvents().willReturn(error(400, type, "bad")));
            Provider p = provider == null ? provider(Map.of()) : provider;
            CollectorException e = assertThrows(CollectorException.class,
                    () -> p.source().fetch(stream(p), WINDOW, new RecordingFetchContext(1)));
            assertEquals(CollectorException.Kind.RETRY, e.kind(), type);
            assertFalse(e.throttled());
            assertTrue(e.getMessage().contains("read again"), e.getMessage());
        }
    }

    @Test
    void networkFailureIsRetry() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        Map<String, Object> values = new HashMap<>();
        values.put("endpoint", "http://127.0.0.1:" + closedPort);
        Provider p = provider(values);
        CollectorException e = assertThrows(CollectorException.class,
                () -> p.source().fetch(stream(p), WINDOW, new RecordingFetchContext(2)));
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        assertTrue(e.getMessage().startsWith("network error during CloudTrail LookupEvents for account " + ACCOUNT), e.getMessage());
    }

    @Test
    void stoppingHostFailsTheWindowInsteadOfReturningPartly() throws Exception {
        cloudTrail.stubFor(lookupEvents().willReturn(ok(answer("tok-again", ev("e1", "CreateUser", "2026-11-20T10:10:00Z")))));
        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(1);
        ctx.stopping = true;
        CollectorException e = assertThrows(CollectorException.class, () -> p.source().fetch(stream(p), WINDOW, ctx));
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        cloudTrail.verify(0, postRequestedFor(urlEqualTo("/")));
    }

    @Test
    void repeatedNextTokenEndsTheFetchWithRetry() {
        cloudTrail.stubFor(lookupEvents().willReturn(ok(answer("same", ev("e1", "CreateUser", "2026-11-20T10:10:00Z")))));
        Provider p = provider(Map.of());
        RecordingFetchContext ctx = new RecordingFetchContext(1);
        CollectorException e = assertThrows(CollectorException.class, () -> p.source().fetch(stream(p), WINDOW, ctx));
        assertEquals(CollectorException.Kind.RETRY, e.kind());
        assertTrue(e.getMessage().contains("same NextToken twice"), e.getMessage());
        assertEquals(2, ctx.pages.size());
    }

    @Test
    void unknownStreamIsFatal() {
        Provider p = provider(Map.of());
        StreamSpec other = stream(p);
        StreamSpec foreign = new StreamSpec("aws/999999999999/us-east-1", other.dataset(), other.timeAxis(), other.settleLag(),
                other.rescanOverlap(), other.maxWindow(), other.retention(), other.initialBackfill(), other.quota(), other.labels());
        CollectorException e = assertThrows(CollectorException.class,
                () -> p.source().fetch(foreign, WINDOW, new RecordingFetchContext(1)));
        assertEquals(CollectorException.Kind.FATAL, e.kind());
        assertNotNull(e.getMessage());
    }

}
