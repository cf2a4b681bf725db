package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import dev.cadet.poll.RetryPolicy;
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
 * The host's real pipeline for one {@code providers.aws} entry, built the way the daemon builds it:
 * config text through {@link ConfigLoader} and {@link ConfigCheck} against the plugins of the built
 * distribution ({@code cadet.dist.dir}/plugins), the shipped rules ({@code cadet.dist.dir}/conf/rules),
 * a SQLite store in a temp file, the detection engine, the alert factory and a {@link StreamPoller}.
 * The AWS plugin's real SDK client talks to a {@link LookupEventsStandIn}.
 *
 * <p>Time is a {@link FakeClock}: the pipeline's clock, the quota pacing and the retry backoff all
 * move it instead of sleeping, and it stands for the server's clock too (the CloudTrail source does
 * not measure skew, so its {@code serverNow} is plain "now"), so every window is known in advance.
 */
final class AwsPipeline implements AutoCloseable {
    static final String ACCOUNT = "111122223333";
    static final String STREAM = "aws/" + ACCOUNT + "/us-east-1";
    static final String RULE = "cloud-account-created";
    static final String OUTPUT = "e2e";
    /** The timing this test config sets: windows end 1m before now, re-scan 30m, first poll reads 2h. */
    static final Duration SETTLE_LAG = Duration.ofMinutes(1);
    static final Duration RESCAN_OVERLAP = Duration.ofMinutes(30);
    static final Duration INITIAL_BACKFILL = Duration.ofHours(2);
    static final RetryPolicy FAST_RETRY = new RetryPolicy(3, Duration.ofMillis(1), Duration.ofMillis(4));
    static final String ACCESS_KEY_ID = "AKIDE2ESTANDIN00001";
    static final String SECRET_ACCESS_KEY = "e2e-secret-never-shown-8c1d";

    private static final ObjectMapper JSON = new ObjectMapper();

    final FakeClock clock;
    final SqliteStore store;
    final StreamPoller poller;
    final StreamSpec stream;
    private final PluginRegistry plugins;
    private final ConfigCheck.Result checked;

    /** @param dir a temp directory: the store file and the secret files go there */
    AwsPipeline(Path dir, LookupEventsStandIn cloudTrail, Instant start) throws Exception {
        Path keyId = dir.resolve("aws-key-id");
        Path secret = dir.resolve("aws-secret");
        Files.writeString(keyId, ACCESS_KEY_ID + "\n");
        Files.writeString(secret, SECRET_ACCESS_KEY + "\n");
        String yaml = """
                store:
                  path: %s
                plugins:
                  dir: %s
                providers:
                  aws:
                    - name: e2e
                      accounts: [{id: "%s"}]
                      regions: [us-east-1]
                      endpoint: %s
                      credentials:
                        static:
                          access_key_id: ${file:%s}
                          secret_access_key: ${file:%s}
                      settle_lag: 1m
                      rescan_overlap: 30m
                      max_window: 6h
                      initial_backfill: 2h
                """.formatted(dir.resolve("cadet.db"), distDir().resolve("plugins"), ACCOUNT, cloudTrail.endpoint(),
                keyId, secret);
        CadetConfig config = new ConfigLoader(dir, new SecretReferences(Map.of())).parse(yaml, "e2e.yaml");
        assertEquals(List.of(), config.problems(), "config problems");
        plugins = PluginRegistry.load(config.pluginsDir());
        checked = ConfigCheck.check(config, plugins, output -> { });
        assertEquals(List.of(), checked.problems(), "config check problems");
        ConfigCheck.CheckedProvider aws = checked.providers().get(0);
        stream = aws.entry().applyTo(aws.provider().streams().get(0));
        assertEquals(STREAM, stream.key());

        clock = new FakeClock(start);
        store = new SqliteStore(config.store().path().toString());
        DetectionEngine engine = new DetectionEngine(RuleSet.load(List.of(distDir().resolve("conf/rules"))), Duration.ofHours(1));
        engine.restore(store.loadSequenceState());
        AlertFactory alerts = new AlertFactory(engine);
        Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, new QuotaLimiters(clock, clock.sleeper()),
                clock, clock.sleeper(), FAST_RETRY, () -> false, () -> { });
        Normalizer normalizer = plugins.factory("aws").normalizer();
        poller = new StreamPoller(stream, new ServerClock(aws.provider().source(), clock), normalizer, pipeline);
    }

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
        return store.streamHealth().stream().filter(h -> h.streamKey().equals(STREAM)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        store.close();
        checked.close();
        plugins.close();
    }

    /** A CloudTrail IAM record by IAM user {@code actor} on {@code target}, as LookupEvents embeds it. */
    static LookupEventsStandIn.TrailEvent iamEvent(String id, String name, Instant time, String actor, String target,
                                                   String errorCode) {
        ObjectNode r = JSON.createObjectNode();
        r.put("eventVersion", "1.09");
        r.putObject("userIdentity").put("type", "IAMUser").put("principalId", "AIDA" + actor.hashCode())
                .put("arn", "arn:aws:iam::" + ACCOUNT + ":user/" + actor).put("accountId", ACCOUNT).put("userName", actor);
        r.put("eventTime", time.toString());
        r.put("eventSource", "iam.amazonaws.com");
        r.put("eventName", name);
        r.put("awsRegion", "us-east-1");
        r.put("sourceIPAddress", "198.51.100.7");
        r.put("userAgent", "aws-cli/2.15.0");
        r.putObject("requestParameters").put("userName", target);
        if (errorCode != null) {
            r.put("errorCode", errorCode);
            r.put("errorMessage", "failed");
            r.putNull("responseElements");
        } else {
            r.putObject("responseElements").putObject("user").put("userName", target).put("userId", "AIDA" + id.hashCode());
        }
        r.put("eventID", id);
        r.put("eventType", "AwsApiCall");
        r.put("recipientAccountId", ACCOUNT);
        return new LookupEventsStandIn.TrailEvent(id, name, "iam.amazonaws.com", time, r.toString());
    }

    static LookupEventsStandIn.TrailEvent createUser(String id, Instant time, String actor, String target) {
        return iamEvent(id, "CreateUser", time, actor, target, null);
    }

    /**
     * The plugin's source with the test clock as the server's clock: fetch is the plugin's own,
     * untouched; only {@link Source#serverNow} (the SPI default, {@code Instant.now()}) is replaced.
     */
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
