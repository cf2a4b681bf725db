package dev.cadet.poll;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in audit API and its {@link Source}: an archive of JSON records with an event time, served
 * newest first in pages (like CloudTrail), one {@link FetchContext#call} per page. Tests script
 * failures and delays.
 */
public final class FakeApi implements Source {
    public record Stored(Instant time, String body) {
    }

    private final Clock clock;
    private final List<Stored> archive = new CopyOnWriteArrayList<>();
    public final List<Window> windowsRead = Collections.synchronizedList(new ArrayList<>());
    /** Thrown by the request of the next calls, one per call, before the page is served. */
    public final Deque<CollectorException> callFailures = new ConcurrentLinkedDeque<>();
    public volatile int pageSize = 2;
    /** When >= 0: the fetch throws a RETRY error after pushing this many pages, {@link #pageFailuresLeft} times. */
    public volatile int failAfterPages = -1;
    public final AtomicInteger pageFailuresLeft = new AtomicInteger();
    /** Thrown at the start of every fetch when set. */
    public volatile CollectorException failEveryFetch;
    public volatile Duration fetchTakes = Duration.ZERO;
    public final AtomicInteger fetches = new AtomicInteger();
    public final AtomicInteger inFetch = new AtomicInteger();
    public final AtomicInteger mostConcurrentFetches = new AtomicInteger();
    public final AtomicInteger requests = new AtomicInteger();

    public FakeApi(Clock clock) {
        this.clock = clock;
    }

    public void add(String id, Instant time, String action, String user) {
        archive.add(new Stored(time, "{\"id\":\"" + id + "\",\"time\":\"" + time + "\",\"action\":\"" + action
                + "\",\"user\":\"" + user + "\"}"));
    }

    /** A record without a time: the normalizer rejects it. */
    public void addMalformed(String id, Instant listedAt) {
        archive.add(new Stored(listedAt, "{\"id\":\"" + id + "\",\"action\":\"CreateUser\"}"));
    }

    @Override
    public Instant serverNow(StreamSpec stream) {
        return clock.instant();
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        fetches.incrementAndGet();
        int concurrent = inFetch.incrementAndGet();
        mostConcurrentFetches.accumulateAndGet(concurrent, Math::max);
        try {
            windowsRead.add(window);
            if (failEveryFetch != null) {
                throw failEveryFetch;
            }
            if (!fetchTakes.isZero()) {
                try {
                    Thread.sleep(fetchTakes.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw CollectorException.retry("interrupted", null, e);
                }
            }
            List<Stored> matching = new ArrayList<>();
            for (Stored s : archive) {
                if (window.contains(s.time())) {
                    matching.add(s);
                }
            }
            matching.sort((a, b) -> b.time().compareTo(a.time()));
            // an empty window is still one (empty) page, as real APIs answer
            int pageCount = Math.max(1, (matching.size() + pageSize - 1) / pageSize);
            for (int p = 0; p < pageCount; p++) {
                if (failAfterPages >= 0 && p == failAfterPages && pageFailuresLeft.getAndDecrement() > 0) {
                    throw CollectorException.retry("connection reset after page " + p, null, null);
                }
                List<Stored> slice = matching.subList(Math.min(matching.size(), p * pageSize),
                        Math.min(matching.size(), (p + 1) * pageSize));
                int pageNo = p + 1;
                List<RawRecord> page = context.call("LookupEvents page " + pageNo, () -> {
                    requests.incrementAndGet();
                    CollectorException scripted = callFailures.poll();
                    if (scripted != null) {
                        throw scripted;
                    }
                    List<RawRecord> records = new ArrayList<>();
                    for (int i = 0; i < slice.size(); i++) {
                        records.add(new RawRecord(slice.get(i).body(), "page " + pageNo + " record " + (i + 1)));
                    }
                    return records;
                });
                context.page(page);
            }
        } finally {
            inFetch.decrementAndGet();
        }
    }
}
