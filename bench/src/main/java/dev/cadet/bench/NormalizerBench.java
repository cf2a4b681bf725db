package dev.cadet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import dev.cadet.plugin.PluginRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Benchmark A2: the AWS plugin's normalizer, as the daemon gets it
 * ({@code PluginRegistry.load(plugins).factory("aws").normalizer()}), against a plain
 * {@link ObjectMapper#readTree} of the same record texts in the same JVM. Both run over the same
 * records, alternating, after warm-up rounds; the rate of each is its median round, in records per
 * second of this thread's CPU time (the machine is shared: wall time would measure the neighbours).
 *
 * <pre>--dist DIR --records N --rounds R --out FILE</pre>
 */
public final class NormalizerBench {
    private static final int WARMUP_ROUNDS = 3;

    private NormalizerBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        Path dist = args.path("dist");
        int n = args.integer("records", 200_000);
        int rounds = args.integer("rounds", 5);

        List<RawRecord> records = new ArrayList<>(n);
        long bytes = 0;
        Instant t = Instant.parse("2026-11-20T00:00:00Z");
        for (int i = 0; i < n; i++) {
            String text = CloudTrailRecords.text("111122223333", i, t.plusMillis(i * 50L), false);
            bytes += text.length();
            records.add(new RawRecord(text, "bench record " + i));
        }
        Report.say("A. normalizer vs plain Jackson readTree: %,d records, %,d characters a record on average, "
                + "%d warm-up and %d measured rounds each", n, bytes / n, WARMUP_ROUNDS, rounds);

        ObjectMapper plain = new ObjectMapper();
        double[] normalizeRates = new double[rounds];
        double[] parseRates = new double[rounds];
        long sink = 0;
        try (PluginRegistry plugins = PluginRegistry.load(dist.resolve("plugins"))) {
            Normalizer normalizer = plugins.factory("aws").normalizer();
            for (int i = 0; i < WARMUP_ROUNDS; i++) {
                sink += normalizeAll(normalizer, records);
                sink += parseAll(plain, records);
            }
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            for (int i = 0; i < rounds; i++) {
                long t0 = cpu.getCurrentThreadCpuTime();
                sink += normalizeAll(normalizer, records);
                long t1 = cpu.getCurrentThreadCpuTime();
                sink += parseAll(plain, records);
                long t2 = cpu.getCurrentThreadCpuTime();
                normalizeRates[i] = n / ((t1 - t0) / 1e9);
                parseRates[i] = n / ((t2 - t1) / 1e9);
            }
        }
        double normalize = median(normalizeRates);
        double parse = median(parseRates);
        double ratio = normalize / parse;
        Report.say("   normalize(): %,.0f records per CPU-second (rounds: %s)", normalize, rates(normalizeRates));
        Report.say("   readTree():  %,.0f records per CPU-second (rounds: %s)", parse, rates(parseRates));
        Report.say("   ratio normalize/readTree: %.2f (checksum %d)", ratio, sink);

        Report r = new Report();
        r.figures.put("records", n);
        r.figures.put("avg_record_chars", bytes / n);
        r.figures.put("normalize_records_per_cpu_s", Math.round(normalize));
        r.figures.put("readtree_records_per_cpu_s", Math.round(parse));
        r.figures.put("ratio_normalize_to_readtree", Report.round(ratio, 3));
        r.save(args.path("out"));
    }

    private static long normalizeAll(Normalizer normalizer, List<RawRecord> records) throws Exception {
        long fields = 0;
        for (RawRecord record : records) {
            for (Event e : normalizer.normalize(record)) {
                fields += e.fields().size();
            }
        }
        return fields;
    }

    private static long parseAll(ObjectMapper mapper, List<RawRecord> records) throws Exception {
        long fields = 0;
        for (RawRecord record : records) {
            JsonNode node = mapper.readTree(record.body());
            fields += node.size();
        }
        return fields;
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
}
