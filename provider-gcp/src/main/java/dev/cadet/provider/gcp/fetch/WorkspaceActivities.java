package dev.cadet.provider.gcp.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one window of one (customer, application) with Reports {@code activities.list}
 * ({@code GET admin/reports/v1/activity/users/all/applications/<app>}): startTime and endTime are the
 * window's bounds, 1000 activities a page, {@code pageToken} paging, one pass per configured event
 * name (the API filters on one name at a time). Pages come newest first and activities become
 * visible out of order; that is harmless because the host commits the window only after this returns.
 * Each activity (with all its events) is one {@link RawRecord}.
 */
final class WorkspaceActivities {

    static final int PAGE_SIZE = 1000;

    private final GoogleHttp http;
    private final URI root;
    private final List<String> eventNames;

    WorkspaceActivities(GoogleHttp http, URI root, List<String> eventNames) {
        this.http = http;
        this.root = root;
        this.eventNames = List.copyOf(eventNames);
    }

    void fetch(StreamSpec stream, StreamTarget.Workspace target, Window window, FetchContext context) throws CollectorException {
        String streamKey = stream.key();
        List<String> passes = eventNames.isEmpty() ? Arrays.asList((String) null) : eventNames;
        for (String eventName : passes) {
            String token = null;
            int page = 0;
            do {
                Paging.checkStopping(context, streamKey, window);
                page++;
                URI uri = uri(target, window, eventName, token);
                String origin = "activities.list " + streamKey + (eventName == null ? "" : " " + eventName) + " page " + page;
                JsonNode answer = context.call(origin, () -> http.get(Api.REPORTS, uri, stream, window));
                List<RawRecord> records = new ArrayList<>();
                for (JsonNode item : answer.path("items")) {
                    records.add(new RawRecord(item.toString(), origin));
                }
                if (!records.isEmpty()) {
                    context.page(records);
                }
                token = Paging.next(answer, token, streamKey, window);
            } while (token != null);
        }
    }

    URI uri(StreamTarget.Workspace target, Window window, String eventName, String pageToken) {
        StringBuilder q = new StringBuilder();
        q.append("startTime=").append(enc(window.start().toString()));
        q.append("&endTime=").append(enc(window.end().toString()));
        q.append("&maxResults=").append(PAGE_SIZE);
        if (!"my_customer".equals(target.customerId())) {
            q.append("&customerId=").append(enc(target.customerId()));
        }
        if (eventName != null) {
            q.append("&eventName=").append(enc(eventName));
        }
        if (pageToken != null) {
            q.append("&pageToken=").append(enc(pageToken));
        }
        return root.resolve("admin/reports/v1/activity/users/all/applications/" + enc(target.application()) + "?" + q);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
