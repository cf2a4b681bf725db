package dev.cadet.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
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
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
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
 * Google's token endpoint, the Reports API ({@code activities.list}) and Cloud Logging
 * ({@code entries:list}) on 127.0.0.1, served by one WireMock response transformer.
 *
 * <ul>
 *   <li>Token: checks the JWT-bearer assertion's RS256 signature against the public half of the
 *       test key ({@link #keyJson}), its issuer and scope, and issues a new token each time.</li>
 *   <li>APIs: refuse any token not issued or {@linkplain #revokeTokens revoked} with 401; serve the
 *       in-test records within the request's time bounds (both inclusive): Reports newest first,
 *       Cloud Logging oldest first, {@link #PAGE_SIZE} a page, with a page token bound to the query.</li>
 *   <li>Faults can be planned per API: a status (with Retry-After) for a number of requests.</li>
 * </ul>
 */
final class GoogleApisStandIn implements AutoCloseable {
    static final int PAGE_SIZE = 3;
    static final String CLIENT_EMAIL = "cadet-e2e@cadet-e2e.iam.gserviceaccount.com";
    static final String REPORTS_PATH = "/admin/reports/v1/activity/users/all/applications/";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TIME_BOUND = Pattern.compile("timestamp(>=|<=)\"([^\"]+)\"");
    private static final Pattern LOG_NAME = Pattern.compile("logName=\"([^\"]+)\"");

    enum Api { TOKEN, REPORTS, LOGGING }

    /** A record the stand-in holds: its time (for the bounds), its id (for logs) and its JSON. */
    record Held(String id, Instant time, String json) {
    }

    /** One request as answered. */
    record Served(Api api, int page, int status, String token, List<String> ids) {
    }

    private record Fault(Api api, int status, String retryAfter, String body, int[] remaining) {
    }

    private final KeyPair key;
    private final WireMockServer server;
    private final List<Held> activities = new CopyOnWriteArrayList<>();
    private final List<Held> entries = new CopyOnWriteArrayList<>();
    private final List<Fault> faults = new ArrayList<>();
    private final List<Served> served = new CopyOnWriteArrayList<>();
    private final List<JsonNode> claims = new CopyOnWriteArrayList<>();
    private final Set<String> validTokens = new HashSet<>();
    private int issued;

    GoogleApisStandIn() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        key = g.generateKeyPair();
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(new Transformer()));
        server.start();
        server.stubFor(any(anyUrl()).willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The service account key file's JSON, with the private half of the key the stand-in checks against. */
    String keyJson() throws Exception {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(key.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Map<String, String> k = new LinkedHashMap<>();
        k.put("type", "service_account");
        k.put("project_id", "cadet-e2e");
        k.put("private_key_id", "kid-e2e");
        k.put("private_key", pem);
        k.put("client_email", CLIENT_EMAIL);
        k.put("client_id", "100000000000000000042");
        k.put("token_uri", "https://oauth2.googleapis.com/token");
        return JSON.writeValueAsString(k);
    }

    void addActivity(Held a) {
        activities.add(a);
    }

    void addEntry(Held e) {
        entries.add(e);
    }

    synchronized void fail(Api api, int status, String retryAfter, int times) {
        String body = "{\"error\":{\"code\":" + status + ",\"message\":\"planned " + status + "\",\"status\":\""
                + (status == 403 ? "PERMISSION_DENIED" : status == 429 ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE") + "\"}}";
        faults.add(new Fault(api, status, retryAfter, body, new int[] {times}));
    }

    /** Every token issued so far is refused from now on (as after a key rotation or revocation). */
    synchronized void revokeTokens() {
        validTokens.clear();
    }

    List<Served> served() {
        return List.copyOf(served);
    }

    List<Served> served(Api api) {
        return served.stream().filter(s -> s.api() == api).toList();
    }

    List<JsonNode> tokenClaims() {
        return List.copyOf(claims);
    }

    void clearLog() {
        served.clear();
    }

    @Override
    public void close() {
        server.stop();
    }

    private synchronized Fault takeFault(Api api) {
        for (Fault f : faults) {
            if (f.api() == api && f.remaining()[0] > 0) {
                f.remaining()[0]--;
                return f;
            }
        }
        return null;
    }

    private ResponseDefinition answer(Request request) throws Exception {
        String path = request.getUrl().split("\\?")[0];
        if (path.equals("/token")) {
            return token(request);
        }
        Api api = path.startsWith(REPORTS_PATH) ? Api.REPORTS : path.equals("/v2/entries:list") ? Api.LOGGING : null;
        if (api == null) {
            return json(404, "{\"error\":{\"code\":404,\"message\":\"no such path\"}}");
        }
        String auth = request.getHeader("Authorization");
        String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : null;
        synchronized (this) {
            if (token == null || !validTokens.contains(token)) {
                served.add(new Served(api, 0, 401, token, List.of()));
                return json(401, "{\"error\":{\"code\":401,\"message\":\"Request had invalid authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}");
            }
        }
        Fault fault = takeFault(api);
        if (fault != null) {
            served.add(new Served(api, 0, fault.status(), token, List.of()));
            ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition().withStatus(fault.status())
                    .withHeader("Content-Type", "application/json").withBody(fault.body());
            if (fault.retryAfter() != null) {
                b.withHeader("Retry-After", fault.retryAfter());
            }
            return b.build();
        }
        Instant start;
        Instant end;
        String pageToken;
        List<Held> pool;
        Comparator<Held> order;
        if (api == Api.REPORTS) {
            start = Instant.parse(request.queryParameter("startTime").firstValue());
            end = Instant.parse(request.queryParameter("endTime").firstValue());
            pageToken = request.queryParameter("pageToken").isPresent() ? request.queryParameter("pageToken").firstValue() : null;
            pool = activities;
            order = Comparator.comparing(Held::time).reversed().thenComparing(Held::id);
        } else {
            JsonNode body = JSON.readTree(request.getBodyAsString());
            String filter = body.path("filter").asText();
            Matcher log = LOG_NAME.matcher(filter);
            if (!log.find() || !log.group(1).equals(body.path("resourceNames").path(0).asText() + "/logs/cloudaudit.googleapis.com%2Factivity")) {
                return json(400, "{\"error\":{\"code\":400,\"message\":\"filter does not name the resource's activity log\"}}");
            }
            Map<String, Instant> bounds = new LinkedHashMap<>();
            Matcher m = TIME_BOUND.matcher(filter);
            while (m.find()) {
                bounds.put(m.group(1), Instant.parse(m.group(2)));
            }
            start = bounds.get(">=");
            end = bounds.get("<=");
            pageToken = body.hasNonNull("pageToken") ? body.get("pageToken").asText() : null;
            pool = entries;
            order = Comparator.comparing(Held::time).thenComparing(Held::id);
        }
        int offset = 0;
        if (pageToken != null) {
            String[] parts = new String(Base64.getUrlDecoder().decode(pageToken), StandardCharsets.UTF_8).split("\\|");
            if (parts.length != 3 || !(parts[1] + "|" + parts[2]).equals(start + "|" + end)) {
                return json(400, "{\"error\":{\"code\":400,\"message\":\"page token of another query\"}}");
            }
            offset = Integer.parseInt(parts[0]);
        }
        List<Held> visible = new ArrayList<>();
        for (Held h : pool) {
            if (!h.time().isBefore(start) && !h.time().isAfter(end)) {
                visible.add(h);
            }
        }
        visible.sort(order);
        List<Held> page = visible.subList(Math.min(offset, visible.size()), Math.min(offset + PAGE_SIZE, visible.size()));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list;
        if (api == Api.REPORTS) {
            out.put("kind", "admin#reports#activities");
            list = out.putArray("items");
        } else {
            list = out.putArray("entries");
        }
        for (Held h : page) {
            list.add(JSON.readTree(h.json()));
        }
        if (offset + PAGE_SIZE < visible.size()) {
            String next = (offset + PAGE_SIZE) + "|" + start + "|" + end;
            out.put("nextPageToken", Base64.getUrlEncoder().encodeToString(next.getBytes(StandardCharsets.UTF_8)));
        }
        served.add(new Served(api, offset / PAGE_SIZE + 1, 200, token, page.stream().map(Held::id).toList()));
        return json(200, out.toString());
    }

    private ResponseDefinition token(Request request) throws Exception {
        Fault fault = takeFault(Api.TOKEN);
        if (fault != null) {
            served.add(new Served(Api.TOKEN, 0, fault.status(), null, List.of()));
            return json(fault.status(), "{\"error\":\"planned\"}");
        }
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : request.getBodyAsString().split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        String[] jwt = String.valueOf(form.get("assertion")).split("\\.");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(key.getPublic());
        rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
        JsonNode claim = JSON.readTree(Base64.getUrlDecoder().decode(jwt[1]));
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))
                || !rsa.verify(Base64.getUrlDecoder().decode(jwt[2])) || !CLIENT_EMAIL.equals(claim.path("iss").asText())) {
            served.add(new Served(Api.TOKEN, 0, 400, null, List.of()));
            return json(400, "{\"error\":\"invalid_grant\",\"error_description\":\"Invalid JWT Signature.\"}");
        }
        claims.add(claim);
        String token;
        synchronized (this) {
            token = "ya29.e2e-" + (++issued);
            validTokens.add(token);
        }
        served.add(new Served(Api.TOKEN, 0, 200, token, List.of()));
        return json(200, "{\"access_token\":\"" + token + "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}");
    }

    private static ResponseDefinition json(int status, String body) {
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody(body).build();
    }

    private final class Transformer implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent serveEvent) {
            try {
                return answer(serveEvent.getRequest());
            } catch (Exception e) {
                return json(500, "{\"error\":{\"code\":500,\"message\":\"stand-in failed: " + e.getClass().getSimpleName() + "\"}}");
            }
        }

        @Override
        public String getName() {
            return "google-apis-stand-in";
        }
    }
}
