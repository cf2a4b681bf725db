package dev.cadet.config;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.StreamSpec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The daemon's configuration as read from {@code cadet.yaml} by {@link ConfigLoader}.
 *
 * <p>{@link #problems()} lists what is wrong in the file itself (syntax, unknown keys, bad values of
 * the daemon's own sections). The keys of provider entries belong to their plugins and the keys of
 * outputs to the forwarding code: their problems are known only after those have read them, which
 * {@link ConfigCheck} does. Use a config only when {@link ConfigCheck} found no problem.
 *
 * @param source    where the config came from (a file path or the embedded default), for messages
 * @param store     the {@code store:} section
 * @param detection the {@code detection:} section
 * @param pluginsDir {@code plugins.dir}: each sub-directory is one plugin
 * @param providers every entry under {@code providers:}, in file order
 * @param outputs   every entry under {@code outputs:}, unread: the forwarding code reads its keys
 * @param forwarder the {@code forwarder:} section
 * @param http      the {@code http:} section: the {@code /metrics} and {@code /health} listener
 * @param problems  problems found while reading the file, each {@code path: what is wrong}
 */
public record CadetConfig(
        String source,
        StoreSettings store,
        DetectionSettings detection,
        Path pluginsDir,
        List<ProviderEntry> providers,
        List<ProviderConfig> outputs,
        ForwarderSettings forwarder,
        HttpSettings http,
        List<String> problems) {

    public CadetConfig {
        providers = List.copyOf(providers);
        outputs = List.copyOf(outputs);
        problems = List.copyOf(problems);
    }

    /** SQLite durability: {@code PRAGMA synchronous}. */
    public enum Synchronous { NORMAL, FULL }

    /**
     * @param path      the SQLite file
     * @param retention how long seen record ids and sent alerts are kept
     */
    public record StoreSettings(Path path, Duration retention, Synchronous synchronous) {
    }

    /**
     * @param ruleDirs        directories of rule files, in order
     * @param allowedLateness how late an event may arrive and still join a sequence, for every rule without
     *                        its own {@code allowed_lateness}; empty: per rule from the streams it reads
     *                        ({@link dev.cadet.detect.AllowedLateness})
     * @param exceptionDirs   {@code exceptions}: directories of tuning files (exceptions and
     *                        suppression, {@link dev.cadet.detect.tuning.TuningFiles}); default none
     */
    public record DetectionSettings(List<Path> ruleDirs, Optional<Duration> allowedLateness, List<Path> exceptionDirs) {
        public DetectionSettings {
            ruleDirs = List.copyOf(ruleDirs);
            exceptionDirs = List.copyOf(exceptionDirs);
        }

        public DetectionSettings(List<Path> ruleDirs, Optional<Duration> allowedLateness) {
            this(ruleDirs, allowedLateness, List.of());
        }
    }

    /** @param batchSize how many alerts the forwarder sends before a flush */
    public record ForwarderSettings(int batchSize) {
    }

    /**
     * The HTTP listener serving {@code /metrics} (Prometheus text) and {@code /health}. Off unless
     * enabled; when on, it listens on loopback unless {@code listen} says otherwise.
     *
     * @param enabled                 {@code enabled}, default false
     * @param listen                  {@code listen}, an IP address and port, default 127.0.0.1:9464 (port 0: any free port)
     * @param unhealthyAfterFailures  {@code unhealthy_after_failures}: this many failed polls in a row make a stream unhealthy, default 3
     * @param unhealthyAfterSchedules {@code unhealthy_after_schedules}: no success for this many times the stream's
     *                                schedule makes it unhealthy, default 5
     */
    public record HttpSettings(boolean enabled, InetSocketAddress listen, int unhealthyAfterFailures,
                               int unhealthyAfterSchedules) {
        public static final HttpSettings OFF = new HttpSettings(false,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 9464), 3, 5);
    }

    /**
     * One entry under {@code providers.<pluginId>}. The common keys are read here; every other key is
     * for the plugin, which reads it from {@link #config()} in its {@code create}. The overrides, when
     * present, replace the provider's defaults in each of its {@link StreamSpec}s ({@link #applyTo}).
     *
     * @param pluginId  the key under {@code providers:}, i.e. the {@code ProviderFactory.id()} that serves it
     * @param index     position in that list
     * @param name      {@code name}, default {@code <pluginId>[<index>]}; unique in the config
     * @param enabled   {@code enabled}, default true
     * @param schedule  {@code schedule}: how often the streams are polled, default 1m
     * @param config    the whole entry, path {@code providers.<pluginId>[<index>]}, common keys already read
     */
    public record ProviderEntry(
            String pluginId,
            int index,
            String name,
            boolean enabled,
            Duration schedule,
            Optional<Duration> settleLag,
            Optional<Duration> rescanOverlap,
            Optional<Duration> maxWindow,
            Optional<Duration> initialBackfill,
            ProviderConfig config) {

        /** The stream with this entry's timing overrides applied. */
        public StreamSpec applyTo(StreamSpec stream) {
            return stream.withTiming(
                    settleLag.orElse(stream.settleLag()),
                    rescanOverlap.orElse(stream.rescanOverlap()),
                    maxWindow.orElse(stream.maxWindow()),
                    initialBackfill.orElse(stream.initialBackfill()));
        }
    }
}
