package dev.cadet.forward;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/** Exponential backoff with jitter, capped: the n-th delay is random in [d/2, d], d = min(cap, initial * 2^n). */
public final class Backoff {
    private final Duration initial;
    private final Duration cap;
    private int attempt;

    public Backoff(Duration initial, Duration cap) {
        if (initial.isNegative() || initial.isZero() || cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= cap");
        }
        this.initial = initial;
        this.cap = cap;
    }

    /** The delay before the next retry; each call doubles the base delay up to the cap. */
    public Duration next() {
        long base = initial.toMillis() << Math.min(attempt, 20);
        long d = Math.min(cap.toMillis(), base);
        attempt++;
        return Duration.ofMillis(d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
    }

    /** After a success. */
    public void reset() {
        attempt = 0;
    }

    public int failures() {
        return attempt;
    }
}
