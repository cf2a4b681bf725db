package dev.cadet.provider.gcp.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.api.client.http.HttpResponseException;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ServiceAccountCredentials;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.provider.gcp.config.GcpSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Authorized JSON requests to Google APIs: the JDK HTTP client, and google-auth service account
 * credentials (JWT-bearer grant at the token endpoint) scoped per API: {@code admin.reports.audit.readonly}
 * as the delegated {@code subject} for Reports, {@code logging.read} as the service account itself for
 * Cloud Logging. google-auth's own retries are off: the host paces and retries every call.
 *
 * <p>Tokens are cached by google-auth until shortly before they expire. A 401 marks the API's token
 * stale; the host then calls again ({@link CollectorException.Kind#REAUTH}) and a fresh one is fetched.
 * Every answer's {@code Date} header goes to the {@link ApiClock}, which fails a window our fast clock
 * put past the server's now. Thread-safe.
 */
final class GoogleHttp {

    static final String REPORTS_SCOPE = "https://www.googleapis.com/auth/admin.reports.audit.readonly";
    static final String LOGGING_SCOPE = "https://www.googleapis.com/auth/logging.read";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GcpSettings settings;
    private final HttpClient http;
    private final Map<Api, Token> tokens = new EnumMap<>(Api.class);
    private final ApiClock apiClock;

    GoogleHttp(GcpSettings settings, Clock clock) {
        this.settings = settings;
        this.apiClock = new ApiClock(clock, settings.clientEmail());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        tokens.put(Api.REPORTS, new Token(Api.REPORTS));
        tokens.put(Api.LOGGING, new Token(Api.LOGGING));
    }

    /** A page of {@code window} of {@code stream}. */
    JsonNode get(Api api, URI uri, StreamSpec stream, Window window) throws CollectorException {
        return send(api, HttpRequest.newBuilder(uri).GET(), stream, window);
    }

    /** A page of {@code window} of {@code stream}. */
    JsonNode post(Api api, URI uri, String json, StreamSpec stream, Window window) throws CollectorException {
        return send(api, HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8)), stream, window);
    }

    private JsonNode send(Api api, HttpRequest.Builder request, StreamSpec stream, Window window) throws CollectorException {
        String where = stream.key();
        Token token = tokens.get(api);
        request.header("Authorization", "Bearer " + token.value()).header("Accept", "application/json")
                .timeout(REQUEST_TIMEOUT);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CollectorException.retry("network error calling " + api.title + " for " + where + ": " + e, null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CollectorException.retry("interrupted calling " + api.title + " for " + where, null, e);
        }
        int status = response.statusCode();
        if (status == 401) {
            token.markStale();
        }
        // before the status: Reports refuses a window that starts after its now (HTTP 400)
        apiClock.check(api, response.headers().firstValue("Date"), stream, window);
        if (status != 200) {
            throw ApiFailures.forStatus(api, where, status, response.body(),
                    response.headers().firstValue("Retry-After").orElse(null));
        }
        try {
            JsonNode body = JSON.readTree(response.body());
            if (body == null || !body.isObject()) {
                throw CollectorException.retry(api.title + " for " + where + " answered 200 without a JSON object", null, null);
            }
            return body;
        } catch (IOException e) {
            throw CollectorException.retry(api.title + " for " + where + " answered 200 with unreadable JSON: "
                    + e.getClass().getSimpleName(), null, e);
        }
    }

    /** One API's credentials: built from the key on first use, refreshed when expired or refused. */
    private final class Token {
        private final Api api;
        private GoogleCredentials credentials;
        private boolean stale;

        Token(Api api) {
            this.api = api;
        }

        synchronized void markStale() {
            stale = true;
        }

        synchronized String value() throws CollectorException {
            try {
                if (credentials == null) {
                    credentials = build();
                }
                if (stale) {
                    credentials.refresh();
                    stale = false;
                } else {
                    credentials.refreshIfExpired();
                }
                return credentials.getAccessToken().getTokenValue();
            } catch (IOException e) {
                HttpResponseException answer = answerOf(e);
                if (answer == null) {
                    throw ApiFailures.tokenFailed(api, settings.clientEmail(), -1, e.getClass().getSimpleName()
                            + (isKeyProblem(e) ? " reading the key" : ": " + e.getMessage()), e);
                }
                throw ApiFailures.tokenFailed(api, settings.clientEmail(), answer.getStatusCode(),
                        tokenError(answer, e), null);
            }
        }

        private GoogleCredentials build() throws IOException {
            byte[] key = settings.credentialsJson().reveal().getBytes(StandardCharsets.UTF_8);
            ServiceAccountCredentials.Builder b = ServiceAccountCredentials.fromStream(new ByteArrayInputStream(key)).toBuilder()
                    .setDefaultRetriesEnabled(false);
            if (settings.tokenUri() != null) {
                b.setTokenServerUri(settings.tokenUri());
            }
            if (api == Api.REPORTS) {
                b.setScopes(List.of(REPORTS_SCOPE)).setServiceAccountUser(settings.subject());
            } else {
                b.setScopes(List.of(LOGGING_SCOPE));
            }
            return b.build();
        }
    }

    private static HttpResponseException answerOf(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException h) {
                return h;
            }
        }
        return null;
    }

    /** Failures while parsing the key must not echo it. */
    private static boolean isKeyProblem(IOException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("PKCS") || m.contains("private key") || m.contains("service account credential");
    }

    /** The OAuth error and its description from the token endpoint's answer. */
    private static String tokenError(HttpResponseException answer, IOException thrown) {
        String content = answer.getContent() == null || answer.getContent().isBlank() ? null : answer.getContent();
        // google-auth consumes the answer; its JSON is still inside one of the exception messages
        for (Throwable t = thrown; content == null && t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            int open = m.indexOf("{");
            int close = m.lastIndexOf('}');
            content = open >= 0 && close > open ? m.substring(open, close + 1) : null;
        }
        try {
            JsonNode body = JSON.readTree(content == null ? "" : content);
            if (body != null && body.has("error")) {
                String d = body.path("error_description").asText("");
                return body.path("error").asText() + (d.isEmpty() ? "" : " (" + d + ")");
            }
        } catch (IOException ignored) {
            // not JSON: fall through to the status message
        }
        return String.valueOf(answer.getStatusMessage());
    }
}
