package dev.cadet.daemon;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.StreamSpec;
import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck.CheckedProvider;
import dev.cadet.detect.RuleSet;
import dev.cadet.forward.Forwarder;
import dev.cadet.forward.Output;
import dev.cadet.http.HealthCheck;
import dev.cadet.http.HttpEndpoint;
import dev.cadet.http.StoreMetrics;
import dev.cadet.plugin.PluginLoadException;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.StreamPoller;
import dev.cadet.progress.BackfillProgress;
import dev.cadet.progress.ProgressLine;
import dev.cadet.schedule.PollScheduler;
import dev.cadet.store.Store;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running daemon: a scheduled poller per stream, the forwarder, and housekeeping. Built from a
 * config that {@link dev.cadet.config.ConfigCheck} found without problems.
 *
 * <p>Stopping (SIGTERM): no new window starts; a window being read is abandoned without committing
 * (it is read again at the next start); the outbox is flushed to every output within a deadline;
 * the store is closed.
 *
 * <p>With {@code http.enabled}, an {@link HttpEndpoint} serves {@code /metrics} and {@code /health}
 * from the store while the daemon runs. On a terminal, a first-start backfill draws a progress line.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** How long a stop waits for outputs to take what is in the outbox. */
    static final Duration DRAIN_DEADLINE = Duration.ofSeconds(10);
    private static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final AtomicBoolean stopping = new AtomicBoolean();
    /** Held by {@link #start()} and {@link #close()}: a stop never runs in the middle of a start. */
    private final Object lifecycle = new Object();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CadetConfig config;
    private final PluginRegistry plugins;
    private final List<CheckedProvider> providers;
    private final Store store;
    private final Forwarder forwarder;
    private final List<Output> outputs;
    private final PollScheduler scheduler;
    private final ScheduledExecutorService housekeeping;
    private final List<HealthCheck.Stream> watched = new ArrayList<>();
    private final int ruleCount;
    private boolean started; // guarded by lifecycle
    private volatile HttpEndpoint http;

    private Daemon(CadetConfig config, PluginRegistry plugins, List<CheckedProvider> providers, RuleSet rules) {
        this.config = config;
        this.plugins = plugins;
        this.providers = providers;
        this.ruleCount = rules.rules().size();
        List<StreamSpec> enabledStreams = providers.stream().filter(p -> p.entry().enabled())
                .flatMap(p -> p.provider().streams().stream().map(s -> p.entry().applyTo(s))).toList();
        Injector injector = Guice.createInjector(new DaemonModule(config, plugins, rules, stopping, enabledStreams));
        this.store = injector.getInstance(Store.class);
        this.forwarder = injector.getInstance(Forwarder.class);
        this.outputs = injector.getInstance(com.google.inject.Key.get(new com.google.inject.TypeLiteral<List<Output>>() { }));
        Pipeline pipeline = injector.getInstance(Pipeline.class);

        List<PollScheduler.ScheduledStream> streams = new ArrayList<>();
        BackfillProgress backfill = new BackfillProgress(ProgressLine.onTerminal());
        for (CheckedProvider p : providers) {
            if (!p.entry().enabled()) {
                LOG.info("{}: disabled in the config", p.entry().config().path());
                continue;
            }
            Function<RawRecord, Normalizer> normalizers = normalizersFor(p);
            for (StreamSpec s : p.provider().streams()) {
                StreamSpec spec = p.entry().applyTo(s);
                StreamPoller poller = new StreamPoller(spec, p.provider().source(), normalizers, pipeline);
                poller.reportBackfillTo(backfill);
                streams.add(new PollScheduler.ScheduledStream(poller, p.entry().schedule()));
                watched.add(new HealthCheck.Stream(spec.key(), p.entry().schedule(), poller::stoppedBecause));
                LOG.info("stream {}: every {}, settle lag {}, re-scan overlap {}", spec.key(), p.entry().schedule(),
                        spec.settleLag(), spec.rescanOverlap());
            }
        }
        this.scheduler = new PollScheduler(streams, PollScheduler.Settings.DEFAULTS);
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "cadet-housekeeping");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Builds the daemon (opens the store, sets up the streams and outputs) without starting anything:
     * register {@link #close()} as the shutdown hook, then call {@link #start()}. The rules must have
     * loaded; the providers come from the config check.
     */
    public static Daemon create(CadetConfig config, PluginRegistry plugins, List<CheckedProvider> providers, RuleSet rules) {
        return new Daemon(config, plugins, providers, rules);
    }

    /** {@link #create} then {@link #start()}. */
    public static Daemon start(CadetConfig config, PluginRegistry plugins, List<CheckedProvider> providers, RuleSet rules) {
        Daemon d = create(config, plugins, providers, rules);
        d.start();
        return d;
    }

    /**
     * Starts serving, forwarding and polling. Does nothing once {@link #close()} has begun, so a stop
     * that comes in while starting (SIGTERM) is never undone; a stop during the start waits for it and
     * then stops what was started.
     *
     * @throws RuntimeException when the HTTP endpoint cannot start; the daemon is then closed
     */
    public void start() {
        synchronized (lifecycle) {
            if (stopping.get()) {
                LOG.info("cadet not started: stopping");
                return;
            }
            if (config.http().enabled()) {
                CadetConfig.HttpSettings h = config.http();
                Clock clock = Clock.systemUTC();
                try {
                    http = HttpEndpoint.start(h.listen(),
                            new StoreMetrics(store, watched, outputs.stream().map(Output::name).toList(), clock),
                            new HealthCheck(store, watched, h.unhealthyAfterFailures(), h.unhealthyAfterSchedules(), clock));
                } catch (RuntimeException e) {
                    close();
                    throw e;
                }
            }
            started = true;
            forwarder.start();
            scheduler.start();
            housekeeping.scheduleWithFixedDelay(this::prune, 0, PRUNE_EVERY.toMinutes(), TimeUnit.MINUTES);
        }
        LOG.info("cadet started: {} rules, {} streams, {} outputs, store {}", ruleCount, watched.size(),
                outputs.size(), config.store().path());
    }

    private Function<RawRecord, Normalizer> normalizersFor(CheckedProvider p) {
        if (p.provider().routesByShape()) {
            return record -> plugins.route(record).orElse(null);
        }
        try {
            Normalizer own = plugins.factory(p.entry().pluginId()).normalizer();
            return record -> own;
        } catch (PluginLoadException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private void prune() {
        try {
            Instant cutoff = Instant.now().minus(config.store().retention());
            store.prune(cutoff, outputs.stream().map(Output::name).toList());
        } catch (RuntimeException e) {
            LOG.warn("pruning the store failed (will try again in {}): {}", PRUNE_EVERY, e.getMessage());
        }
    }

    /** Where {@code /metrics} and {@code /health} are served, when {@code http.enabled}. */
    public Optional<InetSocketAddress> httpAddress() {
        HttpEndpoint h = http;
        return h == null ? Optional.empty() : Optional.of(h.address());
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitStop() throws InterruptedException {
        stopped.await();
    }

    @Override
    public void close() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        synchronized (lifecycle) {
            stop();
        }
    }

    private void stop() {
        LOG.info("cadet stopping");
        try {
            if (http != null) {
                http.close();
            }
            housekeeping.shutdownNow();
            scheduler.shutdown(true);
            // never started (stopped while starting): nothing was sent, so nothing to wait for or warn about
            if (!forwarder.drain(started ? DRAIN_DEADLINE : Duration.ZERO) && started) {
                LOG.warn("some alerts were not delivered before the stop deadline; they stay in the outbox for the next start");
            }
            store.close();
            for (CheckedProvider p : providers) {
                p.provider().close();
            }
            // The plugins' class loaders stay open: a client's background thread (OkHttp's TaskRunner in
            // the Microsoft plugins) may still load classes after its client was closed, and the
            // process ends right after this anyway.
        } finally {
            LOG.info("cadet stopped");
            stopped.countDown();
        }
    }
}
