package dev.cadet.provider.azure.fetch;

import com.azure.identity.CredentialUnavailableException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.kiota.ApiException;
import dev.cadet.collector.CollectorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * Turns Graph SDK and azure-identity failures into {@link CollectorException}s. The SDK's own retry
 * handler is off for every request, so each 429 and 5xx arrives here once and the host paces the retry.
 *
 * <p>Messages name the tenant and what to fix. They carry Graph's error code and message and MSAL's
 * AADSTS code, which never contain the client secret or a token.
 */
final class GraphFailures {
    static final String PERMISSION = "AuditLog.Read.All";

    private GraphFailures() {
    }

    /**
     * A failed {@code GET /auditLogs/directoryAudits}.
     *
     * @param reauth called on a 401, before the REAUTH error is thrown, so the retry signs in again
     */
    static CollectorException requestFailed(RuntimeException e, String tenant, Runnable reauth) {
        String where = "tenant " + tenant;
        MsalServiceException login = cause(e, MsalServiceException.class);
        if (login != null) {
            return loginFailed(login, where);
        }
        CredentialUnavailableException unavailable = cause(e, CredentialUnavailableException.class);
        if (unavailable != null) {
            return CollectorException.fatal("no Entra ID credential is available for " + where + ": "
                    + firstLine(unavailable.getMessage()) + "; check the credentials of this tenant in the config", e);
        }
        if (e instanceof ApiException api && api.getResponseStatusCode() > 0) {
            int status = api.getResponseStatusCode();
            String detail = detail(api);
            Duration retryAfter = retryAfter(api);
            if (status == 429) {
                return CollectorException.throttled("Graph throttled directoryAudits for " + where + ": " + detail, retryAfter, e);
            }
            if (status >= 500) {
                return CollectorException.retry("Graph server error for " + where + ": " + detail, retryAfter, e);
            }
            if (status == 401) {
                reauth.run();
                return CollectorException.reauth("Graph refused the access token for " + where + " (" + detail
                        + "); signing in again", e);
            }
            if (status == 403) {
                return CollectorException.fatal("access denied to /auditLogs/directoryAudits for " + where + " (" + detail
                        + "): grant the application permission " + PERMISSION + " (Microsoft Graph) to cadet's app and"
                        + " give admin consent for the tenant", e);
            }
            if (status == 400) {
                return CollectorException.fatal("Graph rejected the directoryAudits query for " + where + " (" + detail
                        + "): check activity_names, and that retention is not longer than the tenant keeps audit logs"
                        + " (7d Entra Free, 30d P1/P2)", e);
            }
            if (status == 404) {
                return CollectorException.fatal("Graph answered 404 for /auditLogs/directoryAudits of " + where + " ("
                        + detail + "): check graph_base_url (it must end with the version, e.g. /v1.0)", e);
            }
            return CollectorException.fatal("Graph refused directoryAudits for " + where + ": " + detail, e);
        }
        if (cause(e, IOException.class) != null || cause(e, UncheckedIOException.class) != null) {
            return CollectorException.retry("network error calling Graph for " + where + ": " + firstLine(e.getMessage()), null, e);
        }
        return CollectorException.retry("unexpected error calling Graph for " + where + ": " + e, null, e);
    }

    private static CollectorException loginFailed(MsalServiceException e, String where) {
        String detail = (e.errorCode() == null ? "" : e.errorCode() + ": ") + firstLine(e.getMessage())
                + " (HTTP " + e.statusCode() + ")";
        if (e.statusCode() == 429 || e.statusCode() >= 500) {
            return CollectorException.retry("the Entra ID login endpoint failed for " + where + ": " + detail, null, e);
        }
        return CollectorException.fatal("the Entra ID login endpoint refused cadet's credentials for " + where + ": "
                + detail + "; check client_id, the secret or certificate, and authority_host", e);
    }

    /** "Code: message (HTTP n)" */
    private static String detail(ApiException e) {
        StringBuilder sb = new StringBuilder();
        if (e instanceof ODataError o && o.getError() != null) {
            if (o.getError().getCode() != null) {
                sb.append(o.getError().getCode());
            }
            if (o.getError().getMessage() != null && !o.getError().getMessage().isBlank()) {
                sb.append(sb.length() > 0 ? ": " : "").append(firstLine(o.getError().getMessage()));
            }
        }
        if (sb.length() == 0) {
            sb.append("error");
        }
        return sb.append(" (HTTP ").append(e.getResponseStatusCode()).append(')').toString();
    }

    /** Retry-After in seconds or as an HTTP-date; null when absent or unreadable. */
    static Duration retryAfter(ApiException e) {
        if (e.getResponseHeaders() == null) {
            return null;
        }
        Set<String> values = null;
        for (var h : e.getResponseHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase("Retry-After")) {
                values = h.getValue();
            }
        }
        if (values == null || values.isEmpty()) {
            return null;
        }
        String v = values.iterator().next().trim();
        try {
            long s = Long.parseLong(v);
            return s >= 0 ? Duration.ofSeconds(s) : null;
        } catch (NumberFormatException notSeconds) {
            try {
                Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        String line = (nl >= 0 ? s.substring(0, nl) : s).trim();
        return line.length() <= 300 ? line : line.substring(0, 300) + "...";
    }
}
