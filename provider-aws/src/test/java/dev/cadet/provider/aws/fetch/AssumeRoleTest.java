package dev.cadet.provider.aws.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.testkit.RecordingFetchContext;
import dev.cadet.provider.aws.AwsProviderFactory;
import dev.cadet.provider.aws.TestConfigs;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** sts:AssumeRole through a WireMock STS (Query API, XML answers), then LookupEvents signed with the role's keys. */
class AssumeRoleTest {

    static final String ROLE = "arn:aws:iam::123456789012:role/cadet-reader";
    static final String TEMP_KEY_ID = "ASIATEMPROLEKEY00001";
    static final String TEMP_SECRET = "role-secret-never-logged-9a8b7c";
    static final String TEMP_TOKEN = "role-session-token-never-logged-FwoGZXIvYXdzE";

    /** Logs the session token at DEBUG (AWS SDK 2.42). */
    static final String SIGNER_LOGGER = "software.amazon.awssdk.http.auth.aws.internal.signer";

    private WireMockServer sts;
    private WireMockServer cloudTrail;
    private Provider provider;
    private ListAppender<ILoggingEvent> logs;
    private Logger root;
    private Level rootLevel;

    @BeforeEach
    void start() {
        sts = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        cloudTrail = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        sts.start();
        cloudTrail.start();
        // Capture everything ours and the SDK's log at DEBUG, to check no key reaches a log line. One
        // exception: the SDK's SigV4 signer prints the canonical request, with X-Amz-Security-Token, at
        // DEBUG, so the daemon's logging config must keep SIGNER_LOGGER at INFO or above (as here).
        ((Logger) LoggerFactory.getLogger(SIGNER_LOGGER)).setLevel(Level.INFO);
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        rootLevel = root.getLevel();
        logs = new ListAppender<>();
        logs.start();
        for (String name : List.of("dev.cadet", "software.amazon.awssdk")) {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            l.setLevel(Level.DEBUG);
            l.setAdditive(false); // keep the console quiet; the capture sees it all
            l.addAppender(logs);
        }
    }

    @AfterEach
    void stop() {
        for (String name : List.of("dev.cadet", "software.amazon.awssdk")) {
            Logger l = (Logger) LoggerFactory.getLogger(name);
            l.detachAppender(logs);
            l.setAdditive(true);
            l.setLevel(null);
        }
        ((Logger) LoggerFactory.getLogger(SIGNER_LOGGER)).setLevel(null);
        root.setLevel(rootLevel);
        if (provider != null) {
            provider.close();
        }
        sts.stop();
        cloudTrail.stop();
    }

    private Provider provider(Map<String, Object> assumeRole) {
        Map<String, Object> values = new HashMap<>();
        values.put("accounts", List.of(Map.of("id", "123456789012", "assume_role", assumeRole)));
        values.put("credentials", TestConfigs.staticCredentials());
        values.put("endpoint", "http://127.0.0.1:" + cloudTrail.port());
        values.put("sts_endpoint", "http://127.0.0.1:" + sts.port());
        ProviderConfig config = TestConfigs.config(values);
        provider = new AwsProviderFactory().create(config);
        assertEquals(List.of(), config.problems());
        return provider;
    }

    static String assumeRoleAnswer() {
        return "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<AssumeRoleResult><Credentials>"
                + "<AccessKeyId>" + TEMP_KEY_ID + "</AccessKeyId>"
                + "<SecretAccessKey>" + TEMP_SECRET + "</SecretAccessKey>"
                + "<SessionToken>" + TEMP_TOKEN + "</SessionToken>"
                + "<Expiration>2099-01-01T00:00:00Z</Expiration>"
                + "</Credentials><AssumedRoleUser><AssumedRoleId>AROATEST:cadet-collector</AssumedRoleId>"
                + "<Arn>arn:aws:sts::123456789012:assumed-role/cadet-reader/cadet-collector</Arn></AssumedRoleUser>"
                + "</AssumeRoleResult><ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></AssumeRoleResponse>";
    }

    static Map<String, String> form(String body) {
        Map<String, String> out = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void assumesTheRoleWithExternalIdAndSignsLookupEventsWithItsKeys() throws Exception {
        sts.stubFor(post(urlEqualTo("/")).withRequestBody(containing("Action=AssumeRole"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(assumeRoleAnswer())));
        cloudTrail.stubFor(CloudTrailSourceTest.lookupEvents().willReturn(CloudTrailSourceTest.ok("{\"Events\":[]}")));
        Provider p = provider(Map.of("role_arn", ROLE, "external_id", "ext-7d1c", "session_name", "cadet-test"));

        RecordingFetchContext ctx = new RecordingFetchContext(1);
        p.source().fetch(p.streams().get(0), CloudTrailSourceTest.WINDOW, ctx);
        p.source().fetch(p.streams().get(0), CloudTrailSourceTest.WINDOW, ctx);

        List<LoggedRequest> stsCalls = sts.findAll(postRequestedFor(urlEqualTo("/")));
        assertEquals(1, stsCalls.size(), "role credentials are cached until they near expiry");
        Map<String, String> params = form(stsCalls.get(0).getBodyAsString());
        assertEquals("AssumeRole", params.get("Action"));
        assertEquals(ROLE, params.get("RoleArn"));
        assertEquals("ext-7d1c", params.get("ExternalId"));
        assertEquals("cadet-test", params.get("RoleSessionName"));
        assertTrue(stsCalls.get(0).getHeader("Authorization").contains("Credential=" + TestConfigs.ACCESS_KEY_ID + "/"),
                "AssumeRole is signed by the base identity");

        // The AssumeRole is a paced call of its own, before the first LookupEvents; not repeated after.
        assertEquals(List.of("AssumeRole for aws/123456789012/us-east-1"), ctx.calls.stream().filter(c -> c.startsWith("AssumeRole")).toList());
        assertTrue(ctx.calls.get(0).startsWith("AssumeRole") && ctx.calls.get(1).startsWith("LookupEvents"), ctx.calls.toString());
        List<LoggedRequest> lookups = cloudTrail.findAll(postRequestedFor(urlEqualTo("/")));
        assertEquals(2, lookups.size());
        for (LoggedRequest r : lookups) {
            assertTrue(r.getHeader("Authorization").contains("Credential=" + TEMP_KEY_ID + "/"), r.getHeader("Authorization"));
            assertEquals(TEMP_TOKEN, r.getHeader("X-Amz-Security-Token"));
        }
        assertNoSecretLogged();
    }

    @Test
    void deniedAssumeRoleIsFatalAndNamesStsAssumeRole() {
        sts.stubFor(post(urlEqualTo("/")).willReturn(aResponse().withStatus(403).withHeader("Content-Type", "text/xml")
                .withBody("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                        + "<Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/cadet is not authorized to perform: sts:AssumeRole on resource: "
                        + ROLE + "</Message></Error><RequestId>r</RequestId></ErrorResponse>")));
        Provider p = provider(Map.of("role_arn", ROLE, "external_id", "wrong"));
        CollectorException e = assertThrows(CollectorException.class,
                () -> p.source().fetch(p.streams().get(0), CloudTrailSourceTest.WINDOW, new RecordingFetchContext(3)));
        assertEquals(CollectorException.Kind.FATAL, e.kind());
        assertTrue(e.getMessage().startsWith("sts:AssumeRole on " + ROLE + " for account 123456789012 failed (AccessDenied"), e.getMessage());
        cloudTrail.verify(0, postRequestedFor(urlEqualTo("/")));
        sts.verify(1, postRequestedFor(urlEqualTo("/")).withRequestBody(containing("ExternalId=wrong")));
        assertNoSecretLogged();
    }

    @Test
    void throttledAssumeRoleIsRetriedByTheHost() throws Exception {
        sts.stubFor(post(urlEqualTo("/")).inScenario("s").whenScenarioStateIs(com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "text/xml")
                        .withBody("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error></ErrorResponse>"))
                .willSetStateTo("ok"));
        sts.stubFor(post(urlEqualTo("/")).inScenario("s").whenScenarioStateIs("ok")
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/xml").withBody(assumeRoleAnswer())));
        cloudTrail.stubFor(CloudTrailSourceTest.lookupEvents().willReturn(CloudTrailSourceTest.ok("{\"Events\":[]}")));
        Provider p = provider(Map.of("role_arn", ROLE));
        RecordingFetchContext ctx = new RecordingFetchContext(3);
        p.source().fetch(p.streams().get(0), CloudTrailSourceTest.WINDOW, ctx);
        assertEquals(1, ctx.failures.size());
        assertTrue(ctx.failures.get(0).throttled(), ctx.failures.get(0).getMessage());
        assertTrue(ctx.failures.get(0).getMessage().contains("sts:AssumeRole"));
        cloudTrail.verify(1, postRequestedFor(urlEqualTo("/")).withHeader("X-Amz-Security-Token", equalTo(TEMP_TOKEN)));
        assertNoSecretLogged();
    }

    private void assertNoSecretLogged() {
        assertFalse(logs.list.isEmpty(), "the SDK logs at DEBUG, so the capture works");
        for (ILoggingEvent e : logs.list) {
            String line = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : e.getThrowableProxy().getMessage());
            for (String secret : List.of(TestConfigs.SECRET_ACCESS_KEY, TEMP_SECRET, TEMP_TOKEN)) {
                assertFalse(line.contains(secret), "secret in log line: " + e.getLoggerName());
            }
        }
    }
}
