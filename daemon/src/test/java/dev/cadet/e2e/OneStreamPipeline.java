package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.collector.StreamSpec;
import dev.cadet.config.ConfigCheck;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.Detector;
import dev.cadet.detect.RuleSet;
import dev.cadet.poll.FakeClock;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.PollResult;
import dev.cadet.poll.QuotaLimiters;
import dev.cadet.poll.RetryPolicy;
import dev.cadet.poll.StreamPoller;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The host's real pipeline for a provider entry with one stream, built the way the daemon builds it:
 * config text loaded and checked against the plugins of the built distribution ({@link CheckedConfig}),
 * a SQLite store in a temp file, the detection engine,
 * the alert factory and a {@link StreamPoller} over the plugin's real source. Subclasses give the
 * entry's config and the rules; the plugin talks to their stand-in.
 *
 * <p>Time is a {@link FakeClock}: the pipeline's clock, the quota pacing and the retry backoff all
 * move it instead of sleeping, and it stands for the server's clock too ({@link ServerClock}).
 */
abstract class OneStreamPipeline implements AutoCloseable {
    static final String OUTPUT = "e2e";
    /** The timing the subclasses' configs set: windows end 1m before now, re-scan 30m, first poll reads 2h. */
    static final Duration SETTLE_LAG = Duration.ofMinutes(1);
    static final Duration RESCAN_OVERLAP = Duration.ofMinutes(30);
    static final Duration INITIAL_BACKFILL = Duration.ofHours(2);
    static final RetryPolicy FAST_RETRY = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(4));

    final FakeClock clock;
    final SqliteStore store;
    final StreamPoller poller;
    final StreamSpec stream;
    private final CheckedConfig loaded;

    /**
     * @param dir       a temp directory: the store file goes there
     * @param providers the config's {@code providers:} section, one entry of {@code plugin}
     * @param plugin    the plugin id, e.g. "aws"
     * @param streamKey the one stream the entry declares
     * @param start     where the fake clock starts
     * @param ruleDirs  the rules the detection engine loads
     */
    OneStreamPipeline(Path dir, String providers, String plugin, String streamKey, Instant start, List<Path> ruleDirs)
            throws Exception {
        loaded = CheckedConfig.load(dir, providers);
        ConfigCheck.CheckedProvider entry = loaded.entry();
        stream = entry.entry().applyTo(entry.provider().streams().get(0));
        assertEquals(streamKey, stream.key());

        clock = new FakeClock(start);
        store = new SqliteStore(loaded.config().store().path().toString());
        DetectionEngine engine = new DetectionEngine(RuleSet.load(ruleDirs), Duration.ofHours(1));
        // as the daemon starts it: the store's sequence state, and the stream's watermark its partials settle by
        engine.restore(store.loadSequenceState(),
                List.of(new Detector.StreamWatermark(stream.key(), store.watermark(stream.key()).orElse(null))));
        AlertFactory alerts = new AlertFactory(engine);
        Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, new QuotaLimiters(clock, clock.sleeper()),
                clock, clock.sleeper(), FAST_RETRY, () -> false, () -> { });
        poller = new StreamPoller(stream, new ServerClock(entry.provider().source(), clock),
                loaded.plugins().factory(plugin).normalizer(), pipeline);
    }

    /** The built distribution the tests load plugins and shipped files from. */
    static Path distDir() {
        String d = System.getProperty("cadet.dist.dir");
        if (d == null) {
            throw new IllegalStateException("system property cadet.dist.dir is not set (run through Maven: it is target/cadet)");
        }
        return Path.of(d);
    }

    /** The end of the window a poll started now reads. */
    Instant windowEnd() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).minus(SETTLE_LAG);
    }

    PollResult poll() {
        return poller.pollOnce();
    }

    List<Store.OutboxEntry> outbox() {
        return store.pending(OUTPUT, 100_000);
    }

    Store.StreamHealth health() {
        return store.streamHealth().stream().filter(h -> h.streamKey().equals(stream.key())).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        store.close();
        loaded.close();
    }
}
