package dev.cadet.e2e;

import dev.cadet.provider.azure.fetch.GraphStandIn;
import dev.cadet.provider.azure.fetch.TestCertificate;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.RuleSet;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.poll.FakeClock;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.PollResult;
import dev.cadet.poll.QuotaLimiters;
import dev.cadet.poll.StreamPoller;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The host's real pipeline for one {@code providers.azure} entry, built as the daemon builds it (config
 * text, config check against the distribution's plugins, shipped rules, SQLite, detection engine, alert
 * factory, {@link StreamPoller}), with the azure plugin's real Graph SDK and azure-identity talking to a
 * {@link GraphStandIn}: Graph over HTTP, the token endpoint over HTTPS with a certificate made at test
 * time and trusted through the entry's {@code ca_certificates}. Time is a {@link FakeClock}, as in
 * {@link AwsPipeline}.
 */
final class AzurePipeline implements AutoCloseable {
    static final String TENANT = "6f1c2b9e-0d5a-4c51-9d8b-3a7e2f4c1b00";
    static final String APP = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
    static final String STREAM = "azure/" + TENANT;
    static final String OUTPUT = "e2e";
    static final String SECRET = "graph-e2e-secret-never-shown-71c3";
    static final Duration SETTLE_LAG = Duration.ofMinutes(1);
    static final Duration RESCAN_OVERLAP = Duration.ofMinutes(30);
    static final Duration INITIAL_BACKFILL = Duration.ofHours(2);

    final FakeClock clock;
    final SqliteStore store;
    final StreamPoller poller;
    final StreamSpec stream;
    private final PluginRegistry plugins;
    private final ConfigCheck.Result checked;

    AzurePipeline(Path dir, GraphStandIn graph, TestCertificate tls, Instant start) throws Exception {
        Path secret = dir.resolve("graph-secret");
        Files.writeString(secret, SECRET + "\n");
        String yaml = """
                store:
                  path: %s
                plugins:
                  dir: %s
                providers:
                  azure:
                    - name: e2e
                      tenant_id: %s
                      credentials:
                        client_secret: {client_id: %s, secret: "${file:%s}"}
                      authority_host: %s
                      graph_base_url: %s
                      ca_certificates: %s
                      settle_lag: 1m
                      rescan_overlap: 30m
                      max_window: 6h
                      initial_backfill: 2h
                """.formatted(dir.resolve("cadet.db"), AwsPipeline.distDir().resolve("plugins"), TENANT, APP, secret,
                graph.authorityHost(), graph.graphBaseUrl(), tls.pem());
        CadetConfig config = new ConfigLoader(dir, new SecretReferences(Map.of())).parse(yaml, "e2e.yaml");
        assertEquals(List.of(), config.problems(), "config problems");
        plugins = PluginRegistry.load(config.pluginsDir());
        checked = ConfigCheck.check(config, plugins, output -> { });
        assertEquals(List.of(), checked.problems(), "config check problems");
        ConfigCheck.CheckedProvider azure = checked.providers().get(0);
        stream = azure.entry().applyTo(azure.provider().streams().get(0));
        assertEquals(STREAM, stream.key());

        clock = new FakeClock(start);
        store = new SqliteStore(config.store().path().toString());
        DetectionEngine engine = new DetectionEngine(RuleSet.load(List.of(AwsPipeline.distDir().resolve("conf/rules"))),
                Duration.ofHours(1));
        engine.restore(store.loadSequenceState());
        AlertFactory alerts = new AlertFactory(engine);
        Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, new QuotaLimiters(clock, clock.sleeper()),
                clock, clock.sleeper(), AwsPipeline.FAST_RETRY, () -> false, () -> { });
        Normalizer normalizer = plugins.factory("azure").normalizer();
        poller = new StreamPoller(stream, new ServerClock(azure.provider().source(), clock), normalizer, pipeline);
    }

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
        return store.streamHealth().stream().filter(h -> h.streamKey().equals(STREAM)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        store.close();
        checked.close();
        plugins.close();
    }

    /** The plugin's source with the test clock as the server's clock; fetch is the plugin's own. */
    private record ServerClock(Source plugin, FakeClock clock) implements Source {
        @Override
        public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
            plugin.fetch(stream, window, context);
        }

        @Override
        public Instant serverNow(StreamSpec stream) {
            return clock.instant();
        }
    }
}
