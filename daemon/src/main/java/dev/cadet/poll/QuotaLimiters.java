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
 * account and region share CloudTrail's 2 requests/s). {@link #acquire} hands out time slots, one per
 * {@code 1/rate} (rounded up to the nanosecond so the rate is never exceeded), and blocks until the
 * caller's slot. There is no burst: the interval between two permits, measured from when each was
 * actually taken, is never shorter than {@code 1/rate}, and back-to-back callers get exactly that,
 * so the achieved rate is the allowed one. A caller that wakes up late (a busy machine, a GC pause)
 * takes its permit late, and the next permit is {@code 1/rate} after that moment, not after the
 * planned slot: otherwise the late request and the next one would reach the service closer together
 * than the quota allows, and a strict service throttles the second.
 */
public final class QuotaLimiters {
    private static final Logger LOG = LoggerFactory.getLogger(QuotaLimiters.class);

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

    /** Blocks until a request under this scope may be made. */
    public void acquire(QuotaScope scope) throws InterruptedException {
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
                return;
            }
            // the previous permit was taken late: wait the rest of its interval
            wait = Duration.ofNanos(tooEarlyBy);
        }
    }

    private long nanosNow() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static final class Limiter {
        final double requestsPerSecond;
        final long intervalNanos;
        final AtomicBoolean warnedMismatch = new AtomicBoolean();
        /** The next slot not yet promised to a caller. */
        private long nextFreeNanos = Long.MIN_VALUE;
        /** When the last permit was taken; meaningful once {@link #taken} is set. */
        private long lastTakenNanos;
        private boolean taken;

        Limiter(double requestsPerSecond) {
            this.requestsPerSecond = requestsPerSecond;
            this.intervalNanos = Math.max(1, (long) Math.ceil(1e9 / requestsPerSecond));
        }

        /** Promises the caller the next free slot and returns how long to wait for it. */
        synchronized Duration reserve(long now) {
            long slot = Math.max(now, nextFreeNanos);
            if (taken) {
                slot = Math.max(slot, lastTakenNanos + intervalNanos);
            }
            nextFreeNanos = slot + intervalNanos;
            return Duration.ofNanos(slot - now);
        }

        /** Takes the permit now if a full interval has passed since the last one; else how many nanoseconds are missing. */
        synchronized long take(long now) {
            if (taken && now - lastTakenNanos < intervalNanos) {
                return lastTakenNanos + intervalNanos - now;
            }
            taken = true;
            lastTakenNanos = now;
            return 0;
        }
    }
}
