package dev.cadet.cli;

import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.detect.AlertFactory;
import dev.cadet.detect.DetectionEngine;
import dev.cadet.detect.RuleLoadException;
import dev.cadet.detect.RuleSet;
import dev.cadet.detect.Tuning;
import dev.cadet.detect.tuning.TuningFiles;
import dev.cadet.forward.StdoutOutput;
import dev.cadet.forward.cef.CefEncoder;
import dev.cadet.plugin.PluginLoadException;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.poll.Pipeline;
import dev.cadet.poll.PollResult;
import dev.cadet.poll.QuotaLimiters;
import dev.cadet.poll.StreamPoller;
import dev.cadet.progress.ProgressLine;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cadet replay}: exported records through the same path as the daemon (the drop-folder
 * plugin reads the files, the providers' normalizers, dedup, the rules in event-time order, the
 * outbox) with an in-memory store, alerts to stdout.
 */
@Command(name = "replay", mixinStandardHelpOptions = true,
        description = "Runs exported records (CloudTrail S3 files, plain or .gz, LookupEvents responses, Graph pages, O365 "
                + "content blobs, Workspace and Cloud Logging pages, NDJSON of single records; shapes are detected) through the "
                + "normalizers and rules in event-time order; alerts to stdout.")
final class ReplayCommand implements Callable<Integer> {
    static final String OUTPUT = "replay";
    /** Replayed records are history: a sequence may join events as far apart as this. */
    static final Duration ALLOWED_LATENESS = Duration.ofDays(1);

    @Option(names = "--rules", paramLabel = "DIR", description = "rule folder (repeatable; default: conf/rules of the installation)")
    List<Path> ruleDirs;

    @Option(names = "--format", paramLabel = "json|cef", description = "alert lines as JSON (default) or bare CEF")
    StdoutOutput.Format format = StdoutOutput.Format.JSON;

    @Option(names = "--source", paramLabel = "ID", split = ",",
            description = "only records of these providers (e.g. aws); default: whichever provider recognizes each record")
    List<String> sources;

    @Option(names = "--plugins", paramLabel = "DIR", description = "plugins folder (default: plugins of the installation)")
    Path pluginsDir;

    @Option(names = "--exceptions", paramLabel = "DIR",
            description = "tuning folder: exceptions and suppression (repeatable; default: none, every match is an alert)")
    List<Path> exceptionDirs;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "files to replay")
    List<Path> files;

    PrintStream out = System.out;
    PrintStream err = System.err;
    /** The progress line: on a terminal only. */
    Supplier<ProgressLine> progress = ProgressLine::onTerminal;

    @Override
    public Integer call() throws IOException {
        Path home = ConfigLoader.homeFromSystem();
        List<Path> dirs = ruleDirs != null ? ruleDirs : List.of(home.resolve("conf/rules"));
        RuleSet rules;
        try {
            rules = RuleSet.load(dirs);
        } catch (RuleLoadException e) {
            e.problems().forEach(p -> err.println("rules: " + p));
            return ExitCodes.INVALID;
        }
        rules.warnings().forEach(w -> err.println("rules: warning: " + w));
        TuningFiles tuningFiles = TuningFiles.load(exceptionDirs != null ? exceptionDirs : List.of(), Instant.now());
        if (!tuningFiles.problems().isEmpty()) {
            tuningFiles.problems().forEach(p -> err.println("exceptions: " + p));
            return ExitCodes.INVALID;
        }
        tuningFiles.warnings().forEach(w -> err.println("exceptions: warning: " + w));
        try (PluginRegistry plugins = PluginRegistry.load(pluginsDir != null ? pluginsDir : home.resolve("plugins"))) {
            List<String> ids = sources != null ? sources : plugins.loaded().stream().map(PluginRegistry.LoadedPlugin::id).toList();
            for (String id : ids) {
                try {
                    plugins.factory(id);
                } catch (PluginLoadException e) {
                    err.println("--source " + id + ": " + e.getMessage());
                    return ExitCodes.INVALID;
                }
            }
            ProviderFactory fileFactory;
            try {
                fileFactory = plugins.factory("file");
            } catch (PluginLoadException e) {
                err.println("replay reads files with the drop-folder plugin: " + e.getMessage());
                return ExitCodes.FAILURE;
            }
            ProviderConfig fileConfig = new ProviderConfig("replay", Map.of("files", files.stream().map(Path::toString).toList()),
                    SecretReferences.fromSystem());
            Provider provider = fileFactory.create(fileConfig);
            if (provider == null || !fileConfig.problems().isEmpty()) {
                fileConfig.problems().forEach(p -> err.println(p.replaceFirst("^replay\\.", "")));
                return ExitCodes.INVALID;
            }
            try (provider; Store store = new SqliteStore(SqliteStore.IN_MEMORY)) {
                return replay(rules, new Tuning(tuningFiles, Clock.systemUTC()), plugins, ids, provider, store);
            }
        }
    }

    private int replay(RuleSet rules, Tuning tuning, PluginRegistry plugins, List<String> ids, Provider provider, Store store)
            throws IOException {
        DetectionEngine engine = new DetectionEngine(rules, ALLOWED_LATENESS);
        AlertFactory alerts = new AlertFactory(engine);
        Pipeline pipeline = new Pipeline(store, engine, alerts::toAlert, tuning, new QuotaLimiters(), () -> false, () -> { });
        StreamSpec files = provider.streams().get(0);
        // Every file now, in one window: one pass, and the hits of all files sorted together by event time.
        StreamSpec spec = files.withTiming(Duration.ZERO, Duration.ZERO, files.maxWindow(), files.initialBackfill());
        Function<RawRecord, Normalizer> router = record -> plugins.route(record, ids).orElse(null);
        PollResult result;
        try (ProgressLine line = progress.get()) {
            Source counted = new ProgressSource(provider.source(), line, this.files.size());
            result = new StreamPoller(spec, counted, router, pipeline).pollOnce();
        }

        long sent = 0;
        try (StdoutOutput output = new StdoutOutput(OUTPUT, out, format, CefEncoder.forThisBuild())) {
            List<Store.OutboxEntry> batch;
            while (!(batch = store.pending(OUTPUT, 1000)).isEmpty()) {
                for (Store.OutboxEntry e : batch) {
                    output.send(e.alert());
                    sent++;
                }
                output.flush();
                store.markSent(OUTPUT, batch.get(batch.size() - 1).seq());
            }
        }
        for (Store.Rejected r : store.rejected(spec.key(), 1000)) {
            err.println("rejected: " + r.origin() + ": " + r.reason());
        }
        String error = store.streamHealth().stream().filter(h -> h.streamKey().equals(spec.key()))
                .map(Store.StreamHealth::lastError).filter(e -> e != null).findFirst().orElse(null);
        long excepted = store.ruleStats().stream().mapToLong(Store.RuleStats::excepted).sum();
        long suppressed = store.ruleStats().stream().mapToLong(Store.RuleStats::suppressed).sum();
        err.printf("replay: %d new events, %d alerts, %d rejected records, %d matches excepted, %d suppressed%n",
                result.newEvents(), sent, result.rejected(), excepted, suppressed);
        if (result.outcome() == PollResult.Outcome.FAILED) {
            err.println("replay failed: " + (error == null ? "see the log above" : error));
            return ExitCodes.FAILURE;
        }
        return ExitCodes.OK;
    }

    /**
     * The drop-folder plugin's source, counting for the progress line: records as pages pass through,
     * files as the plugin marks them done.
     */
    private record ProgressSource(Source plugin, ProgressLine line, int files) implements Source {
        @Override
        public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
            long[] records = {0};
            int[] filesDone = {0};
            plugin.fetch(stream, window, new FetchContext() {
                @Override
                public void page(List<RawRecord> page) {
                    context.page(page);
                    records[0] += page.size();
                    show();
                }

                @Override
                public <T> T call(String what, Request<T> request) throws CollectorException {
                    return context.call(what, request);
                }

                @Override
                public void warn(String message) {
                    context.warn(message);
                }

                @Override
                public boolean itemMarked(String itemKey) {
                    return context.itemMarked(itemKey);
                }

                @Override
                public void markItem(String itemKey, String state) {
                    context.markItem(itemKey, state);
                    filesDone[0]++;
                    show();
                }

                @Override
                public boolean stopping() {
                    return context.stopping();
                }

                private void show() {
                    line.show(ProgressLine.bar(filesDone[0], files) + " files " + filesDone[0] + "/" + files
                            + ", records " + records[0]);
                }
            });
        }

        @Override
        public Instant serverNow(StreamSpec stream) {
            return plugin.serverNow(stream);
        }
    }
}
