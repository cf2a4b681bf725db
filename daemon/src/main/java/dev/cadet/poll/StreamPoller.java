package dev.cadet.poll;

import dev.cadet.alert.Alert;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.Event;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.detect.Detector;
import dev.cadet.detect.Detector.StepHit;
import dev.cadet.detect.Tuning;
import dev.cadet.store.Store;
import dev.cadet.store.Store.PollCommit;
import dev.cadet.store.Store.Rejected;
import dev.cadet.store.Store.SeenEvent;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the data path (DESIGN §2) for one stream: works out the window from the stored watermark,
 * reads it part by part through the {@link Source}, normalizes, dedups and matches each page as it
 * arrives, and commits each part in one store transaction together with its alerts and the new
 * watermark.
 *
 * <p>Threading: {@link #pollOnce} is called by one scheduler job at a time (the job is
 * {@code @DisallowConcurrentExecution}); pollers of different streams run concurrently and share the
 * {@link Pipeline}.
 *
 * <p>Window: {@code [watermark - rescanOverlap, serverNow - settleLag]}; a new stream starts at
 * {@code now - initialBackfill}; a start older than {@code now - retention} is clamped, with a health
 * warning when it was the watermark that was too old. Parts are at most {@code maxWindow} long, each
 * is read fully and committed before the next begins, and the watermark becomes the part's end. A
 * failure commits nothing of the part being read; the next run reads it again, and seen ids keep its
 * alerts from repeating.
 */
public final class StreamPoller {
    private static final Logger LOG = LoggerFactory.getLogger(StreamPoller.class);
    private static final int MAX_REMEMBERED_WARNINGS = 64;
    /**
     * How long a stream stopped by a FATAL error (a permission, a missing subscription) waits before
     * one more try: it does not hammer an API that refuses it, yet recovers without a restart once the
     * operator has fixed what the message says.
     */
    public static final Duration FATAL_RECHECK = Duration.ofMinutes(15);

    private final StreamSpec stream;
    private final Source source;
    private final Function<RawRecord, Normalizer> normalizers;
    private final Pipeline pipeline;

    /** Set by a FATAL error: the stream does not run again until the daemon restarts. */
    private volatile String fatalError;
    /** When the stream stopped on a FATAL error: it tries once more every {@link #FATAL_RECHECK}. */
    private volatile Instant fatalAt;
    private boolean failing;
    private Duration clockCorrection = Duration.ZERO;
    private final Set<String> loggedWarnings = new HashSet<>();
    private volatile BackfillListener backfill = BackfillListener.NONE;

    /**
     * @param stream      the stream, with the operator's timing overrides already applied
     * @param normalizers the normalizer for a record: for providers whose records come in several
     *                    shapes, a router; returning null rejects the record as unrecognized
     */
    public StreamPoller(StreamSpec stream, Source source, Function<RawRecord, Normalizer> normalizers, Pipeline pipeline) {
        this.stream = Objects.requireNonNull(stream, "stream");
        this.source = Objects.requireNonNull(source, "source");
        this.normalizers = Objects.requireNonNull(normalizers, "normalizers");
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    /** For providers with one normalizer for every record of the stream. */
    public StreamPoller(StreamSpec stream, Source source, Normalizer normalizer, Pipeline pipeline) {
        this(stream, source, record -> normalizer, pipeline);
    }

    public String streamKey() {
        return stream.key();
    }

    /** Who hears how the first poll (the initial backfill) advances; by default no one. */
    public void reportBackfillTo(BackfillListener listener) {
        this.backfill = Objects.requireNonNull(listener, "listener");
    }

    /** Why the stream is stopped (a FATAL error), if it is. */
    public Optional<String> stoppedBecause() {
        return Optional.ofNullable(fatalError);
    }

    /** Reads and commits everything from the watermark up to {@code serverNow - settleLag}. Never throws. */
    public PollResult pollOnce() {
        if (fatalError != null) {
            if (pipeline.clock.instant().isBefore(fatalAt.plus(FATAL_RECHECK))) {
                return new PollResult(PollResult.Outcome.STOPPED, 0, 0, 0, 0);
            }
            // An operator may have fixed the permission meanwhile: one probe, without a restart.
            LOG.info("stream {}: stopped since {}; trying once more whether it was fixed", stream.key(), fatalAt);
        }
        int parts = 0;
        long events = 0;
        long alerts = 0;
        long rejected = 0;
        boolean backfilling = false;
        try {
            Optional<Instant> watermark = pipeline.store.watermark(stream.key());
            // a first poll reads the backfill, whose age says nothing about the API's delivery delay
            boolean measureArrival = watermark.isPresent();
            List<Window> plan = plan(watermark);
            if (plan.isEmpty()) {
                return new PollResult(PollResult.Outcome.NOTHING_TO_READ, 0, 0, 0, 0);
            }
            backfilling = watermark.isEmpty();
            for (Window part : plan) {
                if (pipeline.stopping.getAsBoolean()) {
                    return new PollResult(PollResult.Outcome.INTERRUPTED, parts, events, alerts, rejected);
                }
                PartRead read = new PartRead(part, measureArrival);
                source.fetch(stream, part, read);
                if (pipeline.stopping.getAsBoolean()) {
                    // the source may have returned early: the part is incomplete, so nothing of it is committed
                    return new PollResult(PollResult.Outcome.INTERRUPTED, parts, events, alerts, rejected);
                }
                alerts += commit(part, read);
                parts++;
                if (backfilling) {
                    backfill.partCommitted(stream.key(), parts, plan.size());
                }
                events += read.newEvents.size();
                rejected += read.rejected.size();
            }
            if (failing) {
                LOG.info("stream {}: polling works again", stream.key());
                failing = false;
            }
            fatalError = null;
            fatalAt = null;
            return new PollResult(PollResult.Outcome.POLLED, parts, events, alerts, rejected);
        } catch (CollectorException e) {
            if (pipeline.stopping.getAsBoolean() && e.kind() != CollectorException.Kind.FATAL) {
                // The daemon is stopping and the source gave up on the window: abandoned, not failed;
                // nothing of it was committed and the next start reads it again.
                LOG.info("stream {}: window abandoned for the stop: {}", stream.key(), e.getMessage());
                return new PollResult(PollResult.Outcome.INTERRUPTED, parts, events, alerts, rejected);
            }
            failed(e.getMessage(), e.kind() == CollectorException.Kind.FATAL, e);
            if (e.kind() == CollectorException.Kind.CLOCK_SKEW && e.clockSkew() != null) {
                clockCorrection = e.clockSkew();
                LOG.warn("stream {}: the server's clock differs from ours by {}; windows are corrected", stream.key(), e.clockSkew());
            }
        } catch (RuntimeException e) {
            failed(e.getClass().getSimpleName() + ": " + e.getMessage(), false, e);
        } finally {
            if (backfilling) {
                backfill.ended(stream.key());
            }
        }
        return new PollResult(PollResult.Outcome.FAILED, parts, events, alerts, rejected);
    }

    private void failed(String message, boolean fatal, Exception e) {
        Instant now = pipeline.clock.instant();
        if (fatal) {
            if (fatalError == null || !fatalError.equals(message)) {
                LOG.error("stream {} stopped (tried again every {} or at restart): {}", stream.key(), FATAL_RECHECK, message);
            }
            fatalError = message;
            fatalAt = now;
        } else if (!failing) {
            // once per failure streak; recovery is logged too
            if (e instanceof CollectorException) {
                LOG.warn("stream {}: poll failed, the window is read again next run: {}", stream.key(), message);
            } else {
                LOG.warn("stream {}: poll failed, the window is read again next run: {}", stream.key(), message, e);
            }
        } else {
            LOG.debug("stream {}: poll failed again: {}", stream.key(), message);
        }
        failing = true;
        try {
            pipeline.store.recordFailure(stream.key(), now, message, fatal);
        } catch (RuntimeException storeDown) {
            LOG.error("stream {}: cannot record the failure in the store: {}", stream.key(), storeDown.getMessage());
        }
    }

    /** The parts of this run's window, empty when there is nothing to read yet. */
    List<Window> plan(Optional<Instant> watermark) {
        Instant now = pipeline.clock.instant().truncatedTo(ChronoUnit.MILLIS);
        Instant end = source.serverNow(stream).plus(clockCorrection).truncatedTo(ChronoUnit.MILLIS)
                .minus(stream.settleLag());
        Instant start = watermark.map(w -> w.minus(stream.rescanOverlap())).orElse(now.minus(stream.initialBackfill()));
        Instant oldestReadable = now.minus(stream.retention());
        if (start.isBefore(oldestReadable)) {
            if (watermark.isPresent() && watermark.get().isBefore(oldestReadable)) {
                warn("possible data loss before " + oldestReadable + ": the watermark " + watermark.get()
                        + " is older than the API's retention of " + stream.retention()
                        + ", so records between them can no longer be read");
            }
            start = oldestReadable;
        }
        return split(start, end, stream.maxWindow());
    }

    /** {@code [start, end]} cut into consecutive parts of at most {@code max}; empty if end is not after start. */
    static List<Window> split(Instant start, Instant end, Duration max) {
        List<Window> parts = new ArrayList<>();
        Instant from = start;
        while (from.isBefore(end)) {
            Instant to = from.plus(max);
            if (to.isAfter(end)) {
                to = end;
            }
            parts.add(new Window(from, to));
            from = to;
        }
        return parts;
    }

    private void warn(String message) {
        pipeline.store.recordWarning(stream.key(), pipeline.clock.instant(), message);
        synchronized (loggedWarnings) {
            if (loggedWarnings.size() >= MAX_REMEMBERED_WARNINGS) {
                loggedWarnings.clear();
            }
            if (loggedWarnings.add(message)) {
                LOG.warn("stream {}: {}", stream.key(), message);
            }
        }
    }

    /** Runs the part's hits through the detector and commits; returns the number of alerts. */
    private int commit(Window part, PartRead read) {
        List<StepHit> hits = new ArrayList<>(read.hits);
        hits.sort(Comparator.comparing((StepHit h) -> h.event().timestamp())
                .thenComparing(h -> h.event().id())
                .thenComparing(StepHit::ruleId)
                .thenComparingInt(StepHit::step));
        Detector detector = pipeline.detector;
        synchronized (pipeline.advanceAndCommitLock) {
            Detector.Advance advance = detector.advance(hits, new Detector.StreamWatermark(stream.key(), part.end()));
            try {
                // exceptions and suppression decide which matches become alerts; their state and counts commit with the part
                Tuning.Outcome tuned = pipeline.tuning.apply(advance.matches());
                List<Alert> alerts = tuned.alerts().stream().map(pipeline.alertFactory).toList();
                pipeline.store.commit(new PollCommit(stream.key(), pipeline.clock.instant(), part.end(),
                        List.copyOf(read.newEvents.values()), alerts, advance.upserts(), advance.deletes(),
                        read.itemMarks, read.rejected, read.requests, read.throttles, read.arrivalDelaysMs,
                        tuned.changes()));
                LOG.debug("stream {}: committed {} ({} new events, {} alerts)", stream.key(), part,
                        read.newEvents.size(), alerts.size());
                pipeline.afterCommit.run();
                return alerts.size();
            } catch (RuntimeException e) {
                // the detector's in-memory sequences, this stream's watermark and tuning's windows ran ahead of the store: put them back
                detector.restore(pipeline.store.loadSequenceState(),
                        List.of(new Detector.StreamWatermark(stream.key(), pipeline.store.watermark(stream.key()).orElse(null))));
                pipeline.tuning.restore(pipeline.store.loadSuppressions());
                throw e;
            }
        }
    }

    /** The {@link FetchContext} of one window part: keeps only new ids, hits, marks and rejects. */
    private final class PartRead implements FetchContext {
        private final Window part;
        private final boolean measureArrival;
        final Map<String, SeenEvent> newEvents = new LinkedHashMap<>();
        final List<StepHit> hits = new ArrayList<>();
        final Map<String, String> itemMarks = new HashMap<>();
        final List<Rejected> rejected = new ArrayList<>();
        final List<Long> arrivalDelaysMs = new ArrayList<>();
        long requests;
        long throttles;
        /** The permit of the call now running, told when its request is sent; null between calls. */
        private volatile QuotaLimiters.Permit permit;

        PartRead(Window part, boolean measureArrival) {
            this.part = part;
            this.measureArrival = measureArrival;
        }

        @Override
        public void page(List<RawRecord> records) {
            List<Event> events = new ArrayList<>();
            for (RawRecord record : records) {
                Normalizer normalizer = normalizers.apply(record);
                if (normalizer == null) {
                    rejected.add(new Rejected(record.origin(), "no normalizer recognizes this record", record.body()));
                    continue;
                }
                try {
                    events.addAll(normalizer.normalize(record));
                } catch (MalformedRecordException e) {
                    rejected.add(new Rejected(record.origin(), e.getMessage(), record.body()));
                } catch (RuntimeException e) {
                    // a normalizer bug must not lose the record nor stop the window
                    rejected.add(new Rejected(record.origin(), "normalizer failed: " + e, record.body()));
                }
            }
            List<String> candidates = new ArrayList<>();
            for (Event e : events) {
                if (!newEvents.containsKey(e.id())) {
                    candidates.add(e.id());
                }
            }
            Set<String> alreadyCommitted = pipeline.store.seen(stream.key(), candidates);
            Instant now = pipeline.clock.instant();
            for (Event e : events) {
                if (alreadyCommitted.contains(e.id()) || newEvents.containsKey(e.id())) {
                    continue;
                }
                newEvents.put(e.id(), new SeenEvent(e.id(), e.timestamp()));
                if (measureArrival) {
                    arrivalDelaysMs.add(Math.max(0, Duration.between(e.timestamp(), now).toMillis()));
                }
                hits.addAll(pipeline.detector.hits(e));
            }
        }

        @Override
        public <T> T call(String what, Request<T> request) throws CollectorException {
            int attempts = 0;
            boolean reauthenticated = false;
            while (true) {
                try {
                    permit = pipeline.quotas.acquire(stream.quota());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw CollectorException.retry(what + ": interrupted while waiting for the quota", null, e);
                }
                requests++;
                attempts++;
                try {
                    return request.run();
                } catch (CollectorException e) {
                    switch (e.kind()) {
                        case RETRY -> {
                            if (e.throttled()) {
                                throttles++;
                            }
                            if (attempts >= pipeline.retry.maxAttempts() || stopping()) {
                                throw new CollectorException(CollectorException.Kind.RETRY, what + ": " + e.getMessage()
                                        + " (gave up after " + attempts + " attempts)", e.retryAfter(), e.throttled(), null, e);
                            }
                            Duration wait = e.retryAfter() != null ? e.retryAfter()
                                    : pipeline.retry.backoff(attempts, ThreadLocalRandom.current());
                            LOG.debug("stream {}: {} failed ({}), retrying in {}", stream.key(), what, e.getMessage(), wait);
                            try {
                                pipeline.sleeper.sleep(wait);
                            } catch (InterruptedException ie) {
                                Thread.currentThread().interrupt();
                                throw CollectorException.retry(what + ": interrupted while backing off", null, ie);
                            }
                        }
                        case REAUTH -> {
                            if (reauthenticated) {
                                throw e;
                            }
                            reauthenticated = true;
                            attempts--; // the retry after a refreshed credential is not a backoff attempt
                        }
                        default -> throw e;
                    }
                } finally {
                    permit = null;
                }
            }
        }

        @Override
        public void sending() {
            QuotaLimiters.Permit current = permit;
            if (current != null) {
                current.sent();
            }
        }

        @Override
        public void warn(String message) {
            StreamPoller.this.warn(message);
        }

        @Override
        public boolean itemMarked(String itemKey) {
            return itemMarks.containsKey(itemKey) || pipeline.store.itemMarked(stream.key(), itemKey);
        }

        @Override
        public void markItem(String itemKey, String state) {
            itemMarks.put(Objects.requireNonNull(itemKey, "itemKey"), Objects.requireNonNull(state, "state"));
        }

        @Override
        public boolean stopping() {
            return pipeline.stopping.getAsBoolean();
        }

        @Override
        public String toString() {
            return "read of " + stream.key() + " " + part;
        }
    }
}
