package dev.cadet.poll;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * How {@code FetchContext.call} retries a {@link dev.cadet.collector.CollectorException.Kind#RETRY}
 * failure: up to {@code maxAttempts} tries in all; between tries the server's Retry-After if it sent
 * one, else exponential backoff with full jitter: a uniform random wait in
 * {@code [0, min(cap, base * 2^(retry-1))]} (research/collectors.md D4).
 */
public record RetryPolicy(int maxAttempts, Duration base, Duration cap) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, Duration.ofSeconds(1), Duration.ofSeconds(60));

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
    }

    /** The wait before retry number {@code retry} (1 for the first retry) when there is no Retry-After. */
    public Duration backoff(int retry, RandomGenerator random) {
        long capNanos = cap.toNanos();
        long ceiling = base.toNanos();
        for (int i = 1; i < retry && ceiling < capNanos; i++) {
            ceiling *= 2;
        }
        ceiling = Math.min(ceiling, capNanos);
        return ceiling <= 0 ? Duration.ZERO : Duration.ofNanos(random.nextLong(ceiling + 1));
    }
}
