package dev.cadet.provider.o365.fetch;

import dev.cadet.collector.CollectorException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Classifies activity feed errors into what the host does next (collectors.md, D4):
 * <ul>
 *   <li>AF10001 and the tenant/permission errors AF20010-AF20013, AF20020, AF20021: FATAL, with what to fix;</li>
 *   <li>"Tenant ... does not exist": FATAL, unified audit logging is off;</li>
 *   <li>AF20022/AF20023 (no subscription, or disabled): RESUBSCRIBE;</li>
 *   <li>AF20030/AF20055 (time range refused): CLOCK_SKEW, measured from the answer's {@code Date} header;</li>
 *   <li>AF429 / HTTP 429: RETRY counted as throttle, honouring Retry-After; AF50000 and other 5xx: RETRY;</li>
 *   <li>HTTP 401 without an AF code: REAUTH (the caller drops its token first).</li>
 * </ul>
 * AF20024 (already subscribed) and AF20051 (expired content) are answers the caller handles itself.
 */
final class ApiFailures {
    private static final Set<String> TENANT_ERRORS = Set.of("AF20010", "AF20011", "AF20012", "AF20013");
    /** "Tenant <id> does not exist.": the API's answer when unified audit logging is off (not "tenant ID ..."). */
    private static final Pattern UNAUDITED_TENANT = Pattern.compile("(?i).*\\btenant\\s+(?!id\\b)[0-9a-z.-]+\\s+does not exist.*");
    private static final Set<String> SERVER_ERRORS = Set.of("AF50000", "AF50005", "AF50006");

    private ApiFailures() {
    }

    /**
     * @param what   the call, e.g. "list content of o365/T/Audit.Exchange"; no secrets
     * @param tenant the configured tenant id, for messages
     */
    static CollectorException classify(ApiError e, String what, String tenant, Optional<String> retryAfter,
                                       Optional<String> date, Clock clock) {
        String detail = what + ": " + e.detail();
        String code = e.code().toUpperCase(Locale.ROOT);
        if (code.equals("AF10001")) {
            return CollectorException.fatal(detail + ". The app lacks the ActivityFeed.Read application permission of"
                    + " the Office 365 Management APIs, or an administrator has not granted consent for tenant " + tenant, null);
        }
        if (UNAUDITED_TENANT.matcher(e.message()).matches()) {
            return CollectorException.fatal(detail + ". Unified audit logging is off for tenant " + tenant
                    + ": turn on auditing in the Microsoft Purview compliance portal (Audit > Start recording user and"
                    + " admin activity); records appear some hours later", null);
        }
        if (TENANT_ERRORS.contains(code)) {
            return CollectorException.fatal(detail + ". Check tenant_id (" + tenant + "): the token must be issued by"
                    + " the same tenant the URL names, and the app must be consented in that tenant", null);
        }
        if (code.equals("AF20020")) {
            return CollectorException.fatal(detail + ". Check content_types: the content type is not valid", null);
        }
        if (code.equals("AF20021")) {
            return CollectorException.fatal(detail + ". The subscription's webhook is refused; cadet does not use"
                    + " webhooks, stop the subscription and let cadet start it again", null);
        }
        if (code.equals("AF20022") || code.equals("AF20023")) {
            return CollectorException.resubscribe(detail, null);
        }
        if (code.equals("AF20030") || code.equals("AF20055")) {
            Duration skew = skew(date, clock).orElse(null);
            if (skew == null) {
                return CollectorException.retry(detail + " (and no Date header to measure the clock skew)", null, null);
            }
            return CollectorException.clockSkew(detail + "; the server's clock differs from ours by " + skew, skew, null);
        }
        if (code.equals("AF429") || e.status() == 429) {
            return CollectorException.throttled(detail, retryAfter(retryAfter, clock).orElse(null), null);
        }
        if (SERVER_ERRORS.contains(code) || e.status() >= 500) {
            return CollectorException.retry(detail, retryAfter(retryAfter, clock).orElse(null), null);
        }
        if (e.status() == 401 && code.isEmpty()) {
            return CollectorException.reauth(detail + "; the token was refused, a new one is requested", null);
        }
        if (e.status() == 401 || e.status() == 403) {
            return CollectorException.fatal(detail + ". Check that the app has the ActivityFeed.Read permission with"
                    + " admin consent in tenant " + tenant, null);
        }
        return CollectorException.fatal(detail + ". The request was refused; check tenant_id, content_types and"
                + " api_base_url", null);
    }

    /** Server time minus ours, from an RFC 1123 {@code Date} header. */
    static Optional<Duration> skew(Optional<String> date, Clock clock) {
        return date.flatMap(ApiFailures::httpDate).map(server -> Duration.between(clock.instant(), server));
    }

    /** Retry-After as seconds or an HTTP date. */
    static Optional<Duration> retryAfter(Optional<String> header, Clock clock) {
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String v = header.get().trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            return httpDate(v).map(t -> Duration.between(clock.instant(), t)).filter(d -> !d.isNegative());
        }
    }

    private static Optional<Instant> httpDate(String text) {
        try {
            return Optional.of(ZonedDateTime.parse(text.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
