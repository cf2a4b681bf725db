package dev.cadet.config;

import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.StreamSpec;
import dev.cadet.config.CadetConfig.ProviderEntry;
import dev.cadet.detect.tuning.TuningFiles;
import dev.cadet.plugin.PluginLoadException;
import dev.cadet.plugin.PluginRegistry;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a whole configuration and collects ALL its problems, for {@code cadet check-config} and for
 * start-up: the file's own problems, then for each provider entry the problems its plugin recorded
 * in {@code create} plus the keys nobody read, then each output's problems as read by the forwarding
 * code, then the tuning files ({@code detection.exceptions}). Each problem is one line
 * {@code path: what is wrong}; none contains a secret's value.
 */
public final class ConfigCheck {

    /**
     * Reads one {@code outputs[i]} entry the way the forwarding code does (every key it knows,
     * recording bad values with {@link ProviderConfig#problem}) without opening connections. Keys it
     * did not read are then reported as unknown.
     */
    @FunctionalInterface
    public interface OutputReader {
        void read(ProviderConfig output);
    }

    /** A provider entry and the provider its plugin built for it. */
    public record CheckedProvider(ProviderEntry entry, Provider provider) {
    }

    /**
     * The outcome of a check. Holds the providers built on the way, so the daemon can run them when
     * there is no problem; close it otherwise (or when done).
     */
    public static final class Result implements AutoCloseable {
        private final List<String> problems;
        private final List<CheckedProvider> providers;

        Result(List<String> problems, List<CheckedProvider> providers) {
            this.problems = List.copyOf(problems);
            this.providers = List.copyOf(providers);
        }

        public List<String> problems() {
            return problems;
        }

        public boolean ok() {
            return problems.isEmpty();
        }

        /** Every entry whose plugin built a provider, in config order (disabled ones included). */
        public List<CheckedProvider> providers() {
            return providers;
        }

        @Override
        public void close() {
            for (CheckedProvider p : providers) {
                p.provider().close();
            }
        }
    }

    private ConfigCheck() {
    }

    /** Checks {@code config} against the loaded {@code plugins}; {@code outputs} reads the output entries. */
    public static Result check(CadetConfig config, PluginRegistry plugins, OutputReader outputs) {
        Set<String> problems = new LinkedHashSet<>(config.problems());
        List<CheckedProvider> built = new ArrayList<>();
        Map<String, String> streamOwners = new HashMap<>();
        Map<String, String> entraReaders = new HashMap<>();
        for (ProviderEntry entry : config.providers()) {
            ProviderConfig c = entry.config();
            ProviderFactory factory;
            try {
                factory = plugins.factory(entry.pluginId());
            } catch (PluginLoadException e) {
                problems.add(c.path() + ": " + e.getMessage());
                continue;
            }
            Provider provider;
            try {
                provider = factory.create(c);
            } catch (RuntimeException | LinkageError e) {
                problems.addAll(c.problems());
                problems.add(c.path() + ": plugin \"" + entry.pluginId() + "\" failed to read its config: "
                        + e.getClass().getSimpleName() + ": " + e.getMessage());
                continue;
            }
            List<String> entryProblems = c.problems();
            problems.addAll(entryProblems);
            if (provider == null) {
                if (entryProblems.isEmpty()) {
                    problems.add(c.path() + ": plugin \"" + entry.pluginId() + "\" built no provider and reported no problem");
                }
                continue;
            }
            built.add(new CheckedProvider(entry, provider));
            if (entryProblems.isEmpty() && entry.enabled()) {
                checkStreams(entry, provider, streamOwners, problems);
                checkEntraReaders(entry, provider, entraReaders, problems);
            }
        }
        if (!config.detection().exceptionDirs().isEmpty()) {
            problems.addAll(TuningFiles.load(config.detection().exceptionDirs(), Instant.now()).problems());
        }
        for (ProviderConfig output : config.outputs()) {
            try {
                outputs.read(output);
            } catch (RuntimeException e) {
                problems.add(output.path() + ": " + e.getMessage());
            }
            problems.addAll(output.problems());
        }
        return new Result(new ArrayList<>(problems), built);
    }

    private static void checkStreams(ProviderEntry entry, Provider provider, Map<String, String> owners, Set<String> problems) {
        String path = entry.config().path();
        try {
            for (StreamSpec s : provider.streams()) {
                entry.applyTo(s);
                String other = owners.putIfAbsent(s.key(), path);
                if (other != null) {
                    problems.add(path + ": stream \"" + s.key() + "\" is also read by " + other);
                }
            }
        } catch (RuntimeException e) {
            problems.add(path + ": " + e.getMessage());
        }
    }

    /**
     * One Entra ID change is recorded both by Graph directoryAudits (provider-azure) and by the O365
     * {@code Audit.AzureActiveDirectory} content type, with unrelated record ids: reading a tenant's
     * Entra audit through both would raise two alerts for one change. So at most one enabled entry may
     * read it; the operator picks which (docs/architecture.md, "One source for Entra ID").
     */
    private static void checkEntraReaders(ProviderEntry entry, Provider provider, Map<String, String> readers,
                                          Set<String> problems) {
        String path = entry.config().path();
        try {
            for (StreamSpec s : provider.streams()) {
                String tenant = entraTenant(s);
                if (tenant == null) {
                    continue;
                }
                String other = readers.putIfAbsent(tenant, path);
                if (other != null && !other.equals(path)) {
                    problems.add(path + ": reads the Entra ID audit log of tenant " + tenant + ", which " + other
                            + " reads too (Graph directoryAudits and O365 Audit.AzureActiveDirectory record the same"
                            + " changes, so each would alert twice): keep one, e.g. set entra_via: graph on the o365"
                            + " entry, or entra_via: o365 and disable the azure entry");
                }
            }
        } catch (RuntimeException e) {
            problems.add(path + ": " + e.getMessage());
        }
    }

    /** Label a stream declares when it reads a tenant's Entra ID audit log. */
    public static final String ENTRA_TENANT_LABEL = "entra.tenant";

    /**
     * The Entra tenant whose directory audit the stream reads, lower-cased, or null: the stream's
     * {@value #ENTRA_TENANT_LABEL} label, else for Graph streams (dataset {@code azure.auditlogs}) the
     * {@code tenant} label or the tenant in the key {@code azure/<tenant>}.
     */
    static String entraTenant(StreamSpec s) {
        String t = s.labels().get(ENTRA_TENANT_LABEL);
        if (t == null && s.dataset().equals("azure.auditlogs")) {
            t = s.labels().get("tenant");
            if (t == null && s.key().startsWith("azure/")) {
                String rest = s.key().substring("azure/".length());
                int slash = rest.indexOf('/');
                t = slash < 0 ? rest : rest.substring(0, slash);
            }
        }
        return t == null || t.isBlank() ? null : t.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * {@code cadet check-config}: loads the plugins named by the config, checks, prints every problem
     * on its own line (or one line saying the config is fine) and returns the exit code: 0 or 2.
     */
    public static int run(CadetConfig config, OutputReader outputs, PrintStream out) {
        try (PluginRegistry plugins = PluginRegistry.load(config.pluginsDir());
             Result result = check(config, plugins, outputs)) {
            for (String p : result.problems()) {
                out.println(p);
            }
            // expired exceptions no longer apply: worth saying, not worth refusing the config
            TuningFiles.load(config.detection().exceptionDirs(), Instant.now()).warnings()
                    .forEach(w -> out.println("warning: " + w));
            if (!result.ok()) {
                return 2;
            }
            out.println(config.source() + ": OK (" + config.providers().size() + " provider entries, "
                    + config.outputs().size() + " outputs)");
            return 0;
        }
    }
}
