package dev.cadet.provider.gcp.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads one window of one project, folder or organization with Cloud Logging {@code entries.list}
 * ({@code POST v2/entries:list}): the resource's Admin Activity audit log
 * ({@code <resource>/logs/cloudaudit.googleapis.com%2Factivity}, which holds service account and key
 * creation and SetIamPolicy), the configured services, {@code timestamp} within the window's bounds
 * (both included), oldest first, 1000 entries a page, {@code pageToken} paging. A page may come back
 * empty with a token (the server stopped searching early): paging goes on. Each entry is one
 * {@link RawRecord}.
 */
final class CloudLoggingEntries {

    static final int PAGE_SIZE = 1000;
    static final String ACTIVITY_LOG = "cloudaudit.googleapis.com%2Factivity";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final GoogleHttp http;
    private final URI root;
    private final List<String> serviceNames;

    CloudLoggingEntries(GoogleHttp http, URI root, List<String> serviceNames) {
        this.http = http;
        this.root = root;
        this.serviceNames = List.copyOf(serviceNames);
    }

    void fetch(StreamSpec stream, StreamTarget.LoggingResource target, Window window, FetchContext context) throws CollectorException {
        String streamKey = stream.key();
        URI uri = root.resolve("v2/entries:list");
        String token = null;
        int page = 0;
        do {
            Paging.checkStopping(context, streamKey, window);
            page++;
            String body = body(target.resource(), window, token);
            String origin = "entries.list " + streamKey + " page " + page;
            JsonNode answer = context.call(origin, () -> http.post(Api.LOGGING, uri, body, stream, window));
            List<RawRecord> records = new ArrayList<>();
            for (JsonNode entry : answer.path("entries")) {
                records.add(new RawRecord(entry.toString(), origin));
            }
            if (!records.isEmpty()) {
                context.page(records);
            }
            token = Paging.next(answer, token, streamKey, window);
        } while (token != null);
    }

    String body(String resource, Window window, String pageToken) {
        ObjectNode b = JSON.createObjectNode();
        b.putArray("resourceNames").add(resource);
        b.put("filter", filter(resource, window));
        b.put("orderBy", "timestamp asc");
        b.put("pageSize", PAGE_SIZE);
        if (pageToken != null) {
            b.put("pageToken", pageToken);
        }
        return b.toString();
    }

    /** The Logging query language filter: the activity log, the services, the window. */
    String filter(String resource, Window window) {
        String services = serviceNames.stream().map(s -> "protoPayload.serviceName=\"" + s + "\"")
                .collect(Collectors.joining(" OR "));
        if (serviceNames.size() > 1) {
            services = "(" + services + ")";
        }
        return "logName=\"" + resource + "/logs/" + ACTIVITY_LOG + "\""
                + " AND " + services
                + " AND timestamp>=\"" + window.start() + "\""
                + " AND timestamp<=\"" + window.end() + "\"";
    }
}
