package dev.cadet.provider.gcp.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.CollectorException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Google API answers and token failures as {@link CollectorException}s: 429 and 503 (and 403 with a
 * rate-limit reason) are throttles, honouring Retry-After; other 5xx retry; 401 asks for a new token
 * (REAUTH); 403 and the remaining 4xx stop the stream with what to fix. Messages carry Google's error
 * text (which names resources and principals, never tokens) and never a token or key.
 */
final class ApiFailures {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code error.errors[].reason} values Google uses for quota on a 403. */
    private static final Set<String> RATE_REASONS = Set.of("rateLimitExceeded", "userRateLimitExceeded",
            "quotaExceeded", "dailyLimitExceeded", "RATE_LIMIT_EXCEEDED");
    private static final int MAX_DETAIL = 300;

    private ApiFailures() {
    }

    static CollectorException forStatus(Api api, String where, int status, String body, String retryAfterHeader) {
        String detail = detail(status, body);
        Duration retryAfter = retryAfter(retryAfterHeader);
        String what = api.title + " for " + where;
        if (status == 429 || status == 503 || (status == 403 && rateLimited(body))) {
            return CollectorException.throttled(what + " is over quota: " + detail, retryAfter, null);
        }
        if (status >= 500 || status == 408) {
            return CollectorException.retry(what + " server error: " + detail, retryAfter, null);
        }
        if (status == 401) {
            return CollectorException.reauth(what + " refused the access token: " + detail, null);
        }
        if (status == 403) {
            return CollectorException.fatal("permission denied by " + what + " (" + detail + "): " + api.fix, null);
        }
        if (status == 404) {
            return CollectorException.fatal(what + " answered not found (" + detail + "): check the configured "
                    + (api == Api.REPORTS ? "customer_id and applications" : "resources"), null);
        }
        return CollectorException.fatal(what + " refused the request (" + detail + "); check the configuration", null);
    }

    /**
     * The token endpoint failed with {@code status} (-1: no answer). 400/401 mean the key, the delegation
     * or the scope is refused: nothing a retry fixes.
     */
    static CollectorException tokenFailed(Api api, String clientEmail, int status, String message, Throwable cause) {
        String what = "getting an access token for " + clientEmail + " (" + api.title + ")";
        if (status == 429 || status == 503) {
            return CollectorException.throttled("the token endpoint is over quota " + what + ": " + message, null, cause);
        }
        if (status < 0 || status >= 500 || status == 408) {
            return CollectorException.retry("the token endpoint failed " + what + ": " + message, null, cause);
        }
        String fix = api == Api.REPORTS
                ? "check the key is valid and not disabled, and " + api.fix
                : "check the key is valid and not disabled or deleted";
        return CollectorException.fatal("the token endpoint refused " + what + " (HTTP " + status + ": " + message + "): " + fix, cause);
    }

    /** "HTTP 403 PERMISSION_DENIED: message", shortened. */
    private static String detail(int status, String body) {
        StringBuilder sb = new StringBuilder("HTTP ").append(status);
        JsonNode error = parse(body).path("error");
        String state = error.path("status").asText("");
        String message = error.path("message").asText("");
        if (!state.isEmpty()) {
            sb.append(' ').append(state);
        }
        if (!message.isEmpty()) {
            sb.append(": ").append(message);
        }
        String s = sb.toString().replaceAll("[\\r\\n]+", " ");
        return s.length() <= MAX_DETAIL ? s : s.substring(0, MAX_DETAIL) + "...";
    }

    private static boolean rateLimited(String body) {
        JsonNode error = parse(body).path("error");
        if ("RESOURCE_EXHAUSTED".equals(error.path("status").asText())) {
            return true;
        }
        for (JsonNode e : error.path("errors")) {
            if (RATE_REASONS.contains(e.path("reason").asText())) {
                return true;
            }
        }
        for (JsonNode d : error.path("details")) {
            if (RATE_REASONS.contains(d.path("reason").asText())) {
                return true;
            }
        }
        return false;
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode n = body == null || body.isBlank() ? null : JSON.readTree(body);
            return n == null ? JSON.createObjectNode() : n;
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    /** Retry-After as seconds or an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }
}
