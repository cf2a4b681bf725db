package dev.cadet.poll;

import dev.cadet.collector.QuotaScope;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One rate limiter per {@link QuotaScope#key()}, shared by every poller (e.g. all streams of one AWS
 * account and region share CloudTrail's 2 requests/s). {@link #acquire} hands out time slots and
 * blocks until the caller's slot. There is no burst: two permits are always at least the scope's
 * spacing apart, measured from the moment the previous request actually left, and back-to-back
 * callers get exactly that spacing.
 *
 * <p>"Actually left": the next permit counts from when the previous permit was taken or, if its
 * request reported being sent later ({@link Permit#sent}, from {@link dev.cadet.collector.FetchContext#sending}),
 * from that later moment. A strict service measures the gap between arrivals, and time spent between
 * a permit and the send (a client's first use, a credentials fetch, a GC pause, a caller that wakes
 * up late) would otherwise come off the gap to the next request. A request that does not report is
 * spaced from its permit. The guarantee covers each permit taken after the previous request reported
 * (always so for one stream, whose calls follow each other); concurrent callers of one scope whose
 * permit was granted before the previous request reported are spaced from what was known then.
 *
 * <p>Spacing = {@code 1/rate} (rounded up to the nanosecond) plus {@link #MARGIN_PERCENT} of it: the
 * service sees arrivals, we see sends, and the time in between varies by a few milliseconds (the
 * host's scheduling, the network); a strict service throttles a request that arrives 1 ms early. At
 * CloudTrail's 2/s the margin is 5 ms, and it costs 1 % of the rate.
 */
public final class QuotaLimiters {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaLimiters.class);
    /** The spacing's margin over {@code 1/rate}, in percent of it. */
    static final int MARGIN_PERCENT = 1;

    private final Clock clock;
    private final Sleeper sleeper;
    private final Map<String, Limiter> limiters = new ConcurrentHashMap<>();

    public QuotaLimiters(Clock clock, Sleeper sleeper) {
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /** Real time. */
    public QuotaLimiters() {
        this(Clock.systemUTC(), Sleeper.REAL);
    }

    /**
     * Blocks until a request under this scope may be made.
     *
     * @return the permit, which the caller tells when its request is actually sent
     */
    public Permit acquire(QuotaScope scope) throws InterruptedException {
        Limiter limiter = limiters.computeIfAbsent(scope.key(), k -> new Limiter(scope.requestsPerSecond()));
        if (limiter.requestsPerSecond != scope.requestsPerSecond() && limiter.warnedMismatch.compareAndSet(false, true)) {
            LOG.warn("quota scope {} is declared with {} and {} requests/s; using {}", scope.key(),
                    limiter.requestsPerSecond, scope.requestsPerSecond(), limiter.requestsPerSecond);
        }
        Duration wait = limiter.reserve(nanosNow());
        while (true) {
            sleeper.sleep(wait);
            long tooEarlyBy = limiter.take(nanosNow());
            if (tooEarlyBy <= 0) {
                return new Permit(limiter);
            }
            // the previous request left later than its slot (a late permit, a late send): wait the rest
            wait = Duration.ofNanos(tooEarlyBy);
        }
    }

    /** A permit taken under a scope. */
    public final class Permit {
        private final Limiter limiter;

        private Permit(Limiter limiter) {
            this.limiter = limiter;
        }

        /**
         * The request under this permit is being sent now: the scope's next permit is spaced from this
         * moment if it is later than the permit. May be called more than once; the latest moment counts.
         */
        public void sent() {
            limiter.sent(nanosNow());
        }
    }

    private long nanosNow() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static final class Limiter {
        final double requestsPerSecond;
        final long spacingNanos;
        final AtomicBoolean warnedMismatch = new AtomicBoolean();
        /** The next slot not yet promised to a caller. */
        private long nextFreeNanos = Long.MIN_VALUE;
        /**
         * When the last request left as far as we know: the latest of the moment the last permit was
         * taken and the send moments reported; meaningful once {@link #taken} is set.
         */
        private long lastSentNanos;
        private boolean taken;

        Limiter(double requestsPerSecond) {
            this.requestsPerSecond = requestsPerSecond;
            long intervalNanos = Math.max(1, (long) Math.ceil(1e9 / requestsPerSecond));
            this.spacingNanos = intervalNanos + intervalNanos * MARGIN_PERCENT / 100;
        }

        /** Promises the caller the next free slot and returns how long to wait for it. */
        synchronized Duration reserve(long now) {
            long slot = Math.max(now, nextFreeNanos);
            if (taken) {
                slot = Math.max(slot, lastSentNanos + spacingNanos);
            }
            nextFreeNanos = slot + spacingNanos;
            return Duration.ofNanos(slot - now);
        }

        /** Takes the permit now if the last request left a full spacing ago; else how many nanoseconds are missing. */
        synchronized long take(long now) {
            if (taken && now - lastSentNanos < spacingNanos) {
                return lastSentNanos + spacingNanos - now;
            }
            taken = true;
            lastSentNanos = now;
            return 0;
        }

        /** A request reported being sent at {@code now}. */
        synchronized void sent(long now) {
            if (now - lastSentNanos > 0) {
                lastSentNanos = now;
            }
        }
    }
}
