package dev.cadet.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stand-ins for Entra ID's token endpoint (on WireMock's HTTPS port, with a certificate made at test
 * time) and Graph {@code GET /v1.0/auditLogs/directoryAudits} (HTTP, 127.0.0.1), served by a WireMock
 * response transformer. Records come from an in-test list and are filtered like Graph does:
 * {@code activityDateTime ge/le} (both inclusive) and {@code activityDisplayName eq} alternatives,
 * newest first, {@link #pageSize} a page, with an absolute {@code @odata.nextLink} carrying a
 * {@code $skiptoken}. Only tokens this stand-in issued and did not {@linkplain #expireTokens expire}
 * are accepted (else 401). Faults can be planned per page. Every request is logged.
 */
final class GraphStandIn implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GE = Pattern.compile("activityDateTime ge (\\S+)");
    private static final Pattern LE = Pattern.compile("activityDateTime le (\\S+)");
    private static final Pattern ACTIVITY = Pattern.compile("activityDisplayName eq '((?:[^']|'')*)'");

    /** One directoryAudit as Graph holds it. */
    public record Audit(String id, String activity, Instant time, ObjectNode json) {
    }

    /**
     * One directoryAudits request as received and answered.
     *
     * @param page   1 for the first page, n for the page a $skiptoken points at
     * @param token  the bearer token sent, or null
     */
    public record Served(Instant start, Instant end, List<String> activities, int page, int top, int status,
                         String token, Map<String, String> query, List<String> ids) {
    }

    private record Fault(Integer page, int[] remaining, int status, Map<String, String> headers, String code) {
    }

    private final WireMockServer server;
    private final List<Audit> audits = new CopyOnWriteArrayList<>();
    private final List<Served> served = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<String> tokenRequests = new CopyOnWriteArrayList<>();
    private final Set<String> validTokens = new HashSet<>();
    private int tokensIssued;
    public volatile int pageSize = 999;
    /** When > 0: right after serving this page, every issued token expires (once). */
    public volatile int expireTokensAfterPage;

    public GraphStandIn(StandInCertificate tls) {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().dynamicHttpsPort()
                .keystorePath(tls.keyStore().toString()).keystorePassword(tls.password())
                .keyManagerPassword(tls.password()).keystoreType("PKCS12")
                .extensions(new Transformer()));
        server.start();
        server.stubFor(any(urlPathMatching("/.*")).willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
    }

    /** Graph's base URL, for {@code graph_base_url}. */
    public String graphBaseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1.0";
    }

    /** The login endpoint, for {@code authority_host}. */
    public String authorityHost() {
        return "https://localhost:" + server.httpsPort();
    }

    public void add(Audit a) {
        audits.add(a);
    }

    public void addAll(List<Audit> list) {
        audits.addAll(list);
    }

    /** Answers {@code status} for that page (null: any page), that many times, with these headers. */
    public synchronized void fail(Integer page, int times, int status, Map<String, String> headers, String code) {
        faults.add(new Fault(page, new int[]{times}, status, headers == null ? Map.of() : headers, code));
    }

    /** Every token issued so far is refused from now on (401), as when a token expires. */
    public synchronized void expireTokens() {
        validTokens.clear();
    }

    public List<Served> served() {
        return List.copyOf(served);
    }

    /** The form bodies of the token requests received. */
    public List<String> tokenRequests() {
        return List.copyOf(tokenRequests);
    }

    /** Forgets records, faults and the log; issued tokens stay valid. */
    public synchronized void reset() {
        audits.clear();
        faults.clear();
        pageSize = 999;
        expireTokensAfterPage = 0;
        clearLog();
    }

    public void clearLog() {
        served.clear();
        tokenRequests.clear();
    }

    @Override
    public void close() {
        server.stop();
    }

    /** A directoryAudit in Graph's v1.0 shape: initiated by a user, one target. */
    public static Audit audit(String id, String activity, Instant time, String result, String actorUpn,
                              String targetUpn, String targetType) {
        ObjectNode a = JSON.createObjectNode();
        a.put("id", id);
        a.put("category", targetType.equals("User") ? "UserManagement" : "ApplicationManagement");
        a.put("correlationId", "corr-" + id);
        a.put("result", result);
        a.put("resultReason", "");
        a.put("activityDisplayName", activity);
        a.put("activityDateTime", time.toString());
        a.put("loggedByService", "Core Directory");
        a.put("operationType", "Add");
        ObjectNode by = a.putObject("initiatedBy");
        by.putNull("app");
        by.putObject("user").put("id", "uid-" + actorUpn.hashCode()).putNull("displayName")
                .put("userPrincipalName", actorUpn).put("ipAddress", "203.0.113.9").putNull("userType").putNull("homeTenantId");
        ObjectNode t = a.putArray("targetResources").addObject();
        t.put("id", "tid-" + id).put("displayName", targetUpn).put("type", targetType);
        if (targetType.equals("User")) {
            t.put("userPrincipalName", targetUpn);
        } else {
            t.putNull("userPrincipalName");
        }
        t.putNull("groupType");
        t.putArray("modifiedProperties").addObject().put("displayName", "AccountEnabled").put("oldValue", "[]")
                .put("newValue", "[true]");
        a.putArray("additionalDetails").addObject().put("key", "User-Agent").put("value", "Mozilla/5.0 (stand-in)");
        return new Audit(id, activity, time, a);
    }

    private synchronized Fault takeFault(int page) {
        for (Fault f : faults) {
            if (f.remaining()[0] > 0 && (f.page() == null || f.page() == page)) {
                f.remaining()[0]--;
                return f;
            }
        }
        return null;
    }

    private synchronized String issueToken() {
        String t = "stand-in-token-" + (++tokensIssued);
        validTokens.add(t);
        return t;
    }

    private synchronized boolean valid(String token) {
        return token != null && validTokens.contains(token);
    }

    private ResponseDefinition token(Request request) {
        tokenRequests.add(request.getBodyAsString());
        ObjectNode out = JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", 3599)
                .put("ext_expires_in", 3599).put("access_token", issueToken());
        return json(200, out.toString(), Map.of());
    }

    private ResponseDefinition audits(Request request) {
        Map<String, String> query = query(request.getUrl());
        String filter = query.getOrDefault("$filter", "");
        Matcher ge = GE.matcher(filter);
        Matcher le = LE.matcher(filter);
        Instant start = ge.find() ? OffsetDateTime.parse(ge.group(1)).toInstant() : Instant.MIN;
        Instant end = le.find() ? OffsetDateTime.parse(le.group(1)).toInstant() : Instant.MAX;
        List<String> activities = new ArrayList<>();
        Matcher m = ACTIVITY.matcher(filter);
        while (m.find()) {
            activities.add(m.group(1).replace("''", "'"));
        }
        int top = Integer.parseInt(query.getOrDefault("$top", "100"));
        int offset = Integer.parseInt(query.getOrDefault("$skiptoken", "0"));
        int size = Math.min(top, pageSize);
        int page = offset / size + 1;
        String auth = request.getHeader("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        if (!valid(token)) {
            served.add(new Served(start, end, activities, page, top, 401, token, query, List.of()));
            return json(401, error("InvalidAuthenticationToken", "Access token has expired or is not yet valid."), Map.of());
        }
        Fault fault = takeFault(page);
        if (fault != null) {
            served.add(new Served(start, end, activities, page, top, fault.status(), token, query, List.of()));
            return json(fault.status(), error(fault.code(), "stand-in fault"), fault.headers());
        }
        List<Audit> visible = new ArrayList<>();
        for (Audit a : audits) {
            if (!a.time().isBefore(start) && !a.time().isAfter(end)
                    && (activities.isEmpty() || activities.contains(a.activity()))) {
                visible.add(a);
            }
        }
        visible.sort(Comparator.comparing(Audit::time).reversed().thenComparing(Audit::id));
        List<Audit> slice = visible.subList(Math.min(offset, visible.size()), Math.min(offset + size, visible.size()));
        ObjectNode out = JSON.createObjectNode();
        out.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits");
        ArrayNode value = out.putArray("value");
        slice.forEach(a -> value.add(a.json()));
        if (offset + size < visible.size()) {
            Map<String, String> next = new LinkedHashMap<>(query);
            next.put("$skiptoken", String.valueOf(offset + size));
            StringBuilder url = new StringBuilder(graphBaseUrl()).append("/auditLogs/directoryAudits?");
            next.forEach((k, v) -> url.append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8).replace("+", "%20")).append('&'));
            url.setLength(url.length() - 1);
            out.put("@odata.nextLink", url.toString());
        }
        served.add(new Served(start, end, activities, page, top, 200, token, query, slice.stream().map(Audit::id).toList()));
        if (page == expireTokensAfterPage) {
            expireTokensAfterPage = 0;
            expireTokens();
        }
        return json(200, out.toString(), Map.of());
    }

    private static String error(String code, String message) {
        ObjectNode e = JSON.createObjectNode();
        e.putObject("error").put("code", code).put("message", message);
        return e.toString();
    }

    private static Map<String, String> query(String url) {
        Map<String, String> out = new LinkedHashMap<>();
        int q = url.indexOf('?');
        if (q < 0) {
            return out;
        }
        for (String pair : url.substring(q + 1).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static ResponseDefinition json(int status, String body, Map<String, String> headers) {
        ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition().withStatus(status)
                .withHeader("Content-Type", "application/json").withBody(body);
        headers.forEach(b::withHeader);
        return b.build();
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            Request r = serveEvent.getRequest();
            String path = r.getUrl().replaceFirst("\\?.*", "");
            if (r.getMethod().value().equals("POST") && path.endsWith("/oauth2/v2.0/token")) {
                return token(r);
            }
            if (r.getMethod().value().equals("GET") && path.equals("/v1.0/auditLogs/directoryAudits")) {
                return audits(r);
            }
            return json(404, error("Request_ResourceNotFound", "no stand-in for " + r.getMethod() + " " + path), Map.of());
        }

        @Override
        public String getName() {
            return "graph-stand-in";
        }
    }
}
