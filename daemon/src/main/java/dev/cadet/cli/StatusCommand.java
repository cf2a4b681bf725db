package dev.cadet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.config.CadetConfig;
import dev.cadet.detect.tuning.TuningFiles;
import dev.cadet.forward.Output;
import dev.cadet.forward.Outputs;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import dev.cadet.store.Store.RuleStats;
import dev.cadet.store.Store.StreamHealth;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code cadet status}: per stream health, per output outbox depth, and per rule the alerts and the
 * matches tuning excepted or suppressed, read from the store; plus problems and expired entries of
 * the tuning files.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Shows each stream's watermark, lag, last success and error, arrival delay, each output's outbox depth,"
                + " and per rule the alerts and the matches excepted or suppressed by tuning.")
final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    @Option(names = "--json", description = "one JSON document instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        CadetConfig config = configOption.load();
        if (!Files.exists(config.store().path())) {
            System.err.println("no store at " + config.store().path() + ": the daemon has not run with this config yet");
            return ExitCodes.FAILURE;
        }
        List<String> outputNames;
        List<Output> outputs = Outputs.fromConfig(config.outputs());
        outputNames = outputs.stream().map(Output::name).toList();
        outputs.forEach(Output::close);
        Instant now = Instant.now();
        // tuning files as they are now: problems and expired exceptions are worth seeing here too
        TuningFiles tuning = TuningFiles.load(config.detection().exceptionDirs(), now);
        List<String> notes = new ArrayList<>();
        tuning.problems().forEach(p -> notes.add("problem: " + p));
        tuning.warnings().forEach(w -> notes.add("warning: " + w));
        try (Store store = new SqliteStore(config.store().path().toString())) {
            List<StreamHealth> streams = store.streamHealth();
            Map<String, Long> depth = store.outboxDepth(outputNames);
            List<RuleStats> rules = store.ruleStats();
            System.out.println(json ? json(streams, depth, rules, notes, now) : table(streams, depth, rules, notes, now));
        }
        return ExitCodes.OK;
    }

    static String table(List<StreamHealth> streams, Map<String, Long> depth, List<RuleStats> rules, List<String> tuning,
                        Instant now) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-40s %-22s %-9s %-22s %-5s %-13s %s%n", "STREAM", "WATERMARK", "LAG", "LAST SUCCESS",
                "FAILS", "DELAY p50/p99", "LAST ERROR / WARNING"));
        for (StreamHealth h : streams) {
            String state = h.stopped() ? "STOPPED: " : "";
            String note = h.lastError() != null && h.consecutiveFailures() > 0 ? h.lastError()
                    : h.lastWarning() != null ? "warning: " + h.lastWarning() : "";
            b.append(String.format("%-40s %-22s %-9s %-22s %-5d %-13s %s%n", h.streamKey(), text(h.watermark()),
                    h.watermark() == null ? "-" : human(Duration.between(h.watermark(), now)), text(h.lastSuccess()),
                    h.consecutiveFailures(), human(h.arrivalDelayP50Ms()) + "/" + human(h.arrivalDelayP99Ms()),
                    state + oneLine(note)));
        }
        b.append(String.format("%n%-40s %s%n", "OUTPUT", "OUTBOX (alerts waiting)"));
        depth.forEach((name, n) -> b.append(String.format("%-40s %d%n", name, n)));
        b.append(String.format("%n%-40s %10s %10s %10s%n", "RULE", "ALERTS", "EXCEPTED", "SUPPRESSED"));
        for (RuleStats r : rules) {
            b.append(String.format("%-40s %10d %10d %10d%n", r.ruleId(), r.alerts(), r.excepted(), r.suppressed()));
        }
        if (!tuning.isEmpty()) {
            b.append(String.format("%nTUNING%n"));
            tuning.forEach(t -> b.append(oneLine(t)).append(System.lineSeparator()));
        }
        return b.toString().stripTrailing();
    }

    static String json(List<StreamHealth> streams, Map<String, Long> depth, List<RuleStats> rules, List<String> tuning,
                       Instant now) throws Exception {
        ObjectMapper m = new ObjectMapper();
        ObjectNode root = m.createObjectNode();
        root.put("now", now.toString());
        ArrayNode arr = root.putArray("streams");
        for (StreamHealth h : streams) {
            ObjectNode s = arr.addObject();
            s.put("stream", h.streamKey());
            s.put("watermark", text(h.watermark()));
            if (h.watermark() != null) {
                s.put("lag_seconds", Duration.between(h.watermark(), now).toSeconds());
            }
            s.put("last_success", text(h.lastSuccess()));
            s.put("last_failure", text(h.lastFailure()));
            s.put("last_error", h.lastError());
            s.put("last_warning", h.lastWarning());
            s.put("consecutive_failures", h.consecutiveFailures());
            s.put("stopped", h.stopped());
            s.put("requests", h.requests());
            s.put("throttles", h.throttles());
            s.put("events", h.events());
            s.put("rejected", h.rejected());
            s.put("arrival_delay_p50_ms", h.arrivalDelayP50Ms());
            s.put("arrival_delay_p99_ms", h.arrivalDelayP99Ms());
        }
        ObjectNode out = root.putObject("outbox");
        depth.forEach(out::put);
        ObjectNode byRule = root.putObject("rules");
        for (RuleStats r : rules) {
            ObjectNode n = byRule.putObject(r.ruleId());
            n.put("alerts", r.alerts());
            n.put("excepted", r.excepted());
            n.put("suppressed", r.suppressed());
        }
        ArrayNode notes = root.putArray("tuning");
        tuning.forEach(notes::add);
        return m.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static String text(Instant t) {
        return t == null ? "-" : t.toString();
    }

    private static String human(Long ms) {
        return ms == null ? "-" : human(Duration.ofMillis(ms));
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        if (s < 120) {
            return s + "s";
        }
        if (s < 7200) {
            return s / 60 + "m";
        }
        if (s < 172800) {
            return s / 3600 + "h";
        }
        return s / 86400 + "d";
    }

    /** Error texts can carry attacker-influenced strings (names from records): one line, no control characters. */
    private static String oneLine(String s) {
        return s.replaceAll("\\p{Cntrl}", " ");
    }
}
