package dev.cadet.poll;

import java.time.Duration;

/** Waits; a seam so that pacing and backoff can be tested on a fake clock. */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps with {@link Thread#sleep}. */
    Sleeper REAL = d -> {
        if (d.isNegative() || d.isZero()) {
            return;
        }
        long nanos = d.toNanos();
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    };

    void sleep(Duration duration) throws InterruptedException;
}
