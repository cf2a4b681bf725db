package dev.cadet.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.cadet.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Benchmark A1: {@code cadet replay} of generated CloudTrail S3 files ({@code {"Records":[...]}}),
 * in this JVM through {@link Main#run}, exactly as the command line runs it, with stdout going to a
 * sink that counts the alert lines. Prints records/s and the memory the replay needed ({@link HeapWatch}).
 *
 * <pre>--dist DIR --records N --files F --work DIR --out FILE</pre>
 */
public final class ReplayBench {
    private static final String[] ACCOUNTS = {"111122223333", "222233334444", "333344445555", "444455556666", "555566667777"};
    private static final Pattern SUMMARY = Pattern.compile("replay: (\\d+) new events, (\\d+) alerts, (\\d+) rejected records");

    private ReplayBench() {
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs args = new BenchArgs(argv);
        Path dist = args.path("dist");
        int records = args.integer("records", 1_000_000);
        int fileCount = args.integer("files", 20);
        Path work = args.path("work");
        Files.createDirectories(work);

        Report.say("A. replay: generating %,d CloudTrail records in %d files under %s", records, fileCount, work);
        long genStart = System.nanoTime();
        List<Path> files = new ArrayList<>();
        long bytes = 0;
        long createUsers = 0;
        Instant end = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant start = end.minus(Duration.ofDays(1));
        long stepNanos = Duration.ofDays(1).toNanos() / records;
        JsonFactory json = new JsonFactory();
        int perFile = (records + fileCount - 1) / fileCount;
        for (int f = 0; f < fileCount; f++) {
            Path file = work.resolve(String.format("cloudtrail-%02d.json", f));
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
                 JsonGenerator g = json.createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeArrayFieldStart("Records");
                for (long i = (long) f * perFile; i < Math.min(records, (long) (f + 1) * perFile); i++) {
                    CloudTrailRecords.write(g, ACCOUNTS[(int) (i % ACCOUNTS.length)], i, start.plusNanos(i * stepNanos), false);
                    if (CloudTrailRecords.isCreateUser(i)) {
                        createUsers++;
                    }
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            bytes += Files.size(file);
            files.add(file);
        }
        Report.say("   generated %,.1f MiB (%,d bytes a record on average) in %.1f s; %,d records are CreateUser",
                bytes / 1048576.0, bytes / records, (System.nanoTime() - genStart) / 1e9, createUsers);

        List<String> cli = new ArrayList<>(List.of("replay", "--rules", dist.resolve("conf/rules").toString(),
                "--plugins", dist.resolve("plugins").toString(), "--format", "json"));
        files.forEach(p -> cli.add(p.toString()));

        PrintStream realOut = System.out;
        PrintStream realErr = System.err;
        LineCounter alertLines = new LineCounter();
        ByteArrayOutputStream errText = new ByteArrayOutputStream();
        int exit;
        long nanos;
        long cpu0;
        long cpuNanos;
        HeapWatch.Figures heap;
        try (HeapWatch watch = new HeapWatch()) {
            System.setOut(new PrintStream(alertLines, false, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errText, true, StandardCharsets.UTF_8));
            long t0 = System.nanoTime();
            cpu0 = processCpuNanos();
            try {
                exit = Main.run(cli.toArray(String[]::new));
            } finally {
                nanos = System.nanoTime() - t0;
                cpuNanos = processCpuNanos() - cpu0;
                System.out.flush();
                System.setOut(realOut);
                System.setErr(realErr);
            }
            heap = watch.figures();
        }
        String err = errText.toString(StandardCharsets.UTF_8);
        Matcher m = SUMMARY.matcher(err);
        long newEvents = -1;
        long alerts = -1;
        long rejected = -1;
        if (m.find()) {
            newEvents = Long.parseLong(m.group(1));
            alerts = Long.parseLong(m.group(2));
            rejected = Long.parseLong(m.group(3));
        }
        // what replay itself said, except its log lines about each plugin, for the record
        err.lines().filter(l -> exit != 0 || l.startsWith("replay") || l.startsWith("rejected") || l.contains("WARN") || l.contains("ERROR"))
                .limit(20).forEach(l -> Report.say("   replay said: %s", l));

        double seconds = nanos / 1e9;
        Report r = new Report();
        r.figures.put("records", records);
        r.figures.put("files", fileCount);
        r.figures.put("bytes", bytes);
        r.figures.put("exit_code", exit);
        r.figures.put("seconds", Report.round(seconds, 2));
        r.figures.put("records_per_s", Math.round(records / seconds));
        r.figures.put("cpu_seconds", Report.round(cpuNanos / 1e9, 2));
        r.figures.put("records_per_cpu_s", Math.round(records / (cpuNanos / 1e9)));
        r.figures.put("mib_per_s", Report.round(bytes / 1048576.0 / seconds, 1));
        r.figures.put("new_events", newEvents);
        r.figures.put("alerts", alerts);
        r.figures.put("alert_lines_on_stdout", alertLines.lines);
        r.figures.put("expected_alerts", createUsers);
        r.figures.put("rejected", rejected);
        r.figures.put("max_heap_mib", Report.mib(heap.maxHeapBytes()));
        r.figures.put("heap_before_mib", Report.mib(heap.baselineBytes()));
        r.figures.put("peak_heap_used_sampled_mib", Report.mib(heap.peakSampledBytes()));
        r.figures.put("peak_heap_after_gc_mib", Report.mib(heap.peakAfterGcBytes()));
        r.figures.put("heap_pool_peaks_sum_mib", Report.mib(heap.poolPeakSumBytes()));
        r.figures.put("gc_count", heap.collections());
        r.figures.put("peak_rss_mib", Report.mib(heap.peakRssBytes()));

        Report.say("   exit code %d; %,d new events, %,d alerts (%,d lines on stdout; %,d CreateUser generated), %,d rejected",
                exit, newEvents, alerts, alertLines.lines, createUsers, rejected);
        Report.say("   %,d records in %.1f s: %,d records/s, %.1f MiB/s", records, seconds, Math.round(records / seconds),
                bytes / 1048576.0 / seconds);
        Report.say("   the process used %.1f s of CPU (all threads, GC included): %,d records per CPU-second"
                + " (the machine is shared: wall time includes waiting for a core)", cpuNanos / 1e9, Math.round(records / (cpuNanos / 1e9)));
        Report.say("   heap (max %,.0f MiB): peak used (sampled every 10 ms) %,.0f MiB; peak used right after a GC %,.0f MiB"
                        + " (%d GCs); sum of pool peaks %,.0f MiB; before the run %,.0f MiB",
                Report.mib(heap.maxHeapBytes()), Report.mib(heap.peakSampledBytes()), Report.mib(heap.peakAfterGcBytes()),
                heap.collections(), Report.mib(heap.poolPeakSumBytes()), Report.mib(heap.baselineBytes()));
        Report.say("   process peak resident set (VmHWM, includes the in-memory SQLite store): %,.0f MiB", Report.mib(heap.peakRssBytes()));
        r.save(args.path("out"));
        for (Path f : files) {
            Files.deleteIfExists(f);
        }
        if (exit != 0 || newEvents != records || alerts != createUsers) {
            Report.say("   FAILED: replay did not ingest every record or raise one alert per CreateUser");
            System.exit(1);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Counts bytes and lines written to it, keeps nothing. */
    private static final class LineCounter extends OutputStream {
        long lines;
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
            if (b == '\n') {
                lines++;
            }
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
            for (int i = off; i < off + len; i++) {
                if (b[i] == '\n') {
                    lines++;
                }
            }
        }
    }
}
