package dev.cadet.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.StreamSpec;
import dev.cadet.config.SecretReferences;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.RuleSet;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.PollResult;
import dev.cadet.poll.QuotaLimiters;
import dev.cadet.poll.StreamPoller;
import dev.cadet.store.SqliteStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Benchmark B: a backfill of {@code --hours} through the real host pipeline (the AWS plugin loaded
 * from the distribution, configured with static base keys given as {@code ${file:...}} references
 * and a role to assume per account; a {@link StreamPoller} per (account, region) stream sharing one
 * {@link QuotaLimiters}, the {@link Pipeline}, a {@link SqliteStore} file and the shipped rules),
 * the streams run on a pool of {@code --threads} threads as the scheduler would, against
 * {@link LookupEventsStandIn}, which throttles any request closer than 500 ms (less 5 ms) to the
 * previous one of its account.
 *
 * <p>Figures, per stream: <b>pacing share</b> = (accepted requests - 1) / (2/s x time from its first
 * to its last accepted request), i.e. how close the spacing is to the quota while requests flow (a
 * strict 2/s limiter admits at most 1 + 2T requests in T seconds); <b>wall share</b> = accepted requests
 * / (1 + 2/s x the stream's poll wall time), which also charges credential set-up, parsing and store
 * commits to the stream. Overall: the wall share summed over streams, and the whole run's requests/s
 * against 2/s x min(threads, streams), the most that can run at once. Goal: at least 95 %, 0 throttled.
 *
 * <pre>--dist DIR --accounts N --hours H --events-per-hour E --threads T --work DIR --out FILE</pre>
 */
public final class BackfillBench {
    private static final double QUOTA = 2.0;

    private BackfillBench() {
    }

    private record StreamRun(String key, PollResult result, Thread thread, long startNanos, long endNanos) {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        Path dist = args.path("dist");
        int accounts = args.integer("accounts", 50);
        int hours = args.integer("hours", 24);
        int eventsPerHour = args.integer("events-per-hour", 75);
        int threads = args.integer("threads", 8);
        Path work = args.path("work");
        Files.createDirectories(work);

        Duration backfill = Duration.ofHours(hours);
        Instant origin = Instant.now().minus(backfill).minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
        Report r = new Report();
        try (LookupEventsStandIn standIn = new LookupEventsStandIn(origin, Duration.ofMillis(3_600_000L / eventsPerHour));
             PluginRegistry plugins = PluginRegistry.load(dist.resolve("plugins"))) {
            ProviderFactory aws = plugins.factory("aws");
            ProviderConfig config = new ProviderConfig("providers.aws[0]", awsConfig(work, accounts, standIn), SecretReferences.fromSystem());
            Provider provider = aws.create(config);
            if (provider == null || !config.problems().isEmpty()) {
                throw new IllegalStateException("the aws provider refused the bench config: " + config.problems());
            }
            RuleSet rules = RuleSet.load(List.of(dist.resolve("conf/rules")));
            Path db = work.resolve("state.db");
            try (provider; SqliteStore store = new SqliteStore(db.toString())) {
                DetectionEngine engine = new DetectionEngine(rules, Duration.ofHours(1));
                engine.restore(store.loadSequenceState());
                AlertFactory alerts = new AlertFactory(engine);
                // the real sleeper, timed: when each permit was handed out
                TimedSleeper permits = new TimedSleeper();
                Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, new QuotaLimiters(Clock.systemUTC(), permits), () -> false, () -> { });
                Normalizer normalizer = aws.normalizer();
                List<StreamPoller> pollers = new ArrayList<>();
                for (StreamSpec s : provider.streams()) {
                    StreamSpec spec = s.withTiming(s.settleLag(), s.rescanOverlap(), s.maxWindow(), backfill);
                    pollers.add(new StreamPoller(spec, provider.source(), normalizer, pipeline));
                }
                StreamSpec first = provider.streams().get(0);
                Report.say("B. backfill of %d h for %d account(s), %d stream(s) on %d threads; %d events/h per account, "
                                + "windows of %s, settle lag %s; stand-in throttles requests < %d ms apart (500 ms less %d ms tolerance)",
                        hours, accounts, pollers.size(), threads, eventsPerHour, first.maxWindow(), first.settleLag(),
                        LookupEventsStandIn.MIN_SPACING.minus(LookupEventsStandIn.TOLERANCE).toMillis(),
                        LookupEventsStandIn.TOLERANCE.toMillis());

                ExecutorService pool = Executors.newFixedThreadPool(threads);
                long t0 = System.nanoTime();
                List<Future<StreamRun>> runs = new ArrayList<>();
                for (StreamPoller p : pollers) {
                    runs.add(pool.submit(() -> {
                        long s = System.nanoTime();
                        PollResult result = p.pollOnce();
                        return new StreamRun(p.streamKey(), result, Thread.currentThread(), s, System.nanoTime());
                    }));
                }
                List<StreamRun> done = new ArrayList<>();
                for (Future<StreamRun> f : runs) {
                    done.add(f.get());
                }
                long wallNanos = System.nanoTime() - t0;
                pool.shutdown();

                figures(r, done, standIn, store, first, backfill, wallNanos, threads);
                delays(r, done, standIn, permits);
                r.figures.put("accounts", accounts);
                r.figures.put("hours", hours);
                r.figures.put("events_per_hour", eventsPerHour);
                r.figures.put("threads", threads);
                r.figures.put("assume_role_calls", standIn.assumeRoleCalls());
                r.figures.put("stand_in_bad_requests", standIn.badRequests());
            }
        }
        r.save(args.path("out"));
        Files.deleteIfExists(work.resolve("state.db"));
        Files.deleteIfExists(work.resolve("state.db-wal"));
        Files.deleteIfExists(work.resolve("state.db-shm"));
        boolean ok = r.figures.path("all_polled").asBoolean() && r.figures.path("events_complete").asBoolean();
        if (!ok) {
            Report.say("   FAILED: not every stream read its whole backfill");
            System.exit(1);
        }
    }

    /**
     * Where the spacing between two arrivals goes: for each request, timer lateness (the quota's
     * sleep ended after its slot) and send delay (from the permit to the stand-in reading the
     * request: SDK marshalling, signing, credentials on first use, HTTP, the stand-in's dispatch).
     * Arrival gap = 500 ms + (send delay + lateness of this request) - (the same of the previous one).
     */
    private static void delays(Report r, List<StreamRun> runs, LookupEventsStandIn standIn, TimedSleeper permits) {
        List<Double> lateness = new ArrayList<>();
        List<Double> sendFirst = new ArrayList<>();
        List<Double> sendLater = new ArrayList<>();
        int unmatched = 0;
        Map<String, LookupEventsStandIn.Quota> quotas = standIn.quotas();
        for (StreamRun run : runs) {
            String[] key = run.key().split("/");
            LookupEventsStandIn.Quota q = quotas.get(key[1] + "/" + key[2]);
            List<Long> arrivals = q == null ? List.of() : q.arrivals();
            List<TimedSleeper.Wait> waits = permits.of(run.thread(), run.startNanos(), run.endNanos());
            if (arrivals.size() != waits.size()) {
                unmatched++;
                continue;
            }
            for (int i = 0; i < waits.size(); i++) {
                TimedSleeper.Wait w = waits.get(i);
                lateness.add((w.wokeNanos() - w.dueNanos()) / 1e6);
                (i == 0 ? sendFirst : sendLater).add((arrivals.get(i) - w.wokeNanos()) / 1e6);
            }
        }
        ObjectNode d = r.figures.putObject("delays_ms");
        d.put("streams_unmatched", unmatched);
        summary(d.putObject("timer_lateness"), lateness);
        summary(d.putObject("send_delay_first_request"), sendFirst);
        summary(d.putObject("send_delay_later_requests"), sendLater);
        Report.say("   timer lateness ms %s; send delay ms, first request of a stream %s, later requests %s%s",
                d.get("timer_lateness"), d.get("send_delay_first_request"), d.get("send_delay_later_requests"),
                unmatched == 0 ? "" : " (" + unmatched + " streams not matched)");
    }

    private static void summary(ObjectNode out, List<Double> values) {
        List<Double> v = values.stream().sorted().toList();
        if (v.isEmpty()) {
            return;
        }
        out.put("p50", Report.round(v.get(v.size() / 2), 2));
        out.put("p99", Report.round(v.get(Math.min(v.size() - 1, (int) Math.ceil(v.size() * 0.99) - 1)), 2));
        out.put("max", Report.round(v.get(v.size() - 1), 2));
    }

    /** accounts 100000000000 + i, each with a role to assume; base keys from files, as an operator would give them. */
    private static Map<String, Object> awsConfig(Path work, int accounts, LookupEventsStandIn standIn) throws Exception {
        Path secrets = work.resolve("secrets");
        Files.createDirectories(secrets);
        Path keyId = secrets.resolve("aws_access_key_id");
        Path secretKey = secrets.resolve("aws_secret_access_key");
        Files.writeString(keyId, "AKIABENCHBASEKEY0001\n");
        Files.writeString(secretKey, "benchBaseSecretKeyNotReal0000000000000000\n");
        for (Path p : List.of(keyId, secretKey)) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        }
        List<Map<String, Object>> list = new ArrayList<>();
        for (int i = 0; i < accounts; i++) {
            String id = String.valueOf(100_000_000_000L + i);
            list.add(Map.of("id", id, "assume_role", Map.of("role_arn", "arn:aws:iam::" + id + ":role/cadet-reader")));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("accounts", list);
        config.put("regions", List.of("us-east-1"));
        config.put("credentials", Map.of("static", Map.of(
                "access_key_id", "${file:" + keyId.toAbsolutePath() + "}",
                "secret_access_key", "${file:" + secretKey.toAbsolutePath() + "}")));
        config.put("endpoint", standIn.endpoint().toString());
        config.put("sts_endpoint", standIn.endpoint().toString());
        return config;
    }

    private static void figures(Report r, List<StreamRun> runs, LookupEventsStandIn standIn, SqliteStore store,
                                StreamSpec spec, Duration backfill, long wallNanos, int threads) {
        Map<String, LookupEventsStandIn.Quota> quotas = standIn.quotas();
        double minPacing = Double.MAX_VALUE;
        double sumPacing = 0;
        double minWall = Double.MAX_VALUE;
        double sumWall = 0;
        long accepted = 0;
        long throttled = 0;
        double allowedInWalls = 0;
        long shortestGap = Long.MAX_VALUE;
        long newEvents = 0;
        long expectedEvents = 0;
        long alerts = 0;
        double maxFirstRequestMs = 0;
        boolean allPolled = true;
        ArrayNode streams = r.figures.putArray("streams");
        for (StreamRun run : runs) {
            String account = run.key().split("/")[1];
            String region = run.key().split("/")[2];
            LookupEventsStandIn.Quota q = quotas.get(account + "/" + region);
            List<Long> at = q == null ? List.of() : q.accepted();
            long n = at.size();
            long t = q == null ? 0 : q.throttledCount();
            double wallS = (run.endNanos() - run.startNanos()) / 1e9;
            double pacing = n >= 2 ? (n - 1) / (QUOTA * (at.get(at.size() - 1) - at.get(0)) / 1e9) : Double.NaN;
            double wallShare = n / (1 + QUOTA * wallS);
            double firstRequestMs = n == 0 ? Double.NaN : (at.get(0) - run.startNanos()) / 1e6;
            Instant watermark = store.watermark(run.key()).orElse(null);
            // the stream planned [now - backfill, now - settle lag] with one now; its watermark is the end
            long expected = watermark == null ? -1
                    : standIn.eventsBetween(watermark.plus(spec.settleLag()).minus(backfill), watermark);
            allPolled &= run.result().outcome() == PollResult.Outcome.POLLED;
            if (n >= 2) {
                minPacing = Math.min(minPacing, pacing);
                sumPacing += pacing;
            }
            minWall = Math.min(minWall, wallShare);
            sumWall += wallShare;
            accepted += n;
            throttled += t;
            allowedInWalls += 1 + QUOTA * wallS;
            if (q != null) {
                shortestGap = Math.min(shortestGap, q.shortestAcceptedGap());
            }
            newEvents += run.result().newEvents();
            expectedEvents += expected;
            alerts += run.result().alerts();
            maxFirstRequestMs = Math.max(maxFirstRequestMs, firstRequestMs);
            ObjectNode s = streams.addObject();
            s.put("stream", run.key());
            s.put("outcome", run.result().outcome().toString());
            s.put("requests", n);
            s.put("throttled", t);
            if (q != null && t > 0) {
                ArrayNode where = s.putArray("throttled_after_accepted");
                q.throttledAfter().forEach(where::add);
            }
            s.put("wall_s", Report.round(wallS, 2));
            s.put("pacing_share", Report.round(pacing, 4));
            s.put("wall_share", Report.round(wallShare, 4));
            s.put("first_request_after_ms", Report.round(firstRequestMs, 1));
            s.put("new_events", run.result().newEvents());
            s.put("expected_events", expected);
        }
        int n = runs.size();
        int concurrent = Math.min(threads, n);
        double wallS = wallNanos / 1e9;
        double overallRate = accepted / wallS;
        r.figures.put("streams_count", n);
        r.figures.put("all_polled", allPolled);
        r.figures.put("requests", accepted);
        r.figures.put("throttled", throttled);
        r.figures.put("wall_s", Report.round(wallS, 2));
        r.figures.put("pacing_share_min", Report.round(minPacing, 4));
        r.figures.put("pacing_share_mean", Report.round(sumPacing / n, 4));
        r.figures.put("wall_share_min", Report.round(minWall, 4));
        r.figures.put("wall_share_mean", Report.round(sumWall / n, 4));
        r.figures.put("wall_share_overall", Report.round(accepted / allowedInWalls, 4));
        r.figures.put("requests_per_s", Report.round(overallRate, 3));
        r.figures.put("concurrency_bound_requests_per_s", QUOTA * concurrent);
        r.figures.put("share_of_concurrency_bound", Report.round(overallRate / (QUOTA * concurrent), 4));
        r.figures.put("shortest_accepted_gap_ms", shortestGap == Long.MAX_VALUE ? -1 : Report.round(shortestGap / 1e6, 2));
        r.figures.put("max_first_request_after_ms", Report.round(maxFirstRequestMs, 1));
        r.figures.put("new_events", newEvents);
        r.figures.put("expected_events", expectedEvents);
        r.figures.put("events_complete", newEvents == expectedEvents);
        r.figures.put("alerts", alerts);

        Report.say("   %d streams, all polled: %s; %,d requests accepted, %d throttled; wall %.1f s", n, allPolled, accepted,
                throttled, wallS);
        Report.say("   pacing share (requests between first and last vs 2/s): min %.1f %%, mean %.1f %%",
                100 * minPacing, 100 * sumPacing / n);
        Report.say("   wall share (requests vs 1 + 2/s x stream wall time): min %.1f %%, mean %.1f %%, overall %.1f %%",
                100 * minWall, 100 * sumWall / n, 100 * accepted / allowedInWalls);
        Report.say("   whole run: %.2f requests/s = %.1f %% of 2/s x %d streams at once; shortest accepted gap %.1f ms; "
                        + "first request at most %.0f ms after a stream's start",
                overallRate, 100 * overallRate / (QUOTA * concurrent), concurrent, shortestGap / 1e6, maxFirstRequestMs);
        Report.say("   %,d new events (%,d expected), %d alerts", newEvents, expectedEvents, alerts);
    }
}
