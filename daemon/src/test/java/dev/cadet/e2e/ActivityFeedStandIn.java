package dev.cadet.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An Office 365 Management Activity API stand-in on http://127.0.0.1 and its token endpoint on
 * https://localhost (WireMock's HTTPS port, with a certificate made by keytool at test time; the
 * PEM of that certificate is {@link #caFile()}, which the plugin's {@code ca_file} trusts).
 *
 * <p>API: {@code POST .../subscriptions/start} (AF20024 when already on), {@code GET
 * .../subscriptions/content} ({@code startTime <= contentCreated < endTime}, {@link #pageSize} blobs a
 * page, the next page in a {@code NextPageUri} header), {@code GET .../audit/<contentId>} (the blob,
 * or AF20051 when expired on the server). Calls without a valid bearer token get 401; faults can be
 * planned per call kind. The {@code Date} header is the real time plus {@link #serverSkew}.
 */
final class ActivityFeedStandIn implements AutoCloseable {
    static final String TENANT = "41463f53-8812-40f4-890f-865bf6e35190";
    static final String CLIENT_ID = "6c3d2b1a-0f9e-4d8c-b7a6-5e4f3a2b1c0d";
    static final String STORE_PASSWORD = "changeit";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter QUERY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);

    /** A content blob the API lists. */
    record Blob(String contentType, String contentId, Instant created, Instant expiration, boolean expiredOnServer,
                List<String> records) {
    }

    /** One API request as received and answered. */
    record Served(String kind, String method, String path, Map<String, String> query, int status, String authorization) {
    }

    private record Fault(String kind, int status, String code, String message, String retryAfter, int[] remaining) {
    }

    final String basePath = "/api/v1.0/" + TENANT + "/activity/feed";
    final List<Blob> blobs = new CopyOnWriteArrayList<>();
    final Set<String> subscriptions = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final List<Served> served = new CopyOnWriteArrayList<>();
    final List<String> tokensIssued = new CopyOnWriteArrayList<>();
    private final Set<String> validTokens = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    volatile int pageSize = 2;
    volatile boolean lowerCaseNextPageHeader;
    volatile Duration serverSkew = Duration.ZERO;

    private final WireMockServer api;
    private final WireMockServer login;
    private final Path caFile;

    private static Path sharedKeys;

    /** The login certificate, made once per test JVM with keytool (key generation is slow on a small machine). */
    private static synchronized Path keys() throws Exception {
        if (sharedKeys != null) {
            return sharedKeys;
        }
        Path dir = Files.createTempDirectory("o365-login-cert");
        Path keystore = dir.resolve("login.p12");
        Path caFile = dir.resolve("login-ca.pem");
        keytool("-genkeypair", "-alias", "login", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", STORE_PASSWORD, "-keypass", STORE_PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "login", "-keystore", keystore.toString(), "-storetype", "PKCS12",
                "-storepass", STORE_PASSWORD, "-file", caFile.toString());
        keystore.toFile().deleteOnExit();
        caFile.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        sharedKeys = dir;
        return dir;
    }

    ActivityFeedStandIn(Path dir) throws Exception {
        Path keystore = keys().resolve("login.p12");
        caFile = keys().resolve("login-ca.pem");
        api = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort().extensions(new ApiTransformer()));
        api.start();
        api.stubFor(any(anyUrl()).willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
        login = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").httpDisabled(true).dynamicHttpsPort()
                .keystorePath(keystore.toString()).keystorePassword(STORE_PASSWORD).keyManagerPassword(STORE_PASSWORD)
                .keystoreType("PKCS12").extensions(new TokenTransformer()));
        login.start();
        login.stubFor(any(anyUrl()).willReturn(ResponseDefinitionBuilder.okForEmptyJson()));
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }

    String apiBaseUrl() {
        return "http://127.0.0.1:" + api.port() + basePath;
    }

    String authorityHost() {
        return "https://localhost:" + login.httpsPort();
    }

    Path caFile() {
        return caFile;
    }

    /** Every token issued so far stops working: the next API call gets 401. */
    void expireTokens() {
        validTokens.clear();
    }

    /** The next {@code times} calls of {@code kind} (start, list, blob) answer this error. */
    void fail(String kind, int times, int status, String code, String message, String retryAfter) {
        faults.add(new Fault(kind, status, code, message, retryAfter, new int[] {times}));
    }

    Blob blob(String contentType, String id, Instant created, List<String> records) {
        Blob b = new Blob(contentType, id, created, created.plus(Duration.ofDays(7)), false, records);
        blobs.add(b);
        return b;
    }

    List<Served> served(String kind) {
        return served.stream().filter(s -> s.kind().equals(kind)).toList();
    }

    @Override
    public void close() {
        api.stop();
        login.stop();
    }

    private synchronized Fault takeFault(String kind) {
        for (Fault f : faults) {
            if (f.kind().equals(kind) && f.remaining()[0] > 0) {
                f.remaining()[0]--;
                return f;
            }
        }
        return null;
    }

    private ResponseDefinition answer(Request req) throws IOException {
        String url = req.getUrl();
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        Map<String, String> query = query(q < 0 ? "" : url.substring(q + 1));
        String auth = req.getHeader("Authorization");
        String kind = path.endsWith("/subscriptions/start") ? "start" : path.endsWith("/subscriptions/content") ? "list"
                : path.contains("/audit/") ? "blob" : "other";
        ResponseDefinition r = route(kind, req.getMethod().getName(), path, query, auth);
        served.add(new Served(kind, req.getMethod().getName(), path, query, r.getStatus(), auth));
        return r;
    }

    private ResponseDefinition route(String kind, String method, String path, Map<String, String> query, String auth)
            throws IOException {
        if (!path.startsWith(basePath)) {
            return error(404, "", "not found");
        }
        if (auth == null || !auth.startsWith("Bearer ") || !validTokens.contains(auth.substring(7))) {
            return error(401, "", "Authorization has been denied for this request.");
        }
        if (query.get("PublisherIdentifier") == null) {
            return error(400, "AF20000", "PublisherIdentifier missing (the stand-in insists)");
        }
        Fault f = takeFault(kind);
        if (f != null) {
            ResponseDefinitionBuilder b = errorBuilder(f.status(), f.code(), f.message());
            if (f.retryAfter() != null) {
                b.withHeader("Retry-After", f.retryAfter());
            }
            return b.build();
        }
        switch (kind) {
            case "start": {
                String ct = query.get("contentType");
                if (!subscriptions.add(ct)) {
                    return error(400, "AF20024", "The subscription is already enabled. No property change.");
                }
                return ok(JSON.createObjectNode().put("contentType", ct).put("status", "enabled").toString(), null);
            }
            case "list": {
                String ct = query.get("contentType");
                if (!subscriptions.contains(ct)) {
                    return error(400, "AF20022", "No subscription found for the specified content type");
                }
                Instant start = LocalDateTime.parse(query.get("startTime")).toInstant(ZoneOffset.UTC);
                Instant end = LocalDateTime.parse(query.get("endTime")).toInstant(ZoneOffset.UTC);
                int offset = query.containsKey("nextPage") ? Integer.parseInt(query.get("nextPage")) : 0;
                List<Blob> visible = new ArrayList<>();
                for (Blob b : blobs) {
                    if (b.contentType().equals(ct) && !b.created().isBefore(start) && b.created().isBefore(end)) {
                        visible.add(b);
                    }
                }
                visible.sort(Comparator.comparing(Blob::created).thenComparing(Blob::contentId));
                ArrayNode list = JSON.createArrayNode();
                for (Blob b : visible.subList(Math.min(offset, visible.size()), Math.min(offset + pageSize, visible.size()))) {
                    ObjectNode o = list.addObject();
                    o.put("contentType", ct).put("contentId", b.contentId())
                            .put("contentUri", apiBaseUrl() + "/audit/" + b.contentId())
                            .put("contentCreated", b.created().toString()).put("contentExpiration", b.expiration().toString());
                }
                String next = null;
                if (offset + pageSize < visible.size()) {
                    next = apiBaseUrl() + "/subscriptions/content?contentType=" + ct + "&startTime=" + QUERY_TIME.format(start)
                            + "&endTime=" + QUERY_TIME.format(end) + "&nextPage=" + (offset + pageSize);
                }
                return ok(list.toString(), next);
            }
            case "blob": {
                String id = path.substring(path.indexOf("/audit/") + "/audit/".length());
                for (Blob b : blobs) {
                    if (b.contentId().equals(id)) {
                        if (b.expiredOnServer()) {
                            return error(400, "AF20051", "Content requested with the key " + id + " has already expired."
                                    + " Content older than 7 days cannot be retrieved.");
                        }
                        return ok("[" + String.join(",", b.records()) + "]", null);
                    }
                }
                return error(404, "AF20050", "The specified content (" + id + ") doesn't exist.");
            }
            default:
                return error(404, "", "not found");
        }
    }

    private ResponseDefinition ok(String body, String nextPage) {
        ResponseDefinitionBuilder b = ResponseDefinitionBuilder.responseDefinition().withStatus(200)
                .withHeader("Content-Type", "application/json").withHeader("Date", date()).withBody(body);
        if (nextPage != null) {
            b.withHeader(lowerCaseNextPageHeader ? "nextpageuri" : "NextPageUri", nextPage);
        }
        return b.build();
    }

    private ResponseDefinition error(int status, String code, String message) {
        return errorBuilder(status, code, message).build();
    }

    private ResponseDefinitionBuilder errorBuilder(int status, String code, String message) {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("error").put("code", code).put("message", message);
        return ResponseDefinitionBuilder.responseDefinition().withStatus(status).withHeader("Content-Type", "application/json")
                .withHeader("Date", date()).withBody(body.toString());
    }

    private String date() {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(Clock.systemUTC()).plus(serverSkew));
    }

    private static Map<String, String> query(String q) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : q.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }

    private final class ApiTransformer implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent e) {
            try {
                return answer(e.getRequest());
            } catch (IOException | RuntimeException ex) {
                return error(500, "", "stand-in failed: " + ex);
            }
        }

        @Override
        public String getName() {
            return "o365-activity-feed-stand-in";
        }
    }

    /** Issues tok-1, tok-2, ... valid for an hour, on POST /{tenant}/oauth2/v2.0/token. */
    private final class TokenTransformer implements ResponseDefinitionTransformerV2 {
        @Override
        public ResponseDefinition transform(ServeEvent e) {
            String url = e.getRequest().getUrl();
            String body = e.getRequest().getBodyAsString();
            if (!url.startsWith("/" + TENANT + "/oauth2/v2.0/token") || !body.contains("client_id=" + CLIENT_ID)
                    || !body.contains("manage.office.com")) {
                return ResponseDefinitionBuilder.responseDefinition().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_request\",\"error_description\":\"AADSTS900144: stand-in refused " + url + "\"}")
                        .build();
            }
            String token = "tok-" + (tokensIssued.size() + 1);
            tokensIssued.add(token);
            validTokens.add(token);
            String json = JSON.createObjectNode().put("token_type", "Bearer").put("expires_in", 3600)
                    .put("ext_expires_in", 3600).put("access_token", token).toString();
            return ResponseDefinitionBuilder.responseDefinition().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(json).build();
        }

        @Override
        public String getName() {
            return "o365-token-stand-in";
        }
    }

}
