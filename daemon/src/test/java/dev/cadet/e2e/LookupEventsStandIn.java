package dev.cadet.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A CloudTrail {@code LookupEvents} stand-in on 127.0.0.1, served by WireMock through a response
 * transformer: events come from an in-test list, filtered by the request's StartTime/EndTime (both
 * inclusive, as CloudTrail does) and the EventSource lookup attribute, newest first, 50 a page with
 * a NextToken bound to the query. Faults can be planned: an error answer for a given page (or any
 * page), a given number of times. Every request is logged with what it got.
 */
final class LookupEventsStandIn implements AutoCloseable {
    static final String TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents";
    static final int PAGE_SIZE = 50;
    static final String JSON_1_1 = "application/x-amz-json-1.1";

    /** One event as CloudTrail holds it: its envelope fields and the record as JSON text. */
    record TrailEvent(String id, String name, String source, Instant time, String recordJson) {
    }

    /**
     * One LookupEvents request as received and answered.
     *
     * @param page      1 for a request without NextToken, else the page the token points at
     * @param status    the HTTP status answered
     * @param eventIds  the ids served (empty for an error answer)
     */
    record Served(Instant start, Instant end, String nextToken, int page, int status, List<String> eventIds) {
    }

    /** A planned error answer: for {@code page} (null: any page), {@code times} times. */
    private static final class Fault {
        final Integer page;
        int remaining;
        final int status;
        final String body;

        Fault(Integer page, int times, int status, String type, String message) {
            this.page = page;
            this.remaining = times;
            this.status = status;
            ObjectNode b = JSON.createObjectNode().put("__type", type).put("message", message);
            this.body = b.toString();
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<TrailEvent> events = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<Served> served = new CopyOnWriteArrayList<>();
    private final WireMockServer server;

    LookupEventsStandIn() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort()
                .extensions(new Transformer()));
        server.start();
        server.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo(TARGET))
                .willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.port();
    }

    /** Makes an event visible to later requests. */
    void add(TrailEvent e) {
        events.add(e);
    }

    void addAll(List<TrailEvent> list) {
        events.addAll(list);
    }

    /** Answers {@code status} with {@code {"__type":type,"message":message}} for that page (null: any), that many times. */
    synchronized void fail(Integer page, int times, int status, String type, String message) {
        faults.add(new Fault(page, times, status, type, message));
    }

    List<Served> served() {
        return List.copyOf(served);
    }

    void clearLog() {
        served.clear();
    }

    @Override
    public void close() {
        server.stop();
    }

    private synchronized Fault takeFault(int page) {
        for (Fault f : faults) {
            if (f.remaining > 0 && (f.page == null || f.page == page)) {
                f.remaining--;
                return f;
            }
        }
        return null;
    }

    private ResponseDefinition answer(String body) throws IOException {
        JsonNode request = JSON.readTree(body);
        Instant start = epochSeconds(request.get("StartTime"));
        Instant end = epochSeconds(request.get("EndTime"));
        String token = request.hasNonNull("NextToken") ? request.get("NextToken").asText() : null;
        String source = null;
        for (JsonNode a : request.path("LookupAttributes")) {
            if ("EventSource".equals(a.path("AttributeKey").asText())) {
                source = a.path("AttributeValue").asText();
            }
        }
        int offset = 0;
        if (token != null) {
            String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split("\\|");
            // CloudTrail refuses a token used with other parameters than the request that produced it.
            if (parts.length != 3 || !parts[1].equals(String.valueOf(start)) || !parts[2].equals(String.valueOf(end))) {
                served.add(new Served(start, end, token, -1, 400, List.of()));
                return error(400, "{\"__type\":\"InvalidNextTokenException\",\"message\":\"Invalid NextToken\"}");
            }
            offset = Integer.parseInt(parts[0]);
        }
        int page = offset / PAGE_SIZE + 1;
        Fault fault = takeFault(page);
        if (fault != null) {
            served.add(new Served(start, end, token, page, fault.status, List.of()));
            return error(fault.status, fault.body);
        }
        String wantedSource = source;
        List<TrailEvent> visible = new ArrayList<>();
        for (TrailEvent e : events) {
            if (!e.time().isBefore(start) && !e.time().isAfter(end)
                    && (wantedSource == null || wantedSource.equals(e.source()))) {
                visible.add(e);
            }
        }
        visible.sort(Comparator.comparing(TrailEvent::time).reversed().thenComparing(TrailEvent::id));
        int max = request.has("MaxResults") ? Math.min(PAGE_SIZE, request.get("MaxResults").asInt()) : PAGE_SIZE;
        List<TrailEvent> pageEvents = visible.subList(Math.min(offset, visible.size()), Math.min(offset + max, visible.size()));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("Events");
        for (TrailEvent e : pageEvents) {
            list.addObject().put("EventId", e.id()).put("EventName", e.name()).put("EventSource", e.source())
                    .put("EventTime", e.time().getEpochSecond()).put("CloudTrailEvent", e.recordJson())
                    .putArray("Resources");
        }
        if (offset + max < visible.size()) {
            String next = (offset + max) + "|" + start + "|" + end;
            out.put("NextToken", Base64.getUrlEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8)));
        }
        served.add(new Served(start, end, token, page, 200, pageEvents.stream().map(TrailEvent::id).toList()));
        return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", JSON_1_1)
                .withBody(out.toString()).build();
    }

    private static ResponseDefinition error(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", JSON_1_1)
                .withBody(body).build();
    }

    /** The SDK sends times as epoch seconds with a fraction. */
    private static Instant epochSeconds(JsonNode n) {
        BigDecimal s = n.decimalValue();
        long seconds = s.longValue();
        long nanos = s.subtract(BigDecimal.valueOf(seconds)).movePointRight(9).longValue();
        return Instant.ofEpochSecond(seconds, nanos);
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                return answer(serveEvent.getRequest().getBodyAsString());
            } catch (IOException | RuntimeException e) {
                return error(400, "{\"__type\":\"SerializationException\",\"message\":\"stand-in could not read the request: "
                        + e.getClass().getSimpleName() + "\"}");
            }
        }

        @Override
        public String getName() {
            return "lookup-events-stand-in";
        }
    }
}
