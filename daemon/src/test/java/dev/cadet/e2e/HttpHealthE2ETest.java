package dev.cadet.e2e;

import static dev.cadet.e2e.AwsPipeline.STREAM;
import static dev.cadet.e2e.AwsPipeline.createUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.http.HealthCheck;
import dev.cadet.http.HttpEndpoint;
import dev.cadet.http.PrometheusText;
import dev.cadet.http.StoreMetrics;
import dev.cadet.poll.PollResult;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /health} and {@code /metrics} over real HTTP while the real AWS plugin polls a LookupEvents
 * stand-in: healthy, then a streak of server errors (RETRY) makes it 503 and a success makes it 200
 * again; an access-denied answer (FATAL) stops the stream and keeps it 503 with the reason until a
 * later re-check finds the permission fixed.
 */
class HttpHealthE2ETest {
    static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
    static final Duration SCHEDULE = Duration.ofMinutes(1);

    @TempDir
    Path dir;
    LookupEventsStandIn cloudTrail;
    AwsPipeline cadet;
    HttpEndpoint http;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        cloudTrail = new LookupEventsStandIn();
        cadet = new AwsPipeline(dir, cloudTrail, T0);
        List<HealthCheck.Stream> streams = List.of(new HealthCheck.Stream(STREAM, SCHEDULE, cadet.poller::stoppedBecause));
        http = HttpEndpoint.start(new InetSocketAddress("127.0.0.1", 0),
                new StoreMetrics(cadet.store, streams, List.of(AwsPipeline.OUTPUT), cadet.clock),
                new HealthCheck(cadet.store, streams, 3, 5, cadet.clock));
    }

    @AfterEach
    void stop() {
        if (http != null) {
            http.close();
        }
        if (cadet != null) {
            cadet.close();
        }
        cloudTrail.close();
    }

    HttpResponse<String> get(String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + http.address().getPort() + path);
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    PrometheusText metrics() throws Exception {
        HttpResponse<String> r = get("/metrics");
        assertEquals(200, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), r.headers().toString());
        return PrometheusText.parse(r.body());
    }

    @Test
    void healthFollowsAFailureStreakAndRecovers() throws Exception {
        cloudTrail.add(createUser("u1", T0.minus(Duration.ofMinutes(30)), "alice", "bob"));
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());

        HttpResponse<String> ok = get("/health");
        assertEquals(200, ok.statusCode(), ok.body());
        PrometheusText m = metrics();
        assertEquals(1.0, m.value("cadet_stream_events_total", "stream", STREAM));
        assertEquals(0.0, m.value("cadet_stream_consecutive_failures", "stream", STREAM));
        assertEquals(0.0, m.value("cadet_stream_stopped", "stream", STREAM));
        assertEquals(1.0, m.value("cadet_output_outbox_depth", "output", AwsPipeline.OUTPUT), "the CreateUser alert waits");
        assertTrue(m.value("cadet_stream_requests_total", "stream", STREAM) >= 1);
        assertEquals(0.0, m.value("cadet_stream_rejected_total", "stream", STREAM));
        assertEquals((double) T0.getEpochSecond(), m.value("cadet_stream_last_success_timestamp_seconds", "stream", STREAM));
        assertEquals(60.0, m.value("cadet_stream_watermark_lag_seconds", "stream", STREAM), "watermark = now - settle lag");
        assertEquals("counter", m.types.get("cadet_stream_throttles_total"));

        // three polls, each failing after its retries: the third makes the stream unhealthy
        cloudTrail.fail(null, 3 * AwsPipeline.FAST_RETRY.maxAttempts(), 500, "InternalFailure", "We encountered an internal error");
        for (int i = 1; i <= 3; i++) {
            cadet.clock.advance(SCHEDULE);
            assertEquals(PollResult.Outcome.FAILED, cadet.poll().outcome());
            assertEquals(i < 3 ? 200 : 503, get("/health").statusCode(), "after failure " + i);
        }
        HttpResponse<String> failing = get("/health");
        assertTrue(failing.body().startsWith(STREAM + ": 3 failed polls in a row, last: "), failing.body());
        assertEquals(3.0, metrics().value("cadet_stream_consecutive_failures", "stream", STREAM));

        cadet.clock.advance(SCHEDULE);
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());
        HttpResponse<String> recovered = get("/health");
        assertEquals(200, recovered.statusCode(), recovered.body());
        assertEquals(0.0, metrics().value("cadet_stream_consecutive_failures", "stream", STREAM));
    }

    @Test
    void accessDeniedStopsTheStreamAndHealthSaysWhyUntilTheRecheckFindsItFixed() throws Exception {
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());
        assertEquals(200, get("/health").statusCode());

        cloudTrail.fail(null, 1, 403, "AccessDeniedException",
                "User: arn:aws:iam::111122223333:user/x is not authorized to perform: cloudtrail:LookupEvents");
        cadet.clock.advance(SCHEDULE);
        assertEquals(PollResult.Outcome.FAILED, cadet.poll().outcome());

        HttpResponse<String> denied = get("/health");
        assertEquals(503, denied.statusCode());
        List<String> lines = denied.body().lines().toList();
        assertEquals(1, lines.size(), denied.body());
        assertTrue(lines.get(0).startsWith(STREAM + ": stopped (tried again every 15 minutes): "), lines.get(0));
        assertTrue(lines.get(0).contains("cloudtrail:LookupEvents"), lines.get(0));
        assertEquals(1.0, metrics().value("cadet_stream_stopped", "stream", STREAM));

        // the API answers again, but a stopped stream does not poll at every schedule: still 503 ...
        cadet.clock.advance(SCHEDULE);
        assertEquals(PollResult.Outcome.STOPPED, cadet.poll().outcome());
        assertEquals(503, get("/health").statusCode());
        // ... until its re-check, which finds the permission fixed: healthy again, without a restart
        cadet.clock.advance(dev.cadet.poll.StreamPoller.FATAL_RECHECK);
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());
        HttpResponse<String> fixed = get("/health");
        assertEquals(200, fixed.statusCode(), fixed.body());
        assertEquals(0.0, metrics().value("cadet_stream_stopped", "stream", STREAM));
    }

    @Test
    void noSuccessForLongerThanFiveSchedulesIsUnhealthy() throws Exception {
        assertEquals(PollResult.Outcome.POLLED, cadet.poll().outcome());
        cadet.clock.advance(SCHEDULE.multipliedBy(5));
        assertEquals(200, get("/health").statusCode(), "exactly five schedules is still fine");
        cadet.clock.advance(Duration.ofSeconds(1));
        HttpResponse<String> silent = get("/health");
        assertEquals(503, silent.statusCode());
        assertTrue(silent.body().startsWith(STREAM + ": no successful poll for 301s (limit 5 x schedule 60s)"), silent.body());
        assertEquals(404, get("/other").statusCode());
    }
}
