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
 * account and region share CloudTrail's 2 requests/s). {@link #acquire} hands out evenly spaced time
 * slots, one per {@code 1/rate} (rounded up to the nanosecond so the rate is never exceeded), and
 * blocks until the caller's slot. There is no burst: the interval between two permits is never
 * shorter than {@code 1/rate}, and back-to-back callers get exactly that, so the achieved rate is
 * the allowed one. A slot a caller slept past is not given to anyone else: the schedule is absolute,
 * so a late wake-up does not push later slots back.
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
        sleeper.sleep(wait);
    }

    private long nanosNow() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static final class Limiter {
        final double requestsPerSecond;
        final long intervalNanos;
        final AtomicBoolean warnedMismatch = new AtomicBoolean();
        private long nextFreeNanos = Long.MIN_VALUE;

        Limiter(double requestsPerSecond) {
            this.requestsPerSecond = requestsPerSecond;
            this.intervalNanos = Math.max(1, (long) Math.ceil(1e9 / requestsPerSecond));
        }

        /** Takes the next free slot and returns how long to wait for it. */
        synchronized Duration reserve(long now) {
            long slot = Math.max(now, nextFreeNanos);
            nextFreeNanos = slot + intervalNanos;
            return Duration.ofNanos(slot - now);
        }
    }
}
