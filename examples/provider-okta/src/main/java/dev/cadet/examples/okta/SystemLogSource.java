package dev.cadet.examples.okta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a window with {@code GET /api/v1/logs?since=&until=&limit=&sortOrder=ASCENDING}, then follows
 * each {@code Link: <...>; rel="next"} verbatim until there is none (or a page comes back empty).
 *
 * <p>Rate limits: when {@code X-Rate-Limit-Remaining} reaches 0 the next request waits until
 * {@code X-Rate-Limit-Reset} (epoch seconds); a 429 is a throttled retry at the reset time. The token
 * only ever goes to the org's own host: a next link to another host is refused.
 */
final class SystemLogSource implements Source {
    static final String PATH = "/api/v1/logs";
    /** Longer than this, a rate-limit pause becomes a throttled retry of the host instead. */
    private static final Duration MAX_PAUSE = Duration.ofMinutes(2);
    private static final Pattern NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");

    private final OktaSettings settings;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();

    SystemLogSource(OktaSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** One response: its records, the next link (or null) and the rate-limit headers. */
    private record Page(List<RawRecord> records, URI next, OptionalLong remaining, OptionalLong resetEpochSecond) {
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        URI next = settings.orgUrl().resolve(PATH + "?since=" + query(window.start()) + "&until=" + query(window.end())
                + "&limit=" + settings.pageLimit() + "&sortOrder=ASCENDING");
        while (next != null && !context.stopping()) {
            URI uri = next;
            Page page = context.call("GET " + PATH, () -> get(uri));
            if (page.records().isEmpty()) {
                return;
            }
            context.page(page.records());
            next = page.next();
            if (next != null && page.remaining().isPresent() && page.remaining().getAsLong() == 0) {
                pauseUntilReset(page.resetEpochSecond(), context);
            }
        }
    }

    private static String query(Instant t) {
        return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
    }

    private Page get(URI uri) throws CollectorException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
                .header("Authorization", "SSWS " + settings.token().reveal())
                .header("Accept", "application/json").GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw CollectorException.retry("Okta " + settings.org() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw CollectorException.retry("Okta " + settings.org() + ": interrupted", null, e);
        }
        OptionalLong remaining = header(response, "X-Rate-Limit-Remaining");
        OptionalLong reset = header(response, "X-Rate-Limit-Reset");
        int status = response.statusCode();
        if (status == 429) {
            throw CollectorException.throttled("Okta " + settings.org() + ": rate limit of " + PATH + " reached (429)"
                    + (reset.isPresent() ? ", resets at " + Instant.ofEpochSecond(reset.getAsLong()) : ""), untilReset(reset), null);
        }
        if (status == 401) {
            throw CollectorException.fatal("Okta " + settings.org() + ": the API token was rejected (401" + summary(response)
                    + "): check the token the config gives for this org", null);
        }
        if (status == 403) {
            throw CollectorException.fatal("Okta " + settings.org() + ": the token may not read the System Log (403" + summary(response)
                    + "): use a token of a read-only administrator", null);
        }
        if (status >= 500) {
            throw CollectorException.retry("Okta " + settings.org() + ": HTTP " + status + summary(response), null, null);
        }
        if (status != 200) {
            throw CollectorException.fatal("Okta " + settings.org() + ": unexpected HTTP " + status + " from " + PATH + summary(response), null);
        }
        return new Page(records(response.body()), nextLink(response), remaining, reset);
    }

    private List<RawRecord> records(String body) throws CollectorException {
        JsonNode array;
        try {
            array = json.readTree(body);
        } catch (IOException e) {
            throw CollectorException.retry("Okta " + settings.org() + ": " + PATH + " answered with malformed JSON: " + e.getMessage(), null, e);
        }
        if (array == null || !array.isArray()) {
            throw CollectorException.fatal("Okta " + settings.org() + ": " + PATH + " answered with something other than a JSON array", null);
        }
        List<RawRecord> out = new ArrayList<>(array.size());
        for (JsonNode event : array) {
            JsonNode uuid = event.get("uuid");
            // The origin carries the org: System Log events do not name it, and it is their cloud.account.id.
            out.add(new RawRecord(event.toString(), SystemLogNormalizer.ORIGIN_PREFIX + settings.org() + PATH
                    + (uuid == null ? "" : "#" + uuid.asText())));
        }
        return out;
    }

    /** The rel="next" link, verbatim; refused when it leads away from the org (the token goes with it). */
    private URI nextLink(HttpResponse<String> response) throws CollectorException {
        for (String value : response.headers().allValues("Link")) {
            Matcher m = NEXT.matcher(value);
            if (m.find()) {
                URI next;
                try {
                    next = new URI(m.group(1));
                } catch (java.net.URISyntaxException e) {
                    throw CollectorException.fatal("Okta " + settings.org() + ": malformed next link in " + PATH + ": " + e.getMessage(), e);
                }
                URI org = settings.orgUrl();
                if (!Objects.equals(next.getScheme(), org.getScheme()) || !Objects.equals(next.getHost(), org.getHost())
                        || port(next) != port(org)) {
                    throw CollectorException.fatal("Okta " + settings.org() + ": the next link leads to another host ("
                            + next.getHost() + "); not sending the token there", null);
                }
                return next;
            }
        }
        return null;
    }

    private static int port(URI u) {
        return u.getPort() != -1 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
    }

    private void pauseUntilReset(OptionalLong reset, FetchContext context) throws CollectorException {
        Duration wait = untilReset(reset);
        if (wait.compareTo(MAX_PAUSE) > 0) {
            throw CollectorException.throttled("Okta " + settings.org() + ": rate limit of " + PATH + " used up until "
                    + Instant.ofEpochSecond(reset.getAsLong()), wait, null);
        }
        Instant end = Instant.now().plus(wait);
        while (Instant.now().isBefore(end) && !context.stopping()) {
            try {
                Thread.sleep(Math.min(250, Math.max(1, Duration.between(Instant.now(), end).toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Time to the reset (at least a second, and a minute when Okta did not say). */
    private static Duration untilReset(OptionalLong reset) {
        if (reset.isEmpty()) {
            return Duration.ofMinutes(1);
        }
        Duration d = Duration.between(Instant.now(), Instant.ofEpochSecond(reset.getAsLong()).plusMillis(100));
        return d.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : d;
    }

    private static OptionalLong header(HttpResponse<?> response, String name) {
        try {
            return response.headers().firstValue(name).map(v -> OptionalLong.of(Long.parseLong(v.trim()))).orElse(OptionalLong.empty());
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** Okta's errorSummary, short, for messages (it never contains the token). */
    private String summary(HttpResponse<String> response) {
        try {
            JsonNode err = json.readTree(response.body());
            JsonNode s = err == null ? null : err.get("errorSummary");
            if (s != null && s.isTextual()) {
                String text = s.asText();
                return ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text);
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: no summary
        }
        return "";
    }
}
