package dev.cadet.provider.azure.fetch;

import com.microsoft.kiota.RequestInformation;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.provider.azure.config.AzureSettings;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one window of one tenant with {@code GET /auditLogs/directoryAudits}:
 * {@code $filter=activityDateTime ge START and activityDateTime le END} (Graph has no gt/lt, so both
 * bounds are included, as {@link Window} is; the host drops records seen before by their {@code id}),
 * plus the configured {@code activityDisplayName eq} filters, {@value #PAGE_SIZE} records a page, then
 * every {@code @odata.nextLink} verbatim until there is none. The nextLink lives only in this method.
 *
 * <p>Every request goes through {@link FetchContext#call}, which paces it by the (app, tenant) quota
 * and retries throttles and 5xx; a 401 drops the cached token before the host's one retry. Thread-safe:
 * each tenant has its own client, and the SDK clients are thread-safe.
 */
public final class DirectoryAuditsSource implements Source, AutoCloseable {
    /** Graph serves at most 999 directoryAudits per page. */
    static final int PAGE_SIZE = 999;
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryAuditsSource.class);

    private final Map<String, TenantClient> byStream = new LinkedHashMap<>();
    private final String activityFilter;

    public DirectoryAuditsSource(AzureSettings settings, Clock clock) {
        for (AzureSettings.Tenant t : settings.tenants()) {
            byStream.put(streamKey(t.id()), new TenantClient(settings, t, clock));
        }
        this.activityFilter = activityFilter(settings.activityNames());
    }

    public static String streamKey(String tenant) {
        return "azure/" + tenant;
    }

    /** {@code $filter} for a window: inclusive bounds, then the activity names, if any. */
    String filter(Window window) {
        String f = "activityDateTime ge " + window.start() + " and activityDateTime le " + window.end();
        return activityFilter == null ? f : f + " and " + activityFilter;
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        TenantClient client = byStream.get(stream.key());
        if (client == null) {
            throw CollectorException.fatal("stream " + stream.key() + " is not configured in this azure provider entry", null);
        }
        String filter = filter(window);
        String next = null;
        int page = 0;
        int records = 0;
        do {
            if (context.stopping()) {
                throw CollectorException.retry("stopping before the end of window " + window + " of " + stream.key()
                        + "; it will be read again", null, null);
            }
            page++;
            String link = next;
            String origin = "GET directoryAudits tenant " + client.tenant + " page " + page;
            AuditPage answer = context.call(origin, () -> {
                // Built per attempt: the auth provider writes the (possibly refreshed) token into it.
                RequestInformation request = link == null ? client.firstPage(filter, PAGE_SIZE) : client.nextPage(link);
                return read(client, request, origin);
            });
            records += answer.records().size();
            if (!answer.records().isEmpty()) {
                context.page(answer.records());
            }
            next = answer.nextLink();
            if (next != null) {
                checkNextLink(next, link, client, stream, window);
            }
        } while (next != null);
        LOG.debug("{} window {}: {} pages, {} records", stream.key(), window, page, records);
    }

    private static AuditPage read(TenantClient client, RequestInformation request, String origin) throws CollectorException {
        try (InputStream body = client.send(request)) {
            return AuditPage.read(body, client.tenant, origin);
        } catch (IOException e) {
            throw CollectorException.retry(origin + ": unreadable answer from Graph (" + e.getMessage()
                    + "); the page will be asked again", null, e);
        } catch (RuntimeException e) {
            throw GraphFailures.requestFailed(e, client.tenant, client.credential::invalidate);
        }
    }

    /** A nextLink must stay on the Graph host (only it gets the token) and must move on. */
    private static void checkNextLink(String next, String previous, TenantClient client, StreamSpec stream, Window window)
            throws CollectorException {
        String host;
        try {
            host = URI.create(next).getHost();
        } catch (IllegalArgumentException e) {
            host = null;
        }
        if (host == null || !host.toLowerCase(Locale.ROOT).equals(client.graphHost)) {
            throw CollectorException.retry("Graph returned an @odata.nextLink outside " + client.graphHost + " for "
                    + stream.key() + " window " + window + "; the window will be read again", null, null);
        }
        if (next.equals(previous)) {
            throw CollectorException.retry("Graph returned the same @odata.nextLink twice for " + stream.key()
                    + " window " + window + "; the window will be read again", null, null);
        }
    }

    @Override
    public void close() {
        byStream.values().forEach(TenantClient::close);
    }

    /** How many tokens each tenant fetched, for tests. */
    long tokenFetches(String streamKey) {
        return byStream.get(streamKey).credential.fetches();
    }

    private static String activityFilter(List<String> names) {
        if (names.isEmpty()) {
            return null;
        }
        String any = names.stream().map(n -> "activityDisplayName eq '" + n.replace("'", "''") + "'")
                .collect(Collectors.joining(" or "));
        return names.size() == 1 ? any : "(" + any + ")";
    }
}
