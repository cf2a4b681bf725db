package dev.cadet.bench;

import dev.cadet.poll.Sleeper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link Sleeper#REAL}, noting for every wait (zero waits included) on which thread it was, when it
 * should have ended and when it did, in {@link System#nanoTime()}. Given to the quota limiters, it
 * tells when each permit was handed out, so that the stand-in's arrival times can be split into
 * timer lateness and the time from permit to arrival.
 */
final class TimedSleeper implements Sleeper {
    /** One wait: when it was asked for, when it should have ended, when it ended. */
    record Wait(long askedNanos, long dueNanos, long wokeNanos) {
    }

    private final Map<Thread, List<Wait>> waits = new ConcurrentHashMap<>();

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        long asked = System.nanoTime();
        long due = asked + Math.max(0, duration.toNanos());
        Sleeper.REAL.sleep(duration);
        long woke = System.nanoTime();
        waits.computeIfAbsent(Thread.currentThread(), t -> new ArrayList<>()).add(new Wait(asked, due, woke));
    }

    /** The waits of {@code thread} between two instants, in order. */
    List<Wait> of(Thread thread, long fromNanos, long toNanos) {
        List<Wait> all = waits.getOrDefault(thread, List.of());
        List<Wait> out = new ArrayList<>();
        for (Wait w : all) {
            if (w.askedNanos() >= fromNanos && w.wokeNanos() <= toNanos) {
                out.add(w);
            }
        }
        return out;
    }
}
