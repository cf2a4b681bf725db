package dev.cadet.provider.o365.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.CollectorException;
import dev.cadet.provider.o365.config.O365Settings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three calls of the Management Activity API, over the JDK HTTP client with a bearer token from
 * {@link AccessTokens}: start a subscription, list available content (one page), read a content blob
 * as a stream. Every request carries {@code PublisherIdentifier}. Links the server hands out
 * ({@code NextPageUri}, {@code contentUri}) are followed only on the configured API's origin, so the
 * token never goes to another host. Thread-safe.
 */
final class ActivityApi {
    /** A content blob as listed. {@code expiration} may be null when the server omits it. */
    record ContentBlob(String contentId, URI contentUri, Instant created, Instant expiration) {
    }

    /** One page of the content listing and the next page's URI, or null at the end. */
    record ContentPage(List<ContentBlob> blobs, URI next) {
    }

    /** Reads a blob's body; the stream is closed by the caller. */
    @FunctionalInterface
    interface BlobHandler {
        void read(InputStream body) throws IOException, CollectorException;
    }

    static final Duration SKEW_WORTH_LOGGING = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(ActivityApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter QUERY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final O365Settings settings;
    private final AccessTokens tokens;
    private final HttpClient http;
    private final Clock clock;
    private final AtomicBoolean skewLogged = new AtomicBoolean();

    ActivityApi(O365Settings settings, TrustedCertificates trust, AccessTokens tokens, Clock clock) {
        this.settings = settings;
        this.tokens = tokens;
        this.clock = clock;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(trust.sslContext())
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    void close() {
        tokens.close();
    }

    /** {@code POST /subscriptions/start?contentType=}; "already enabled" (AF20024) counts as started. */
    void startSubscription(String contentType) throws CollectorException {
        URI uri = withPublisher(URI.create(settings.apiBase() + "/subscriptions/start?contentType=" + encode(contentType)));
        String what = "start subscription " + contentType + " of tenant " + settings.tenantId();
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).POST(HttpRequest.BodyPublishers.noBody()), what,
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 == 2) {
            return;
        }
        ApiError e = ApiError.parse(r.statusCode(), r.body());
        if (e.is("AF20024")) {
            return;
        }
        throw failure(e, what, r.headers());
    }

    /** The first listing page of {@code [start, endExclusive)} on contentCreated. */
    URI listUri(String contentType, Instant start, Instant endExclusive) {
        return withPublisher(URI.create(settings.apiBase() + "/subscriptions/content?contentType=" + encode(contentType)
                + "&startTime=" + QUERY_TIME.format(start) + "&endTime=" + QUERY_TIME.format(endExclusive)));
    }

    /** One listing page; the next page comes from the {@code NextPageUri} header (any casing). */
    ContentPage listContent(URI uri, String what) throws CollectorException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(uri).GET(), what, HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw failure(ApiError.parse(r.statusCode(), r.body()), what, r.headers());
        }
        List<ContentBlob> blobs = new ArrayList<>();
        try {
            JsonNode list = JSON.readTree(r.body());
            if (list == null || !list.isArray()) {
                throw CollectorException.retry(what + ": the listing is not a JSON array", null, null);
            }
            for (JsonNode b : list) {
                blobs.add(blob(b, what));
            }
        } catch (IOException e) {
            throw CollectorException.retry(what + ": the listing is not valid JSON (" + e.getMessage() + ")", null, e);
        }
        // java.net.http header names are case-insensitive: NextPageUri and Nextpageuri alike
        Optional<String> next = r.headers().firstValue("NextPageUri").filter(s -> !s.isBlank());
        return new ContentPage(blobs, next.isEmpty() ? null : withPublisher(sameOrigin(next.get().trim(), what, "NextPageUri")));
    }

    /**
     * Reads a blob's body with {@code handler}. Returns false when the server says the content expired
     * (AF20051); any other error is thrown, classified.
     */
    boolean readBlob(ContentBlob blob, String what, BlobHandler handler) throws CollectorException {
        HttpResponse<InputStream> r = send(HttpRequest.newBuilder(withPublisher(blob.contentUri())).GET(), what,
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = r.body()) {
            if (r.statusCode() / 100 != 2) {
                String text = new String(body.readNBytes(64 * 1024), StandardCharsets.UTF_8);
                ApiError e = ApiError.parse(r.statusCode(), text);
                if (e.is("AF20051")) {
                    return false;
                }
                throw failure(e, what, r.headers());
            }
            handler.read(body);
            return true;
        } catch (IOException e) {
            throw CollectorException.retry(what + ": reading the blob failed (" + e.getMessage() + "); it is read again", null, e);
        }
    }

    private <T> HttpResponse<T> send(HttpRequest.Builder request, String what, HttpResponse.BodyHandler<T> body)
            throws CollectorException {
        String token = tokens.token();
        HttpRequest req = request.header("Authorization", "Bearer " + token).header("Accept", "application/json")
                .timeout(REQUEST_TIMEOUT).build();
        HttpResponse<T> r;
        try {
            r = http.send(req, body);
        } catch (IOException e) {
            throw CollectorException.retry(what + ": network error (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CollectorException.retry(what + ": interrupted", null, e);
        }
        observeClock(r.headers());
        if (r.statusCode() == 401) {
            tokens.invalidate();
        }
        return r;
    }

    private CollectorException failure(ApiError e, String what, HttpHeaders headers) {
        return ApiFailures.classify(e, what, settings.tenantId(), headers.firstValue("Retry-After"),
                headers.firstValue("Date"), clock);
    }

    /** Logs once when the server's clock is more than 5 minutes off ours. */
    private void observeClock(HttpHeaders headers) {
        ApiFailures.skew(headers.firstValue("Date"), clock).ifPresent(skew -> {
            if (skew.abs().compareTo(SKEW_WORTH_LOGGING) > 0 && skewLogged.compareAndSet(false, true)) {
                LOG.warn("the O365 API's clock (Date header) differs from ours by {} for tenant {}; check NTP",
                        skew, settings.tenantId());
            }
        });
    }

    private ContentBlob blob(JsonNode b, String what) throws CollectorException {
        String id = b.path("contentId").asText("");
        String uri = b.path("contentUri").asText("");
        if (id.isEmpty() || uri.isEmpty()) {
            throw CollectorException.retry(what + ": a listed blob has no contentId or contentUri", null, null);
        }
        return new ContentBlob(id, sameOrigin(uri, what, "contentUri"), time(b.path("contentCreated").asText(null)),
                time(b.path("contentExpiration").asText(null)));
    }

    private static Instant time(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            try {
                return java.time.LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException again) {
                return null;
            }
        }
    }

    /** The server's link, if it stays on the API's scheme, host and port. */
    private URI sameOrigin(String link, String what, String field) throws CollectorException {
        URI base = settings.apiBase();
        URI u;
        try {
            u = URI.create(link);
        } catch (IllegalArgumentException e) {
            throw CollectorException.retry(what + ": " + field + " is not a URL", null, e);
        }
        if (!Objects.equals(u.getScheme(), base.getScheme()) || !base.getHost().equalsIgnoreCase(String.valueOf(u.getHost()))
                || port(u) != port(base)) {
            throw CollectorException.fatal(what + ": " + field + " points to " + u.getScheme() + "://" + u.getHost()
                    + ", not to the API at " + base.getScheme() + "://" + base.getHost()
                    + "; cadet sends its token only to the API (check api_base_url)", null);
        }
        return u;
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    private URI withPublisher(URI uri) {
        String q = uri.getRawQuery();
        if (q != null && q.toLowerCase(java.util.Locale.ROOT).contains("publisheridentifier=")) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s + (q == null ? "?" : "&") + "PublisherIdentifier=" + encode(settings.publisherIdentifier()));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
