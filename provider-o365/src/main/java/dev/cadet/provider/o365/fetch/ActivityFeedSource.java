package dev.cadet.provider.o365.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.provider.o365.config.O365Settings;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one window of one (tenant, content type) stream. The window is on {@code contentCreated}
 * (availability). Steps:
 * <ol>
 *   <li>start the content type's subscription once per run of the daemon (idempotent: AF20024 is fine);</li>
 *   <li>list the window in slices of at most {@link #MAX_LISTING} ({@code startTime <= contentCreated < endTime},
 *       whole seconds), never starting more than {@link #LISTABLE} back, following {@code NextPageUri};</li>
 *   <li>for each blob: skip it when an earlier poll marked it; skip and report it when it expired
 *       ({@code contentExpiration} passed, or AF20051), marking it {@code expired}; otherwise read it as a
 *       stream, push its records in pages of {@link #PAGE_SIZE}, and mark it {@code done}.</li>
 * </ol>
 * A missing or disabled subscription met while listing (AF20022/AF20023) is started and the page asked
 * again once. With {@code entra_via: graph}, records of the AzureActiveDirectory workload are dropped
 * (Graph reads them). Thread-safe: streams share only the subscription set and the API client.
 */
public final class ActivityFeedSource implements Source, AutoCloseable {
    static final int PAGE_SIZE = 200;
    static final Duration MAX_LISTING = Duration.ofHours(1);
    /** The API lists at most 7 days back; the margin absorbs request delays and small clock skew. */
    static final Duration LISTABLE = Duration.ofDays(7).minus(Duration.ofMinutes(10));
    private static final Logger LOG = LoggerFactory.getLogger(ActivityFeedSource.class);

    private final ActivityApi api;
    private final O365Settings settings;
    private final Map<String, String> contentTypeByStream;
    private final Clock clock;
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();

    ActivityFeedSource(ActivityApi api, O365Settings settings, Map<String, String> contentTypeByStream, Clock clock) {
        this.api = api;
        this.settings = settings;
        this.contentTypeByStream = Map.copyOf(contentTypeByStream);
        this.clock = clock;
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        String contentType = contentTypeByStream.get(stream.key());
        if (contentType == null) {
            throw CollectorException.fatal("stream " + stream.key() + " is not configured in this o365 provider entry", null);
        }
        ensureSubscribed(stream, contentType, context);
        Instant oldest = clock.instant().minus(LISTABLE).truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Instant start = window.start().truncatedTo(ChronoUnit.SECONDS);
        if (start.isBefore(oldest)) {
            context.warn("possible data loss before " + oldest + ": content listed before then can no longer be read"
                    + " (the API lists 7 days back); the window starting " + window.start() + " is cut");
            start = oldest;
        }
        // the API's end is exclusive and in whole seconds; the window's end is inclusive
        Instant end = window.end().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        Counts counts = new Counts();
        for (Instant from = start; from.isBefore(end); ) {
            Instant to = from.plus(MAX_LISTING).isBefore(end) ? from.plus(MAX_LISTING) : end;
            listSlice(stream, contentType, from, to, context, counts);
            from = to;
        }
        LOG.debug("{} window {}: {} blobs read, {} already done, {} expired, {} records pushed, {} Entra records dropped",
                stream.key(), window, counts.read, counts.skipped, counts.expired, counts.records, counts.dropped);
    }

    private void listSlice(StreamSpec stream, String contentType, Instant from, Instant to, FetchContext context,
                           Counts counts) throws CollectorException {
        URI uri = api.listUri(contentType, from, to);
        Set<URI> asked = new HashSet<>();
        int page = 0;
        while (uri != null) {
            if (context.stopping()) {
                throw CollectorException.retry("stopping in the middle of " + stream.key() + "; the window is read again", null, null);
            }
            if (!asked.add(uri)) {
                throw CollectorException.retry("the API repeated a NextPageUri for " + stream.key()
                        + "; the window is read again", null, null);
            }
            page++;
            String what = "list content " + stream.key() + " [" + from + ", " + to + ") page " + page;
            ActivityApi.ContentPage p = listPage(stream, contentType, uri, what, context);
            for (ActivityApi.ContentBlob blob : p.blobs()) {
                readBlob(stream, blob, context, counts);
            }
            uri = p.next();
        }
    }

    private ActivityApi.ContentPage listPage(StreamSpec stream, String contentType, URI uri, String what,
                                             FetchContext context) throws CollectorException {
        URI u = uri;
        try {
            return context.call(what, () -> api.listContent(u, what));
        } catch (CollectorException e) {
            if (e.kind() != CollectorException.Kind.RESUBSCRIBE) {
                throw e;
            }
            LOG.info("{}: the subscription is missing or disabled ({}); starting it", stream.key(), e.getMessage());
            subscribed.remove(contentType);
            ensureSubscribed(stream, contentType, context);
            return context.call(what, () -> api.listContent(u, what));
        }
    }

    private void ensureSubscribed(StreamSpec stream, String contentType, FetchContext context) throws CollectorException {
        if (subscribed.contains(contentType)) {
            return;
        }
        context.call("start subscription " + stream.key(), () -> {
            api.startSubscription(contentType);
            return null;
        });
        subscribed.add(contentType);
    }

    private void readBlob(StreamSpec stream, ActivityApi.ContentBlob blob, FetchContext context, Counts counts)
            throws CollectorException {
        String id = blob.contentId();
        if (context.itemMarked(id)) {
            counts.skipped++;
            return;
        }
        if (blob.expiration() != null && !blob.expiration().isAfter(clock.instant())) {
            expired(stream, blob, "its contentExpiration " + blob.expiration() + " has passed", context, counts);
            return;
        }
        String what = "read content blob " + id + " of " + stream.key();
        long[] pushed = {0};
        boolean read = context.call(what, () -> api.readBlob(blob, what, body -> {
            List<RawRecord> page = new ArrayList<>(PAGE_SIZE);
            BlobReader.read(body, (record, index) -> {
                if (settings.entraVia() == O365Settings.EntraVia.GRAPH && isEntra(record)) {
                    counts.dropped++;
                    return;
                }
                page.add(new RawRecord(record.toString(), "o365 " + stream.key() + " blob " + id + " record " + index));
                if (page.size() == PAGE_SIZE) {
                    push(page, context, pushed);
                }
            });
            push(page, context, pushed);
        }));
        if (!read) {
            expired(stream, blob, "the API says it expired (AF20051)", context, counts);
            return;
        }
        counts.read++;
        counts.records += pushed[0];
        context.markItem(id, "done");
    }

    private static void push(List<RawRecord> page, FetchContext context, long[] pushed) {
        if (!page.isEmpty()) {
            context.page(List.copyOf(page));
            pushed[0] += page.size();
            page.clear();
        }
    }

    private static boolean isEntra(JsonNode record) {
        for (var e : record.properties()) {
            if (e.getKey().equalsIgnoreCase("Workload")) {
                return "AzureActiveDirectory".equalsIgnoreCase(e.getValue().asText());
            }
        }
        return false;
    }

    private static void expired(StreamSpec stream, ActivityApi.ContentBlob blob, String why, FetchContext context,
                                Counts counts) {
        context.warn("content blob " + blob.contentId() + " of " + stream.key() + " (created " + blob.created()
                + ") was not read: " + why + "; its records are lost");
        context.markItem(blob.contentId(), "expired");
        counts.expired++;
    }

    /** Releases the HTTP clients; called once at shutdown. */
    @Override
    public void close() {
        api.close();
    }

    /** For tests: whether this source started the content type's subscription. */
    boolean subscribed(String contentType) {
        return subscribed.contains(contentType);
    }

    private static final class Counts {
        long read;
        long skipped;
        long expired;
        long records;
        long dropped;
    }
}
