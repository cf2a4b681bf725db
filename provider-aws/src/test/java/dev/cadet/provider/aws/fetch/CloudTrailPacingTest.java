package dev.cadet.provider.aws.fetch;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.cadet.provider.aws.fetch.CloudTrailSourceTest.lookupEvents;
import static dev.cadet.provider.aws.fetch.CloudTrailSourceTest.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.collector.Window;
import dev.cadet.collector.testkit.RecordingFetchContext;
import dev.cadet.provider.aws.TestConfigs;
import dev.cadet.provider.aws.config.AwsSettings;
import dev.cadet.provider.aws.config.AwsSettingsReader;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * LookupEvents requests of one account reach CloudTrail (WireMock on 127.0.0.1) at least the quota's
 * spacing apart even when a request is slow between its permit and its send (the SDK's first use, a
 * credentials fetch, a GC pause): the source reports each send to the host, which spaces the next
 * permit from it. Without the report the host spaces from the permits, and the slow request lands
 * {@link #SLOW_BEFORE_SEND} closer to the next one.
 */
class CloudTrailPacingTest {

    static final String ACCOUNT = "123456789012";
    static final String STREAM = "aws/" + ACCOUNT + "/us-east-1";
    static final Window WINDOW = new Window(Instant.parse("2026-11-20T10:00:00Z"), Instant.parse("2026-11-20T11:00:00Z"));
    static final Duration SPACING = Duration.ofMillis(500);
    static final Duration SLOW_BEFORE_SEND = Duration.ofMillis(300);
    /**
     * What the arrival gap may lose to the loopback path after the send report (the HTTP client's
     * write, WireMock's dispatch) and to WireMock's millisecond timestamps; far below the
     * {@link #SLOW_BEFORE_SEND} that an unreported send would lose.
     */
    static final Duration LOOPBACK_JITTER = Duration.ofMillis(50);

    private WireMockServer cloudTrail;
    private SdkClients clients;
    /** Armed: the next LookupEvents sleeps after marshalling, i.e. after its permit and before its send. */
    private final AtomicBoolean slowNext = new AtomicBoolean();

    @BeforeEach
    void start() {
        cloudTrail = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        cloudTrail.start();
        AwsSettings settings = AwsSettingsReader.read(TestConfigs.config(Map.of(
                "accounts", List.of(Map.of("id", ACCOUNT)),
                "credentials", TestConfigs.staticCredentials(),
                "endpoint", "http://127.0.0.1:" + cloudTrail.port()))).orElseThrow();
        ExecutionInterceptor slowBeforeSend = new ExecutionInterceptor() {
            @Override
            public void afterMarshalling(Context.AfterMarshalling context, ExecutionAttributes attributes) {
                if (slowNext.compareAndSet(true, false)) {
                    try {
                        Thread.sleep(SLOW_BEFORE_SEND.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        clients = new SdkClients(settings, List.of(slowBeforeSend));
    }

    @AfterEach
    void stop() {
        clients.close();
        cloudTrail.stop();
    }

    private static StreamSpec stream() {
        return new StreamSpec(STREAM, "aws.cloudtrail", TimeAxis.EVENT_TIME, Duration.ofMinutes(5), Duration.ofHours(1),
                Duration.ofHours(1), Duration.ofDays(90), Duration.ofHours(1), new QuotaScope(STREAM, 2.0), Map.of());
    }

    @Test
    void aRequestSlowBeforeItsSendDoesNotBringTheNextOneCloserThanTheQuota() throws Exception {
        cloudTrail.stubFor(lookupEvents().atPriority(10).willReturn(ok("{\"Events\":[],\"NextToken\":\"tok-2\"}")));
        cloudTrail.stubFor(lookupEvents().atPriority(1).withRequestBody(matchingJsonPath("$.NextToken", equalTo("tok-2")))
                .willReturn(ok("{\"Events\":[],\"NextToken\":\"tok-3\"}")));
        cloudTrail.stubFor(lookupEvents().atPriority(1).withRequestBody(matchingJsonPath("$.NextToken", equalTo("tok-3")))
                .willReturn(ok("{\"Events\":[]}")));
        CloudTrailSource source = new CloudTrailSource(clients, AwsSettingsReader.DEFAULT_LOOKUP_ATTRIBUTE, java.util.Set.of());

        // the HTTP path's own first use (after the send report) is paid here, outside the measurement
        source.fetch(stream(), WINDOW, new RecordingFetchContext(1));
        cloudTrail.resetRequests();

        slowNext.set(true);
        RecordingFetchContext host = RecordingFetchContext.paced(1, SPACING);
        source.fetch(stream(), WINDOW, host);

        List<Instant> arrivals = cloudTrail.findAll(postRequestedFor(urlEqualTo("/"))).stream()
                .map(LoggedRequest::getLoggedDate).map(d -> d.toInstant()).sorted(Comparator.naturalOrder()).toList();
        assertEquals(3, arrivals.size(), "three pages");
        for (int i = 1; i < 3; i++) {
            Duration gap = Duration.between(arrivals.get(i - 1), arrivals.get(i));
            assertTrue(gap.compareTo(SPACING.minus(LOOPBACK_JITTER)) >= 0,
                    "requests " + i + " and " + (i + 1) + " arrived " + gap.toMillis() + " ms apart; the quota needs "
                            + SPACING.toMillis() + " ms (arrivals " + arrivals + ")");
        }
        assertEquals(3, host.sends.size(), "every request reported its send: " + host.sends);
        assertTrue(Duration.between(host.permits.get(0), host.sends.get(0)).compareTo(SLOW_BEFORE_SEND) >= 0,
                "the first send is reported after the slow part, not at the permit: permit " + host.permits.get(0)
                        + ", send " + host.sends.get(0));
        for (int i = 0; i < 3; i++) {
            assertFalse(host.sends.get(i).truncatedTo(ChronoUnit.MILLIS).isAfter(arrivals.get(i)),
                    "request " + (i + 1) + " is reported before it arrives: sent " + host.sends.get(i) + ", arrived " + arrivals.get(i));
        }
    }
}
