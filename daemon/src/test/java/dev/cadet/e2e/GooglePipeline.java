package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.config.ConfigCheck;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.RuleSet;
import dev.cadet.poll.FakeClock;
import dev.cadet.poll.Pipeline;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's real pipeline for one {@code providers.gcp} entry (a Workspace {@code admin} stream and a
 * Cloud Logging project stream), built as the daemon builds it: config text through
 * {@link ConfigLoader} and {@link ConfigCheck} against the distribution's plugins, SQLite in a temp
 * file, the detection engine with the distribution's rules ({@code conf/rules}) plus {@link #TEST_RULES}
 * (the test's own minimal queries, so the test does not depend on the rule pack), the alert factory,
 * and one {@link StreamPoller} per stream sharing one {@link Pipeline}. The gcp plugin's real HTTP
 * client and google-auth talk to a {@link GoogleApisStandIn}. Time is a {@link FakeClock}, also standing
 * for the server's clock.
 */
final class GooglePipeline implements AutoCloseable {
    static final String PROJECT = "proj-e2e";
    static final String CUSTOMER = "C0e2e42";
    static final String GWS = "gws/" + CUSTOMER + "/admin";
    static final String GCP = "gcp/projects/" + PROJECT;
    static final String OUTPUT = "e2e";
    static final Duration SETTLE_LAG = Duration.ofMinutes(1);
    static final Duration RESCAN_OVERLAP = Duration.ofMinutes(30);
    static final Duration INITIAL_BACKFILL = Duration.ofHours(2);
    static final RetryPolicy FAST_RETRY = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(4));

    /** The test's own rules: what the emitted fields must let a rule express. */
    static final Map<String, String> TEST_RULES = Map.of(
            "e2e-gws-user-created", "any where event.dataset == \"google_workspace.admin\" and event.action == \"CREATE_USER\"",
            "e2e-gws-created-then-admin", """
                    sequence by cloud.account.id, user.target.name with maxspan=1h
                      [any where event.dataset == "google_workspace.admin" and event.action == "CREATE_USER"]
                      [any where event.dataset == "google_workspace.admin" and event.action in ("ASSIGN_ROLE", "GRANT_ADMIN_PRIVILEGE")]
                    """,
            "e2e-gcp-sa-created", "any where event.dataset == \"gcp.audit\" and event.action == \"CreateServiceAccount\" and event.outcome == \"success\"",
            "e2e-gcp-sa-created-then-key", """
                    sequence by cloud.account.id, user.target.name with maxspan=1h
                      [any where event.dataset == "gcp.audit" and event.action == "CreateServiceAccount" and event.outcome == "success"]
                      [any where event.dataset == "gcp.audit" and event.action == "CreateServiceAccountKey" and event.outcome == "success"]
                    """);

    final FakeClock clock;
    final SqliteStore store;
    final RuleSet rules;
    final Map<String, StreamPoller> pollers = new LinkedHashMap<>();
    private final CheckedConfig loaded;

    GooglePipeline(Path dir, GoogleApisStandIn google, Instant start) throws Exception {
        Path key = dir.resolve("gcp-key.json");
        Files.writeString(key, google.keyJson());
        Path testRules = Files.createDirectories(dir.resolve("test-rules"));
        for (Map.Entry<String, String> r : TEST_RULES.entrySet()) {
            Files.writeString(testRules.resolve(r.getKey() + ".eql"), r.getValue());
        }
        loaded = CheckedConfig.load(dir, """
                providers:
                  gcp:
                    - name: e2e
                      credentials_json: ${file:%s}
                      subject: admin@example.org
                      token_uri: %s/token
                      reports_root_url: %s
                      logging_root_url: %s
                      workspace:
                        customer_id: %s
                        applications: [admin]
                      cloud_logging:
                        resources: [projects/%s]
                      settle_lag: 1m
                      rescan_overlap: 30m
                      max_window: 6h
                      initial_backfill: 2h
                """.formatted(key, google.baseUrl(), google.baseUrl(), google.baseUrl(), CUSTOMER, PROJECT));
        ConfigCheck.CheckedProvider gcp = loaded.entry();

        clock = new FakeClock(start);
        store = new SqliteStore(loaded.config().store().path().toString());
        rules = RuleSet.load(List.of(AwsPipeline.distDir().resolve("conf/rules"), testRules));
        DetectionEngine engine = new DetectionEngine(rules, Duration.ofHours(1));
        engine.restore(store.loadSequenceState());
        AlertFactory alerts = new AlertFactory(engine);
        Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, new QuotaLimiters(clock, clock.sleeper()),
                clock, clock.sleeper(), FAST_RETRY, () -> false, () -> { });
        Normalizer normalizer = loaded.plugins().factory("gcp").normalizer();
        Source source = new ServerClock(gcp.provider().source(), clock);
        for (StreamSpec s : gcp.provider().streams()) {
            StreamSpec stream = gcp.entry().applyTo(s);
            pollers.put(stream.key(), new StreamPoller(stream, source, normalizer, pipeline));
        }
        assertEquals(List.of(GWS, GCP), List.copyOf(pollers.keySet()));
    }

    Instant windowEnd() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS).minus(SETTLE_LAG);
    }

    dev.cadet.poll.PollResult poll(String stream) {
        return pollers.get(stream).pollOnce();
    }

    List<Store.OutboxEntry> outbox() {
        return store.pending(OUTPUT, 100_000);
    }

    List<Store.OutboxEntry> outbox(String ruleId) {
        return outbox().stream().filter(e -> e.alert().ruleId().equals(ruleId)).toList();
    }

    boolean hasRule(String id) {
        return rules.rules().stream().anyMatch(r -> r.id().equals(id));
    }

    Store.StreamHealth health(String stream) {
        return store.streamHealth().stream().filter(h -> h.streamKey().equals(stream)).findFirst().orElseThrow();
    }

    @Override
    public void close() {
        store.close();
        loaded.close();
    }
}
