package dev.cadet.daemon;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.cadet.collector.StreamSpec;
import dev.cadet.config.CadetConfig;
import dev.cadet.detect.AllowedLateness;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.Detector;
import dev.cadet.detect.RuleSet;
import dev.cadet.detect.Tuning;
import dev.cadet.detect.tuning.TuningFiles;
import dev.cadet.forward.Forwarder;
import dev.cadet.forward.Output;
import dev.cadet.forward.Outputs;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.QuotaLimiters;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's singletons, wired once at start: the store, the rules and the engine, the outputs
 * and the forwarder, the shared quota limiters and the pipeline every stream poller runs through.
 * Plugin classes never enter this graph: providers are built by their factories from config.
 */
final class DaemonModule extends AbstractModule {
    private static final Logger LOG = LoggerFactory.getLogger(DaemonModule.class);
    private final CadetConfig config;
    private final PluginRegistry plugins;
    private final RuleSet rules;
    private final AtomicBoolean stopping;
    private final AllowedLateness allowedLateness;
    private final List<String> streamKeys;

    /**
     * @param rules   loaded before the injector, so that rule errors reach the operator as they are
     * @param streams every enabled stream (operator overrides applied): a record can arrive as late as
     *                its stream's re-scan overlap and still be read, so by default a rule's sequences
     *                wait as long for it ({@link AllowedLateness})
     */
    DaemonModule(CadetConfig config, PluginRegistry plugins, RuleSet rules, AtomicBoolean stopping,
                 List<StreamSpec> streams) {
        this.config = config;
        this.plugins = plugins;
        this.rules = rules;
        this.stopping = stopping;
        this.allowedLateness = allowedLateness(config, rules, streams);
        this.streamKeys = streams.stream().map(StreamSpec::key).toList();
        for (String line : allowedLateness.summary(rules, 5)) {
            LOG.info("sequences accept events up to {}", line);
        }
    }

    /** The per-rule allowed lateness from the rules, {@code detection.allowed_lateness} and the streams. */
    static AllowedLateness allowedLateness(CadetConfig config, RuleSet rules, List<StreamSpec> streams) {
        return AllowedLateness.resolve(rules, config.detection().allowedLateness(), streams);
    }

    @Override
    protected void configure() {
        bind(CadetConfig.class).toInstance(config);
        bind(PluginRegistry.class).toInstance(plugins);
        bind(RuleSet.class).toInstance(rules);
        bind(Detector.class).to(DetectionEngine.class);
    }

    @Provides
    @Singleton
    Store store() {
        CadetConfig.StoreSettings s = config.store();
        return new SqliteStore(s.path().toString(),
                new SqliteStore.Options(s.synchronous() == CadetConfig.Synchronous.FULL, true, 5000));
    }

    @Provides
    @Singleton
    DetectionEngine engine(RuleSet rules, Store store) {
        DetectionEngine engine = new DetectionEngine(rules, allowedLateness::of);
        // each stream's partial sequences settle by its own watermark: the engine starts from the store's
        engine.restore(store.loadSequenceState(), streamKeys.stream()
                .map(k -> new Detector.StreamWatermark(k, store.watermark(k).orElse(null))).toList());
        return engine;
    }

    /** Exceptions and suppression from {@code detection.exceptions}, with the windows the store kept. */
    @Provides
    @Singleton
    Tuning tuning(Store store) {
        TuningFiles files = TuningFiles.load(config.detection().exceptionDirs(), Instant.now());
        if (!files.problems().isEmpty()) {
            // ConfigCheck reported these before start; a file changed in between
            throw new IllegalStateException("tuning files: " + String.join("; ", files.problems()));
        }
        files.warnings().forEach(w -> LOG.warn("exceptions: {}", w));
        LOG.info("tuning: {} exceptions, {} suppressions", files.exceptions().size(), files.suppressions().size());
        Tuning tuning = new Tuning(files, Clock.systemUTC());
        tuning.restore(store.loadSuppressions());
        return tuning;
    }

    @Provides
    @Singleton
    AlertFactory alertFactory(DetectionEngine engine) {
        return new AlertFactory(engine);
    }

    @Provides
    @Singleton
    List<Output> outputs() {
        return Outputs.fromConfig(config.outputs());
    }

    @Provides
    @Singleton
    Forwarder forwarder(Store store, List<Output> outputs) {
        Forwarder.Settings d = Forwarder.Settings.defaults();
        return new Forwarder(store, outputs,
                new Forwarder.Settings(config.forwarder().batchSize(), d.idlePoll(), d.initialBackoff(), d.maxBackoff()));
    }

    @Provides
    @Singleton
    QuotaLimiters quotas() {
        return new QuotaLimiters();
    }

    @Provides
    @Singleton
    Pipeline pipeline(Store store, Detector detector, AlertFactory alerts, Tuning tuning, QuotaLimiters quotas,
                      Forwarder forwarder) {
        return new Pipeline(store, detector, alerts::toAlert, tuning, quotas, stopping::get, forwarder::wakeUp);
    }
}
