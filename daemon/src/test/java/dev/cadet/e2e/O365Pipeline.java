package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
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
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * The host's real pipeline for one {@code providers.o365} entry (content type Audit.AzureActiveDirectory),
 * built as the daemon builds it, with the real o365 plugin of the distribution talking to an
 * {@link ActivityFeedStandIn} (API on http://127.0.0.1, token endpoint on https://localhost trusted
 * through the entry's {@code ca_file}). Pipeline time is a {@link FakeClock} that starts at the real
 * time (the plugin checks blob expiry and clock skew against the real clock).
 */
final class O365Pipeline implements AutoCloseable {
    static final String TENANT = ActivityFeedStandIn.TENANT;
    static final String CONTENT_TYPE = "Audit.AzureActiveDirectory";
    static final String STREAM = "o365/" + TENANT + "/" + CONTENT_TYPE;
    static final String OUTPUT = "e2e";
    static final Duration SETTLE_LAG = Duration.ofMinutes(1);
    static final Duration RESCAN_OVERLAP = Duration.ofMinutes(30);
    static final Duration INITIAL_BACKFILL = Duration.ofHours(2);
    static final String CLIENT_SECRET = "o365-e2e-secret-never-shown-5e2a";
    private static final ObjectMapper JSON = new ObjectMapper();

    final FakeClock clock;
    final SqliteStore store;
    final StreamPoller poller;
    final StreamSpec stream;
    private final PluginRegistry plugins;
    private final ConfigCheck.Result checked;

    O365Pipeline(Path dir, ActivityFeedStandIn api) throws Exception {
        Path secret = dir.resolve("o365-secret");
        Files.writeString(secret, CLIENT_SECRET + "\n");
        String yaml = """
                store:
                  path: %s
                plugins:
                  dir: %s
                providers:
                  o365:
                    - name: e2e
                      tenant_id: %s
                      credentials:
                        client_secret: {client_id: %s, secret: "${file:%s}"}
                      content_types: [%s]
                      api_base_url: %s
                      authority_host: %s
                      ca_file: %s
                      settle_lag: 1m
                      rescan_overlap: 30m
                      initial_backfill: 2h
                """.formatted(dir.resolve("cadet.db"), AwsPipeline.distDir().resolve("plugins"), TENANT,
                ActivityFeedStandIn.CLIENT_ID, secret, CONTENT_TYPE, api.apiBaseUrl(), api.authorityHost(), api.caFile());
        CadetConfig config = new ConfigLoader(dir, new SecretReferences(Map.of())).parse(yaml, "e2e.yaml");
        assertEquals(List.of(), config.problems(), "config problems");
        plugins = PluginRegistry.load(config.pluginsDir());
        checked = ConfigCheck.check(config, plugins, output -> { });
        assertEquals(List.of(), checked.problems(), "config check problems");
        ConfigCheck.CheckedProvider o365 = checked.providers().get(0);
        stream = o365.entry().applyTo(o365.provider().streams().get(0));
        assertEquals(STREAM, stream.key());

        clock = new FakeClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        store = new SqliteStore(config.store().path().toString());
        DetectionEngine engine = new DetectionEngine(RuleSet.load(List.of(seedRuleDir(dir))), Duration.ofHours(1));
        engine.restore(store.loadSequenceState());
        AlertFactory alerts = new AlertFactory(engine);
        Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, new QuotaLimiters(clock, clock.sleeper()),
                clock, clock.sleeper(), AwsPipeline.FAST_RETRY, () -> false, () -> { });
        poller = new StreamPoller(stream, new ServerClock(o365.provider().source(), clock), plugins.factory("o365").normalizer(),
                pipeline);
    }

    /**
     * A rule directory holding only the shipped seed rule, from this source tree's conf/rules: the
     * distribution's conf comes from the shared Maven repository, where other branches' rule packs
     * may be newer than this daemon.
     */
    static Path seedRuleDir(Path dir) throws java.io.IOException {
        Path tree = AwsPipeline.distDir().toAbsolutePath().getParent().getParent().getParent();
        Path seed = tree.resolve("conf/rules/cloud-account-created.eql");
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.copy(seed, rules.resolve(seed.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return rules;
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

    /** An Audit.AzureActiveDirectory record as the API writes it (CreationTime without zone). */
    static String aadRecord(String id, String operation, Instant time, String actor, String target, String status) {
        ObjectNode r = JSON.createObjectNode();
        r.put("CreationTime", LocalDateTime.ofInstant(time.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC).toString());
        r.put("Id", id);
        r.put("Operation", operation);
        r.put("OrganizationId", TENANT);
        r.put("RecordType", 8);
        r.put("ResultStatus", status);
        r.put("UserKey", "10032000F2F9FD6B@contoso.onmicrosoft.com");
        r.put("UserType", 0);
        r.put("Version", 1);
        r.put("Workload", "AzureActiveDirectory");
        r.put("ClientIP", "203.0.113.9");
        r.put("ObjectId", target);
        r.put("UserId", actor);
        r.putArray("Actor").addObject().put("ID", actor).put("Type", 5);
        r.put("ActorContextId", TENANT);
        var targets = r.putArray("Target");
        targets.addObject().put("ID", "User_1b8e7b2a-6f4b-4d7e-9a53-2f7d1d3e8c11").put("Type", 2);
        targets.addObject().put("ID", target).put("Type", 5);
        r.put("TargetContextId", TENANT);
        return r.toString();
    }

    static String addUser(String id, Instant time, String actor, String target) {
        return aadRecord(id, "Add user.", time, actor, target, "Success");
    }

    /** The plugin's source with the test clock as the server's clock for window ends. */
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
