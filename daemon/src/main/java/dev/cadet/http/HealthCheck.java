package dev.cadet.http;

import dev.cadet.poll.StreamPoller;
import dev.cadet.store.Store;
import dev.cadet.store.Store.StreamHealth;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Decides whether the daemon's enabled streams are healthy, from the store's stream health and the
 * pollers' stopped state, read at each call. A stream is unhealthy when it was stopped by a FATAL
 * error, when its last {@code failures} polls in a row failed, or when it has had no successful poll
 * for longer than {@code schedules} times its schedule (counted from the daemon's start at most, so a
 * restart does not inherit the silence of the time it was down).
 */
public final class HealthCheck {

    /**
     * A stream the daemon runs.
     *
     * @param stoppedBecause the poller's FATAL error, if it stopped the stream
     */
    public record Stream(String key, Duration schedule, Supplier<Optional<String>> stoppedBecause) {
        public Stream {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(schedule, "schedule");
            Objects.requireNonNull(stoppedBecause, "stoppedBecause");
        }
    }

    private final Store store;
    private final List<Stream> streams;
    private final int failures;
    private final int schedules;
    private final Clock clock;
    private final Instant startedAt;

    /**
     * @param failures  this many failed polls in a row make a stream unhealthy
     * @param schedules no success for this many schedules makes a stream unhealthy
     */
    public HealthCheck(Store store, List<Stream> streams, int failures, int schedules, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.streams = List.copyOf(streams);
        if (failures < 1 || schedules < 1) {
            throw new IllegalArgumentException("failures and schedules must be at least 1");
        }
        this.failures = failures;
        this.schedules = schedules;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startedAt = clock.instant();
    }

    public List<Stream> streams() {
        return streams;
    }

    /** One line per unhealthy stream, saying why; empty when every stream is healthy. */
    public List<String> problems() {
        Map<String, StreamHealth> byKey = store.streamHealth().stream()
                .collect(Collectors.toMap(StreamHealth::streamKey, Function.identity(), (a, b) -> a));
        Instant now = clock.instant();
        List<String> out = new ArrayList<>();
        for (Stream s : streams) {
            StreamHealth h = byKey.get(s.key());
            Optional<String> fatal = s.stoppedBecause().get();
            if (fatal.isPresent()) {
                out.add(s.key() + ": stopped (tried again every " + StreamPoller.FATAL_RECHECK.toMinutes() + " minutes): "
                        + oneLine(fatal.get()));
                continue;
            }
            if (h != null && h.consecutiveFailures() >= failures) {
                out.add(s.key() + ": " + h.consecutiveFailures() + " failed polls in a row"
                        + (h.lastError() == null ? "" : ", last: " + oneLine(h.lastError())));
                continue;
            }
            Instant since = h == null || h.lastSuccess() == null || h.lastSuccess().isBefore(startedAt)
                    ? startedAt : h.lastSuccess();
            Duration limit = s.schedule().multipliedBy(schedules);
            Duration silent = Duration.between(since, now);
            if (silent.compareTo(limit) > 0) {
                out.add(s.key() + ": no successful poll for " + silent.toSeconds() + "s (limit " + schedules
                        + " x schedule " + s.schedule().toSeconds() + "s)" + (h == null || h.lastSuccess() == null
                        ? "" : ", last success " + h.lastSuccess()));
            }
        }
        return out;
    }

    /** Error texts can carry attacker-influenced strings: one line, no control characters. */
    static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}", " ");
    }
}
