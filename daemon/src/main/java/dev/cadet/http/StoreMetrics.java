package dev.cadet.http;

import dev.cadet.store.Store;
import dev.cadet.store.Store.StreamHealth;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The daemon's metrics, read from the {@link Store} (and the pollers' stopped state) at each scrape:
 * no counter lives in memory, so values survive restarts and match {@code cadet status}.
 *
 * <p>Per stream (label {@code stream}): watermark lag, last success time, consecutive failures,
 * stopped, requests, throttles, events, rejected records, arrival delay p50/p99. Per output (label
 * {@code output}): alerts waiting in the outbox.
 */
public final class StoreMetrics implements MultiCollector {
    private final Store store;
    private final List<HealthCheck.Stream> streams;
    private final List<String> outputs;
    private final Clock clock;

    /** @param streams the streams the daemon runs; a stream only in the store (an old config) is not shown */
    public StoreMetrics(Store store, List<HealthCheck.Stream> streams, List<String> outputs, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.streams = List.copyOf(streams);
        this.outputs = List.copyOf(outputs);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public MetricSnapshots collect() {
        Instant now = clock.instant();
        Set<String> running = Set.copyOf(streams.stream().map(HealthCheck.Stream::key).toList());
        List<StreamHealth> health = store.streamHealth().stream().filter(h -> running.contains(h.streamKey())).toList();
        List<MetricSnapshot> out = new ArrayList<>();
        out.add(gauge("cadet_stream_watermark_lag_seconds", "How far the stream's watermark is behind now.", health,
                h -> h.watermark() == null ? null : seconds(Duration.between(h.watermark(), now))));
        out.add(gauge("cadet_stream_last_success_timestamp_seconds", "When the stream last polled successfully (Unix time).",
                health, h -> h.lastSuccess() == null ? null : h.lastSuccess().toEpochMilli() / 1000.0));
        out.add(gauge("cadet_stream_consecutive_failures", "Failed polls in a row (0 after a success).", health,
                h -> (double) h.consecutiveFailures()));
        out.add(stopped());
        out.add(counter("cadet_stream_requests", "Remote calls made by the stream's polls.", health, StreamHealth::requests));
        out.add(counter("cadet_stream_throttles", "Remote calls the API throttled.", health, StreamHealth::throttles));
        out.add(counter("cadet_stream_events", "New events committed.", health, StreamHealth::events));
        out.add(counter("cadet_stream_rejected", "Records that could not be normalized (quarantined).", health, StreamHealth::rejected));
        out.add(gauge("cadet_stream_arrival_delay_p50_seconds", "Median of now minus event time when events arrived (last 1000).",
                health, h -> h.arrivalDelayP50Ms() == null ? null : h.arrivalDelayP50Ms() / 1000.0));
        out.add(gauge("cadet_stream_arrival_delay_p99_seconds", "99th percentile of the arrival delay (last 1000).",
                health, h -> h.arrivalDelayP99Ms() == null ? null : h.arrivalDelayP99Ms() / 1000.0));
        GaugeSnapshot.Builder depth = GaugeSnapshot.builder().name("cadet_output_outbox_depth")
                .help("Alerts in the outbox that the output has not sent yet.");
        for (Map.Entry<String, Long> e : store.outboxDepth(outputs).entrySet()) {
            depth.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("output", e.getKey())).value(e.getValue()).build());
        }
        out.add(depth.build());
        return new MetricSnapshots(out);
    }

    private GaugeSnapshot stopped() {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name("cadet_stream_stopped")
                .help("1 while a FATAL error keeps the stream stopped (re-checked every 15 minutes).");
        for (HealthCheck.Stream s : streams) {
            b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("stream", s.key()))
                    .value(s.stoppedBecause().get().isPresent() ? 1 : 0).build());
        }
        return b.build();
    }

    /** A gauge per stream; streams whose value is null (not known yet) are left out. */
    private static GaugeSnapshot gauge(String name, String help, List<StreamHealth> health, Function<StreamHealth, Double> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (StreamHealth h : health) {
            Double v = value.apply(h);
            if (v != null) {
                b.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("stream", h.streamKey())).value(v).build());
            }
        }
        return b.build();
    }

    /** {@code name} without {@code _total}: the text format adds it. */
    private static CounterSnapshot counter(String name, String help, List<StreamHealth> health, ToDoubleFunction<StreamHealth> value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        for (StreamHealth h : health) {
            b.dataPoint(CounterDataPointSnapshot.builder().labels(Labels.of("stream", h.streamKey()))
                    .value(value.applyAsDouble(h)).build());
        }
        return b.build();
    }

    private static double seconds(Duration d) {
        return d.toMillis() / 1000.0;
    }
}
