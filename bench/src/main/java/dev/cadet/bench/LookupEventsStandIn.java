package dev.cadet.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CloudTrail {@code LookupEvents} and STS {@code AssumeRole} stand-in on 127.0.0.1 that enforces
 * CloudTrail's quota of 2 requests per second per (account, region) strictly.
 *
 * <p>Quota: a LookupEvents request is answered HTTP 400
 * {@code {"__type":"ThrottlingException","message":"Rate exceeded"}} when it arrives less than
 * {@link #MIN_SPACING} minus {@link #TOLERANCE} after the last request accepted for its account and
 * region; a throttled request does not count as accepted. There is no burst allowance at all (the
 * real service's token bucket is at least this lenient). The 5 ms tolerance absorbs timer and
 * scheduling jitter between the client's send and this server's reading of the request, both in
 * one JVM on a shared 2-core machine: a client that spaces its sends by exactly 500 ms can see two
 * arrivals a few milliseconds closer. Arrival is timed when the request's handler starts.
 *
 * <p>Accounts: AssumeRole hands out keys {@code ASIA<account>BNCH} for the role's account, so each
 * LookupEvents request names its account in the SigV4 {@code Credential=} of its Authorization
 * header (the region too). Signatures are not verified.
 *
 * <p>Data: every account has one IAM event each {@code eventSpacing}, from {@code origin} on, up to
 * the moment of the request; a request gets those in {@code [StartTime, EndTime]}, newest first, 50 a
 * page (fewer if {@code MaxResults} says so), with a NextToken while more remain.
 */
final class LookupEventsStandIn implements AutoCloseable {
    static final Duration MIN_SPACING = Duration.ofMillis(500);
    static final Duration TOLERANCE = Duration.ofMillis(5);
    static final String THROTTLED = "{\"__type\":\"ThrottlingException\",\"message\":\"Rate exceeded\"}";
    private static final int MAX_PAGE = 50;
    private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/\\d{8}/([a-z0-9-]+)/");
    private static final Pattern ROLE_ACCOUNT = Pattern.compile("arn:aws:iam::(\\d{12}):role/.+");
    private static final JsonFactory JSON = new JsonFactory();

    /** What one (account, region) saw. Guarded by itself. */
    static final class Quota {
        private long lastAcceptedNanos;
        private boolean any;
        final List<Long> acceptedNanos = new ArrayList<>();
        /** Every request's arrival, throttled or not, in order. */
        final List<Long> arrivalNanos = new ArrayList<>();
        long throttled;
        /** For each throttled request: how many were accepted before it, and how long after the last one it came. */
        final List<String> throttledAfter = new ArrayList<>();
        long shortestAcceptedGapNanos = Long.MAX_VALUE;

        /** True when accepted. */
        synchronized boolean admit(long now) {
            arrivalNanos.add(now);
            long gap = now - lastAcceptedNanos;
            if (any && gap < MIN_SPACING.toNanos() - TOLERANCE.toNanos()) {
                throttled++;
                throttledAfter.add("#" + acceptedNanos.size() + " +" + Math.round(gap / 1e5) / 10.0 + " ms");
                return false;
            }
            if (any) {
                shortestAcceptedGapNanos = Math.min(shortestAcceptedGapNanos, gap);
            }
            any = true;
            lastAcceptedNanos = now;
            acceptedNanos.add(now);
            return true;
        }

        synchronized List<Long> arrivals() {
            return List.copyOf(arrivalNanos);
        }

        synchronized List<Long> accepted() {
            return List.copyOf(acceptedNanos);
        }

        synchronized long throttledCount() {
            return throttled;
        }

        synchronized List<String> throttledAfter() {
            return List.copyOf(throttledAfter);
        }

        synchronized long shortestAcceptedGap() {
            return shortestAcceptedGapNanos;
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Instant origin;
    private final long spacingMillis;
    private final Map<String, Quota> quotas = new ConcurrentHashMap<>();
    private final AtomicLong assumeRoles = new AtomicLong();
    private final AtomicLong badRequests = new AtomicLong();

    LookupEventsStandIn(Instant origin, Duration eventSpacing) throws IOException {
        this.origin = origin.truncatedTo(ChronoUnit.MILLIS);
        this.spacingMillis = eventSpacing.toMillis();
        if (spacingMillis <= 0) {
            throw new IllegalArgumentException("event spacing must be at least 1 ms");
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        // more threads than the client's pollers, so that no request waits for a handler thread
        executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "stand-in");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Per {@code account/region}, sorted. */
    Map<String, Quota> quotas() {
        return new TreeMap<>(quotas);
    }

    long assumeRoleCalls() {
        return assumeRoles.get();
    }

    long badRequests() {
        return badRequests.get();
    }

    /** How many events of an account lie in {@code [start, end]} (what a complete read of it yields). */
    long eventsBetween(Instant start, Instant end) {
        long first = firstIndexAtOrAfter(start);
        long last = lastIndexAtOrBefore(end);
        return Math.max(0, last - first + 1);
    }

    /** How many of those are CreateUser. */
    long createUsersBetween(Instant start, Instant end) {
        long count = 0;
        for (long j = firstIndexAtOrAfter(start); j <= lastIndexAtOrBefore(end); j++) {
            if (CloudTrailRecords.isCreateUser(j)) {
                count++;
            }
        }
        return count;
    }

    private long firstIndexAtOrAfter(Instant t) {
        long ms = t.toEpochMilli() - origin.toEpochMilli();
        return ms <= 0 ? 0 : Math.floorDiv(ms + spacingMillis - 1, spacingMillis);
    }

    private long lastIndexAtOrBefore(Instant t) {
        long ms = t.toEpochMilli() - origin.toEpochMilli();
        return ms < 0 ? -1 : Math.floorDiv(ms, spacingMillis);
    }

    private Instant timeOf(long index) {
        return origin.plusMillis(index * spacingMillis);
    }

    private void handle(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            String text = new String(body, StandardCharsets.UTF_8);
            if (target == null && text.contains("Action=AssumeRole")) {
                assumeRole(exchange, text);
            } else if (target != null && target.endsWith("CloudTrail_20131101.LookupEvents")) {
                lookupEvents(exchange, arrived, body);
            } else {
                badRequests.incrementAndGet();
                send(exchange, 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"UnknownOperationException\",\"message\":\"not served by the stand-in\"}");
            }
        } catch (RuntimeException e) {
            badRequests.incrementAndGet();
            send(exchange, 500, "application/x-amz-json-1.1",
                    "{\"__type\":\"InternalFailure\",\"message\":\"stand-in: " + e.getClass().getSimpleName() + "\"}");
        }
    }

    private void assumeRole(HttpExchange exchange, String form) throws IOException {
        assumeRoles.incrementAndGet();
        String roleArn = null;
        for (String pair : form.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && pair.substring(0, eq).equals("RoleArn")) {
                roleArn = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        Matcher m = roleArn == null ? null : ROLE_ACCOUNT.matcher(roleArn);
        if (m == null || !m.matches()) {
            badRequests.incrementAndGet();
            send(exchange, 400, "text/xml", "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code>"
                    + "<Message>bad RoleArn</Message></Error></ErrorResponse>");
            return;
        }
        String account = m.group(1);
        String expires = Instant.now().plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.SECONDS).toString();
        send(exchange, 200, "text/xml", "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                + "<AssumeRoleResult><Credentials>"
                + "<AccessKeyId>ASIA" + account + "BNCH</AccessKeyId>"
                + "<SecretAccessKey>benchSecretKeyNotReal" + account + "</SecretAccessKey>"
                + "<SessionToken>benchSessionToken" + account + "</SessionToken>"
                + "<Expiration>" + expires + "</Expiration>"
                + "</Credentials><AssumedRoleUser><AssumedRoleId>AROABENCH:cadet</AssumedRoleId>"
                + "<Arn>arn:aws:sts::" + account + ":assumed-role/cadet-reader/cadet</Arn></AssumedRoleUser>"
                + "</AssumeRoleResult><ResponseMetadata><RequestId>bench</RequestId></ResponseMetadata></AssumeRoleResponse>");
    }

    private void lookupEvents(HttpExchange exchange, long arrived, byte[] body) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        Matcher m = auth == null ? null : CREDENTIAL.matcher(auth);
        if (m == null || !m.find() || !m.group(1).matches("ASIA\\d{12}BNCH")) {
            badRequests.incrementAndGet();
            send(exchange, 400, "application/x-amz-json-1.1",
                    "{\"__type\":\"UnrecognizedClientException\",\"message\":\"The security token included in the request is invalid.\"}");
            return;
        }
        String account = m.group(1).substring(4, 16);
        String region = m.group(2);
        Quota quota = quotas.computeIfAbsent(account + "/" + region, k -> new Quota());
        if (!quota.admit(arrived)) {
            send(exchange, 400, "application/x-amz-json-1.1", THROTTLED);
            return;
        }
        JsonNode request = Report.JSON.readTree(body);
        Instant start = epochSeconds(request.path("StartTime"));
        Instant end = epochSeconds(request.path("EndTime"));
        Instant now = Instant.now();
        if (end.isAfter(now)) {
            end = now;
        }
        int max = Math.min(MAX_PAGE, request.path("MaxResults").asInt(MAX_PAGE));
        long offset = 0;
        String token = request.path("NextToken").asText(null);
        if (token != null) {
            // a token is only good for the query it came from, as with the real service
            String[] parts = token.split(":");
            if (parts.length != 2 || !parts[0].equals(request.path("StartTime").asText() + "/" + request.path("EndTime").asText())) {
                badRequests.incrementAndGet();
                send(exchange, 400, "application/x-amz-json-1.1",
                        "{\"__type\":\"InvalidNextTokenException\",\"message\":\"Invalid NextToken\"}");
                return;
            }
            offset = Long.parseLong(parts[1]);
        }
        long first = firstIndexAtOrAfter(start);
        long last = lastIndexAtOrBefore(end);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("Events");
            long j = last - offset;
            int n = 0;
            for (; n < max && j >= first; n++, j--) {
                Instant t = timeOf(j);
                g.writeStartObject();
                g.writeStringField("EventId", CloudTrailRecords.eventId(account, j));
                g.writeStringField("EventName", CloudTrailRecords.iamEventName(j));
                g.writeStringField("ReadOnly", CloudTrailRecords.isCreateUser(j) ? "false" : "true");
                g.writeStringField("AccessKeyId", "ASIA4EXAMPLE00000000");
                g.writeNumberField("EventTime", t.toEpochMilli() / 1000.0);
                g.writeStringField("EventSource", "iam.amazonaws.com");
                g.writeStringField("Username", "PlatformOperators");
                g.writeArrayFieldStart("Resources");
                g.writeEndArray();
                g.writeStringField("CloudTrailEvent", CloudTrailRecords.text(account, j, t, true));
                g.writeEndObject();
            }
            g.writeEndArray();
            if (j >= first) {
                g.writeStringField("NextToken", request.path("StartTime").asText() + "/" + request.path("EndTime").asText()
                        + ":" + (offset + n));
            }
            g.writeEndObject();
        }
        send(exchange, 200, "application/x-amz-json-1.1", out.toByteArray());
    }

    private static Instant epochSeconds(JsonNode n) {
        if (!n.isNumber()) {
            throw new IllegalArgumentException("StartTime/EndTime missing");
        }
        return Instant.ofEpochMilli(Math.round(n.asDouble() * 1000));
    }

    private static void send(HttpExchange exchange, int status, String type, String body) throws IOException {
        send(exchange, status, type, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("x-amzn-RequestId", "bench-" + System.nanoTime());
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
