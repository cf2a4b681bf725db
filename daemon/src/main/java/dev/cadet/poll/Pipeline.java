package dev.cadet.poll;

import dev.cadet.alert.Alert;
import dev.cadet.detect.Detector;
import dev.cadet.detect.Tuning;
import dev.cadet.store.Store;
import java.time.Clock;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What every stream's {@link StreamPoller} shares downstream of its source: the store, the detection
 * engine and how matches become alerts, the quota limiters, time, the retry policy, the daemon's
 * stopping flag and the forwarder's wake-up. Also the lock that serializes
 * {@link Detector#advance} with the store commit across all pollers, because the detector's sequence
 * state spans streams and must be persisted in the same order it was changed.
 */
public final class Pipeline {
    final Store store;
    final Detector detector;
    final Function<Detector.Match, Alert> alertFactory;
    final Tuning tuning;
    final QuotaLimiters quotas;
    final Clock clock;
    final Sleeper sleeper;
    final RetryPolicy retry;
    final BooleanSupplier stopping;
    final Runnable afterCommit;
    final Object advanceAndCommitLock = new Object();

    /**
     * @param alertFactory builds the alert of a completed match (rule metadata, stable id)
     * @param tuning       exceptions and suppression, applied to matches before they become alerts;
     *                     its suppression windows must already be restored from the store
     * @param stopping     true once the daemon is shutting down
     * @param afterCommit  run after each committed window part, e.g. to wake the forwarder
     */
    public Pipeline(Store store, Detector detector, Function<Detector.Match, Alert> alertFactory, Tuning tuning,
                    QuotaLimiters quotas, Clock clock, Sleeper sleeper, RetryPolicy retry, BooleanSupplier stopping,
                    Runnable afterCommit) {
        this.store = Objects.requireNonNull(store, "store");
        this.detector = Objects.requireNonNull(detector, "detector");
        this.alertFactory = Objects.requireNonNull(alertFactory, "alertFactory");
        this.tuning = Objects.requireNonNull(tuning, "tuning");
        this.quotas = Objects.requireNonNull(quotas, "quotas");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.stopping = Objects.requireNonNull(stopping, "stopping");
        this.afterCommit = Objects.requireNonNull(afterCommit, "afterCommit");
    }

    /** Without tuning: every match is an alert. */
    public Pipeline(Store store, Detector detector, Function<Detector.Match, Alert> alertFactory, QuotaLimiters quotas,
                    Clock clock, Sleeper sleeper, RetryPolicy retry, BooleanSupplier stopping, Runnable afterCommit) {
        this(store, detector, alertFactory, Tuning.none(), quotas, clock, sleeper, retry, stopping, afterCommit);
    }

    /** Real time, {@link RetryPolicy#DEFAULT}. */
    public Pipeline(Store store, Detector detector, Function<Detector.Match, Alert> alertFactory, Tuning tuning,
                    QuotaLimiters quotas, BooleanSupplier stopping, Runnable afterCommit) {
        this(store, detector, alertFactory, tuning, quotas, Clock.systemUTC(), Sleeper.REAL, RetryPolicy.DEFAULT, stopping,
                afterCommit);
    }

    /** Real time, {@link RetryPolicy#DEFAULT}, without tuning. */
    public Pipeline(Store store, Detector detector, Function<Detector.Match, Alert> alertFactory, QuotaLimiters quotas,
                    BooleanSupplier stopping, Runnable afterCommit) {
        this(store, detector, alertFactory, quotas, Clock.systemUTC(), Sleeper.REAL, RetryPolicy.DEFAULT, stopping,
                afterCommit);
    }

    public Store store() {
        return store;
    }
}
