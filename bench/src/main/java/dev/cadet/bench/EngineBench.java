package dev.cadet.bench;

import com.espertech.esper.common.client.EPCompiled;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.OperatingSystemMXBean;
import dev.cadet.collector.Event;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.Detector;
import dev.cadet.detect.Rule;
import dev.cadet.detect.RuleSet;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Benchmark C: the detection engine on generated normalized events ({@link EngineEvents}), the way
 * the poller drives it: {@link DetectionEngine#hits} per event, {@link DetectionEngine#advance} per
 * batch of events with the watermark at the batch's last event time. Rule sets: the seed rule alone,
 * the shipped pack, and 10, 100 and 1,000 generated rules ({@link GeneratedRules}: selective, and 10
 * and 1,000 alert-heavy ones). Esper 9 runs the
 * equivalent EPL of the seed and of the pack ({@link EsperPack}) on the same events in the same JVM:
 * once on the very {@link Event} objects the engine reads (their fields maps sent as Map events, in
 * the timed region: the figure compared, {@code esper_eps}), and once on compact beans built from them
 * before timing ({@link EsperEvent}, conversion excluded: {@code esper_beans_eps}).
 *
 * <p>Each measured round runs a fresh engine over all events (built before the clock starts: like
 * deploying Esper's statements, building it is a start-up cost), or the same deployed Esper runtime
 * with its clock moved on (as a long-running Esper: its generated classes compiled once, see
 * {@link EsperPack.Runtime}); the runners being compared alternate round by round after warm-up, and
 * each figure is the median round. Before each round the heap is collected and the JIT left to go
 * quiet, so a round pays neither another's garbage nor its compilations. Rates are in events per
 * CPU-second of the process (GC and JIT threads included; the machine is shared, so wall time would
 * measure the neighbours); rates by the running thread's CPU and wall rates are given next to them.
 *
 * <p>Memory: the heap after GC at its peak over the whole run (the generated events included, and
 * their share given), and separately the heap retained by 100,000 live partial sequences.
 *
 * <pre>--rules DIR --events N --accounts A --rounds R --warmup W --partials P --batch B --work DIR --out FILE</pre>
 */
public final class EngineBench {
    static final String SEED_ID = "cloud-account-created";
    static final String PARTIAL_RULE = "aws-user-created-then-credentials";
    static final Duration LATENESS = Duration.ofHours(1); // the daemon's default allowed lateness

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final java.lang.management.CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private EngineBench() {
    }

    /** One way of running all events: returns matches per rule. */
    private interface Runner {
        Map<String, Long> run() throws Exception;

        /**
         * What is set up before a round's clock starts, returning the round to time. By default
         * nothing: the Esper runtimes are deployed once, as a long-running Esper is; the engine is
         * built per round, outside the timed region as its deployment is a start-up cost too.
         */
        default Runner prepare() {
            return this;
        }
    }

    /** The engine on these rules: a fresh engine each round, built before the round is timed. */
    private static Runner engineRunner(RuleSet rules, List<Event> events, int batch) {
        return new Runner() {
            @Override
            public Map<String, Long> run() {
                return runEngine(new DetectionEngine(rules, LATENESS), events, batch);
            }

            @Override
            public Runner prepare() {
                DetectionEngine engine = new DetectionEngine(rules, LATENESS);
                return () -> runEngine(engine, events, batch);
            }
        };
    }

    /** Median rates of a runner, and its matches (the same every round, checked). */
    private record Rates(double cpuEps, double threadEps, double wallEps, double[] rounds, Map<String, Long> matches, double jitMs) {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        Path rulesDir = args.path("rules");
        int n = args.integer("events", 1_000_000);
        int accounts = args.integer("accounts", 100_000);
        int rounds = args.integer("rounds", 5);
        int warmup = args.integer("warmup", 3);
        int partials = args.integer("partials", 100_000);
        int batch = args.integer("batch", 1000);
        Path work = args.path("work");
        Report report = new Report();
        ObjectNode f = report.figures;

        // 1. memory of live partial sequences, before anything else fills the heap
        double partialMb = partialsHeap(rulesDir, partials, accounts, batch);
        Report.say("C. engine: %,d live partial sequences (first step of %s, distinct users) retain %.1f MB of heap "
                + "(%.0f bytes each)", partials, PARTIAL_RULE, partialMb, partialMb * 1024 * 1024 / partials);

        try (HeapWatch heap = new HeapWatch()) {
            long t0 = System.nanoTime();
            EngineEvents generated = EngineEvents.generate(n, accounts, 42);
            List<Event> events = generated.events;
            long eventsHeap = usedAfterGc() - heap.figures().baselineBytes();
            List<EsperEvent> esperEvents = new ArrayList<>(n);
            events.forEach(e -> esperEvents.add(new EsperEvent(e)));
            Report.say("   %,d events over %,d accounts, %s .. %s, generated in %.1f s: %s; events hold %.0f MB of heap",
                    n, accounts, events.get(0).timestamp(), events.get(n - 1).timestamp(), (System.nanoTime() - t0) / 1e9,
                    new TreeMap<>(generated.kinds), eventsHeap / 1048576.0);

            RuleSet pack = RuleSet.load(List.of(rulesDir));
            RuleSet seed = RuleSet.of(pack.rules().stream().filter(r -> r.id().equals(SEED_ID)).toList());
            if (seed.rules().isEmpty()) {
                throw new IllegalStateException(rulesDir + " has no rule " + SEED_ID);
            }
            // selective rule sets (the rule-count figure) and alert-heavy ones (what producing alerts costs)
            Map<String, RuleSet> generatedRules = new LinkedHashMap<>();
            for (int count : new int[] {10, 100, 1000}) {
                generatedRules.put(count + " rules", RuleSet.load(List.of(GeneratedRules.write(work, count, GeneratedRules.Kind.SELECTIVE))));
            }
            for (int count : new int[] {10, 1000}) {
                generatedRules.put(count + " alert-heavy rules",
                        RuleSet.load(List.of(GeneratedRules.write(work, count, GeneratedRules.Kind.ALERT_HEAVY))));
            }
            long c0 = System.nanoTime();
            String packEpl = EsperPack.pack(rulesDir);
            EPCompiled esperSeed = EsperPack.compile(EsperPack.forMap(EsperPack.SEED));
            EPCompiled esperPack = EsperPack.compile(EsperPack.forMap(packEpl));
            EPCompiled beansSeed = EsperPack.compile(EsperPack.SEED);
            EPCompiled beansPack = EsperPack.compile(packEpl);
            Map<String, Rates> seedRates;
            Map<String, Rates> packRates;
            Report.say("   rules: pack %d (%d EQL + built-in), generated 10/100/1000; Esper EPL compiled in %.1f s; "
                    + "%d warm-up and %d measured rounds each, advance every %,d events", pack.rules().size(),
                    pack.rules().stream().filter(r -> !r.isBuiltIn()).count(), (System.nanoTime() - c0) / 1e9, warmup, rounds, batch);

            try (EsperPack.Runtime seedMaps = new EsperPack.Runtime(esperSeed, "seed");
                 EsperPack.Runtime seedBeans = new EsperPack.Runtime(beansSeed, "seed-beans");
                 EsperPack.Runtime packMaps = new EsperPack.Runtime(esperPack, "pack");
                 EsperPack.Runtime packBeans = new EsperPack.Runtime(beansPack, "pack-beans")) {
                Map<String, Runner> seedRunners = new LinkedHashMap<>();
                seedRunners.put("engine", engineRunner(seed, events, batch));
                seedRunners.put("esper", () -> seedMaps.runMaps(events));
                seedRunners.put("esper beans", () -> seedBeans.runBeans(esperEvents));
                seedRates = compare(seedRunners, n, warmup, rounds);

                Map<String, Runner> packRunners = new LinkedHashMap<>();
                packRunners.put("engine", engineRunner(pack, events, batch));
                packRunners.put("esper", () -> packMaps.runMaps(events));
                packRunners.put("esper beans", () -> packBeans.runBeans(esperEvents));
                packRates = compare(packRunners, n, warmup, rounds);
            }

            Map<String, Runner> countRunners = new LinkedHashMap<>();
            generatedRules.forEach((name, rules) -> countRunners.put(name, engineRunner(rules, events, batch)));
            Map<String, Rates> countRates = compare(countRunners, n, warmup, rounds);

            // what the engine and Esper found
            Map<String, Long> engineMatches = new TreeMap<>(packRates.get("engine").matches());
            Map<String, Long> esperMatches = packRates.get("esper").matches();
            Map<String, Long> beansMatches = packRates.get("esper beans").matches();
            List<String> differ = differing(engineMatches, esperMatches);
            List<String> beansDiffer = differing(engineMatches, beansMatches);
            long seedEngine = seedRates.get("engine").matches().getOrDefault(SEED_ID, 0L);
            long seedEsper = seedRates.get("esper").matches().getOrDefault(SEED_ID, 0L);
            long seedBeans = seedRates.get("esper beans").matches().getOrDefault(SEED_ID, 0L);

            Rates engine = packRates.get("engine");
            Rates esper = packRates.get("esper");
            Rates beans = packRates.get("esper beans");
            double cost = countRates.get("10 rules").cpuEps() / countRates.get("1000 rules").cpuEps();
            double heavyCost = countRates.get("10 alert-heavy rules").cpuEps() / countRates.get("1000 alert-heavy rules").cpuEps();
            HeapWatch.Figures h = heap.figures();

            Report.say("   Esper on the same Event objects (each event's own fields map sent as a Map event, in the timed region):");
            Report.say("   seed rule:  engine %,.0f events/CPU-s (thread %,.0f, wall %,.0f), Esper %,.0f (thread %,.0f, wall %,.0f): "
                            + "ratio %.2f; matches engine %,d, Esper %,d",
                    seedRates.get("engine").cpuEps(), seedRates.get("engine").threadEps(), seedRates.get("engine").wallEps(),
                    seedRates.get("esper").cpuEps(), seedRates.get("esper").threadEps(), seedRates.get("esper").wallEps(),
                    seedRates.get("engine").cpuEps() / seedRates.get("esper").cpuEps(), seedEngine, seedEsper);
            Report.say("   full pack:  engine %,.0f events/CPU-s (thread %,.0f, wall %,.0f; rounds %s; JIT %.0f ms a round), Esper %,.0f "
                            + "(thread %,.0f, wall %,.0f; rounds %s; JIT %.0f ms a round): ratio %.2f (by the running thread's CPU %.2f)",
                    engine.cpuEps(), engine.threadEps(), engine.wallEps(), rates(engine.rounds()), engine.jitMs(),
                    esper.cpuEps(), esper.threadEps(), esper.wallEps(), rates(esper.rounds()), esper.jitMs(),
                    engine.cpuEps() / esper.cpuEps(), engine.threadEps() / esper.threadEps());
            Report.say("   Esper on pre-built compact beans, conversion excluded (EsperEvent, 16 fields, built before timing):");
            Report.say("   seed rule:  Esper %,.0f events/CPU-s (thread %,.0f, wall %,.0f): ratio %.2f; matches %,d",
                    seedRates.get("esper beans").cpuEps(), seedRates.get("esper beans").threadEps(),
                    seedRates.get("esper beans").wallEps(),
                    seedRates.get("engine").cpuEps() / seedRates.get("esper beans").cpuEps(), seedBeans);
            Report.say("   full pack:  Esper %,.0f events/CPU-s (thread %,.0f, wall %,.0f; rounds %s): ratio %.2f",
                    beans.cpuEps(), beans.threadEps(), beans.wallEps(), rates(beans.rounds()), engine.cpuEps() / beans.cpuEps());
            Report.say("   matches per rule, engine:       %s", engineMatches);
            Report.say("   matches per rule, Esper (Map):  %s%s", esperMatches,
                    differ.isEmpty() ? " (agree on every EQL rule)" : " (differ on " + differ + ")");
            Report.say("   matches per rule, Esper beans:  %s%s", beansMatches,
                    beansDiffer.isEmpty() ? " (agree on every EQL rule)" : " (differ on " + beansDiffer + ")");
            countRates.forEach((name, r) -> Report.say("   %-24s engine %,.0f events/CPU-s (thread %,.0f, wall %,.0f), %,d matches",
                    name + ":", r.cpuEps(), r.threadEps(), r.wallEps(), r.matches().values().stream().mapToLong(Long::longValue).sum()));
            Report.say("   cost per event, 1000 vs 10 rules: %.2f (alert-heavy rules: %.2f)", cost, heavyCost);
            Report.say("   heap: peak after GC %.0f MB (the events %.0f MB of it), peak sampled %.0f MB, -Xmx %.0f MB, "
                            + "peak RSS %.0f MB, %d GCs", h.peakAfterGcBytes() / 1048576.0, eventsHeap / 1048576.0,
                    h.peakSampledBytes() / 1048576.0, h.maxHeapBytes() / 1048576.0, h.peakRssBytes() / 1048576.0, h.collections());

            f.put("events", n);
            f.put("accounts", accounts);
            f.put("engine_eps", Math.round(engine.cpuEps()));
            f.put("esper_eps", Math.round(esper.cpuEps()));
            f.put("ratio_vs_esper", Report.round(engine.cpuEps() / esper.cpuEps(), 2));
            f.put("esper_beans_eps", Math.round(beans.cpuEps()));
            f.put("ratio_vs_esper_beans", Report.round(engine.cpuEps() / beans.cpuEps(), 2));
            f.put("cost_1000_vs_10_rules", Report.round(cost, 2));
            f.put("cost_1000_vs_10_alert_heavy_rules", Report.round(heavyCost, 2));
            f.put("heap_mb", Report.mib(h.peakAfterGcBytes()));
            f.put("events_heap_mb", Report.mib(eventsHeap));
            f.put("partials_100k_heap_mb", Report.round(partialMb * 100_000.0 / partials, 1));
            f.put("eps_seed", Math.round(seedRates.get("engine").cpuEps()));
            f.put("esper_eps_seed", Math.round(seedRates.get("esper").cpuEps()));
            f.put("esper_beans_eps_seed", Math.round(seedRates.get("esper beans").cpuEps()));
            f.put("eps_pack", Math.round(engine.cpuEps()));
            f.put("eps_10", Math.round(countRates.get("10 rules").cpuEps()));
            f.put("eps_100", Math.round(countRates.get("100 rules").cpuEps()));
            f.put("eps_1000", Math.round(countRates.get("1000 rules").cpuEps()));
            f.put("eps_10_alert_heavy", Math.round(countRates.get("10 alert-heavy rules").cpuEps()));
            f.put("eps_1000_alert_heavy", Math.round(countRates.get("1000 alert-heavy rules").cpuEps()));
            f.put("engine_wall_eps", Math.round(engine.wallEps()));
            f.put("esper_wall_eps", Math.round(esper.wallEps()));
            f.put("esper_beans_wall_eps", Math.round(beans.wallEps()));
            f.put("matches_engine", Report.JSON.valueToTree(engineMatches));
            f.put("matches_esper", Report.JSON.valueToTree(esperMatches));
            f.put("matches_esper_beans", Report.JSON.valueToTree(beansMatches));
            f.put("matches_agree", differ.isEmpty() && beansDiffer.isEmpty() && seedEngine == seedEsper && seedEngine == seedBeans);
            f.put("rate_unit", "events per CPU-second of the process");
        }
        report.save(args.path("out"));
    }

    /** The rules Esper ran whose match count is not the engine's. */
    private static List<String> differing(Map<String, Long> engineMatches, Map<String, Long> esperMatches) {
        List<String> differ = new ArrayList<>();
        esperMatches.forEach((rule, c) -> {
            if (!c.equals(engineMatches.getOrDefault(rule, 0L))) {
                differ.add(rule);
            }
        });
        return differ;
    }

    /** Warm-up rounds of every runner, then measured rounds alternating between them; medians. */
    private static Map<String, Rates> compare(Map<String, Runner> runners, int n, int warmup, int rounds) throws Exception {
        Map<String, Map<String, Long>> matches = new LinkedHashMap<>();
        for (int i = 0; i < warmup; i++) {
            for (Map.Entry<String, Runner> r : runners.entrySet()) {
                matches.put(r.getKey(), r.getValue().run());
            }
        }
        Map<String, double[][]> samples = new LinkedHashMap<>();
        runners.keySet().forEach(k -> samples.put(k, new double[4][rounds]));
        for (int i = 0; i < rounds; i++) {
            for (Map.Entry<String, Runner> r : runners.entrySet()) {
                Runner round = r.getValue().prepare();
                System.gc(); // each round starts from a collected heap, so no round pays for another's garbage
                awaitQuietJit(); // nor for the JIT compiling what another runner ran
                long jit0 = JIT.getTotalCompilationTime();
                long cpu0 = OS.getProcessCpuTime();
                long thread0 = THREADS.getCurrentThreadCpuTime();
                long wall0 = System.nanoTime();
                Map<String, Long> m = round.run();
                long wall = System.nanoTime() - wall0;
                long thread = THREADS.getCurrentThreadCpuTime() - thread0;
                long cpu = OS.getProcessCpuTime() - cpu0;
                long jit = JIT.getTotalCompilationTime() - jit0;
                if (!m.equals(matches.get(r.getKey()))) {
                    throw new IllegalStateException(r.getKey() + ": matches differ between rounds: " + m + " vs " + matches.get(r.getKey()));
                }
                double[][] s = samples.get(r.getKey());
                s[0][i] = n / (cpu / 1e9);
                s[1][i] = n / (thread / 1e9);
                s[2][i] = n / (wall / 1e9);
                s[3][i] = jit;
            }
        }
        Map<String, Rates> out = new LinkedHashMap<>();
        samples.forEach((k, s) -> out.put(k, new Rates(median(s[0]), median(s[1]), median(s[2]), s[0], matches.get(k), median(s[3]))));
        return out;
    }

    /**
     * Waits (at most 10 s) until the JIT has compiled nothing for 300 ms: compilations queued by one
     * runner would otherwise run on another core during the next runner's round and count as its CPU.
     */
    private static void awaitQuietJit() throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        long last = JIT.getTotalCompilationTime();
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            Thread.sleep(50);
            long now = JIT.getTotalCompilationTime();
            if (now != last) {
                last = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince >= 300_000_000L) {
                return;
            }
        }
    }

    /** The poller's way: hits per event, advance per batch with the watermark at the batch's last event. */
    static Map<String, Long> runEngine(DetectionEngine engine, List<Event> events, int batch) {
        Map<String, Long> matches = new TreeMap<>();
        List<Detector.StepHit> hits = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            List<Detector.StepHit> h = engine.hits(e);
            if (!h.isEmpty()) { // most events hit nothing: no array copy for them
                hits.addAll(h);
            }
            if ((i + 1) % batch == 0 || i == events.size() - 1) {
                Detector.Advance a = engine.advance(hits, e.timestamp());
                for (Detector.Match m : a.matches()) {
                    matches.merge(m.ruleId(), 1L, Long::sum);
                }
                hits.clear();
            }
        }
        return matches;
    }

    /**
     * The heap retained by {@code count} live partial sequences: the first step of a 2-step chain for
     * as many distinct users, the watermark never past the maxspan. Heap used after GC with the
     * engine built and empty, against after the events were fed and everything else dropped.
     */
    private static double partialsHeap(Path rulesDir, int count, int accounts, int batch) throws Exception {
        List<Rule> one = RuleSet.load(List.of(rulesDir)).rules().stream().filter(r -> r.id().equals(PARTIAL_RULE)).toList();
        if (one.isEmpty()) {
            throw new IllegalStateException(rulesDir + " has no rule " + PARTIAL_RULE);
        }
        DetectionEngine engine = new DetectionEngine(RuleSet.of(one), LATENESS);
        long before = usedAfterGc();
        List<Event> events = EngineEvents.creationsOnly(count, accounts, 5); // 5 ms apart: well inside the 15 minutes
        long states = 0;
        List<Detector.StepHit> hits = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            hits.addAll(engine.hits(events.get(i)));
            if ((i + 1) % batch == 0 || i == events.size() - 1) {
                Detector.Advance a = engine.advance(hits, events.get(i).timestamp());
                if (!a.matches().isEmpty()) {
                    throw new IllegalStateException("partials: unexpected matches " + a.matches().size());
                }
                states += a.upserts().size();
                hits.clear();
            }
        }
        if (states != count) {
            throw new IllegalStateException("partials: expected " + count + " sequence states, the engine stored " + states);
        }
        events = null;
        hits = null;
        long after = usedAfterGc();
        java.lang.ref.Reference.reachabilityFence(engine);
        return (after - before) / 1048576.0;
    }

    /** Heap in use after collecting garbage until it stops shrinking (at most five times). */
    static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            long now = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            if (now >= used) {
                return Math.min(now, used);
            }
            used = now;
        }
        return used;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }

    private static String rates(double[] values) {
        return String.join(", ", Arrays.stream(values).mapToObj(v -> String.format("%,.0f", v)).toList());
    }

    @SuppressWarnings("unused")
    private static Instant last(List<Event> events) {
        return events.get(events.size() - 1).timestamp();
    }
}
