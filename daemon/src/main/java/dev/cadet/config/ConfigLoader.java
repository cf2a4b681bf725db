package dev.cadet.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.config.CadetConfig.DetectionSettings;
import dev.cadet.config.CadetConfig.ForwarderSettings;
import dev.cadet.config.CadetConfig.HttpSettings;
import dev.cadet.config.CadetConfig.ProviderEntry;
import dev.cadet.config.CadetConfig.StoreSettings;
import dev.cadet.config.CadetConfig.Synchronous;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code cadet.yaml} into a {@link CadetConfig}. Never throws on bad content: every problem is
 * recorded with its path in the file ({@code store.retention: not a duration: "3x" ...}) or, for YAML
 * syntax errors, with its line and column, so that {@code cadet check-config} can list all of them.
 *
 * <p>Every text value may use {@code ${cadet.home}} (system property {@code cadet.home}, default the
 * current directory). Secret references ({@code ${env:..}}, {@code ${file:..}}, {@code ${credential:..}})
 * are left for {@link ProviderConfig#secret} to resolve with {@link SecretReferences}.
 * The daemon's own sections are read with {@link ProviderConfig} too, so there is one way of reading config.
 */
public final class ConfigLoader {

    /** The embedded config used when no {@code --config} is given (the README's first command). */
    public static final String DEFAULT_RESOURCE = "dev/cadet/config/default-cadet.yaml";

    static final Duration DEFAULT_SCHEDULE = Duration.ofMinutes(1);
    static final Duration DEFAULT_RETENTION = Duration.ofDays(30);
    static final int DEFAULT_BATCH_SIZE = 100;

    private static final Set<String> SECTIONS = Set.of("store", "detection", "plugins", "providers", "outputs", "forwarder", "http");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([^}]*)}");
    private static final String HOME = "${cadet.home}";

    private final Path home;
    private final ProviderConfig.SecretResolver secrets;
    private final ObjectMapper yaml;

    /**
     * @param home    what {@code ${cadet.home}} stands for
     * @param secrets how secret references are resolved (see {@link SecretReferences})
     */
    public ConfigLoader(Path home, ProviderConfig.SecretResolver secrets) {
        this.home = home.toAbsolutePath().normalize();
        this.secrets = secrets;
        this.yaml = new ObjectMapper(new YAMLFactory());
        this.yaml.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    /** {@code ${cadet.home}} from the system property, secrets from the process environment. */
    public static ConfigLoader fromSystem() {
        return new ConfigLoader(homeFromSystem(), SecretReferences.fromSystem());
    }

    /** System property {@code cadet.home}, else the current directory. */
    public static Path homeFromSystem() {
        String h = System.getProperty("cadet.home");
        return Path.of(h == null || h.isBlank() ? "" : h).toAbsolutePath().normalize();
    }

    public Path home() {
        return home;
    }

    /** Reads a config file; an unreadable file is a problem of the result, not an exception. */
    public CadetConfig load(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return failed(file.toString(), file + ": config file not found");
        } catch (IOException e) {
            return failed(file.toString(), file + ": cannot read config file: " + e.getMessage());
        }
        return parse(text, file.toString());
    }

    /** Reads the embedded default config. */
    public CadetConfig loadDefault() {
        try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing class path resource " + DEFAULT_RESOURCE);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "embedded default config");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads config text.
     *
     * @param source named in syntax errors, e.g. the file path
     */
    public CadetConfig parse(String text, String source) {
        Object root;
        try {
            JsonNode tree = yaml.readTree(text);
            // A file with nothing but comments is an empty config.
            root = tree == null || tree.isMissingNode() || tree.isNull() ? null : yaml.treeToValue(tree, Object.class);
        } catch (JsonProcessingException e) {
            return failed(source, syntaxError(source, e));
        }
        List<String> problems = new ArrayList<>();
        if (root == null) {
            root = Map.of();
        }
        if (!(root instanceof Map<?, ?>)) {
            return failed(source, source + ": expected a mapping of sections (store, detection, plugins, providers, outputs, forwarder)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> sections = (Map<String, Object>) expand(root, "", problems);
        for (String key : sections.keySet()) {
            if (!SECTIONS.contains(key)) {
                problems.add(key + ": unknown key (expected one of store, detection, plugins, providers, outputs, forwarder, http)");
            }
        }

        ProviderConfig store = section(sections, "store", problems);
        StoreSettings storeSettings = new StoreSettings(
                path(store, "path", "./data/cadet.db"),
                store.duration("retention", DEFAULT_RETENTION),
                Synchronous.valueOf(store.choice("synchronous", "normal", List.of("normal", "full")).toUpperCase(Locale.ROOT)));

        ProviderConfig detection = section(sections, "detection", problems);
        List<Path> ruleDirs = new ArrayList<>();
        for (String dir : detection.strings("rules")) {
            toPath(dir).ifPresentOrElse(ruleDirs::add, () -> detection.problem("rules", "not a path: \"" + dir + "\""));
        }
        Optional<Duration> allowedLateness = optionalDuration(detection, "allowed_lateness");
        List<Path> exceptionDirs = new ArrayList<>();
        for (String dir : detection.strings("exceptions")) {
            toPath(dir).ifPresentOrElse(exceptionDirs::add, () -> detection.problem("exceptions", "not a path: \"" + dir + "\""));
        }

        ProviderConfig plugins = section(sections, "plugins", problems);
        Path pluginsDir = path(plugins, "dir", home.resolve("plugins").toString());

        List<ProviderEntry> providers = providers(sections.get("providers"), problems);
        List<ProviderConfig> outputs = outputs(sections.get("outputs"), problems);

        ProviderConfig forwarder = section(sections, "forwarder", problems);
        ForwarderSettings forwarderSettings = new ForwarderSettings(forwarder.integer("batch_size", DEFAULT_BATCH_SIZE, 1, 100_000));

        ProviderConfig http = section(sections, "http", problems);
        HttpSettings httpSettings = http(http);

        for (ProviderConfig c : List.of(store, detection, plugins, forwarder, http)) {
            problems.addAll(c.problems());
        }
        return new CadetConfig(source, storeSettings, new DetectionSettings(ruleDirs, allowedLateness, exceptionDirs), pluginsDir,
                providers, outputs, forwarderSettings, httpSettings, problems);
    }

    private List<ProviderEntry> providers(Object value, List<String> problems) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof Map<?, ?> byPlugin)) {
            problems.add("providers: expected a mapping of plugin id to a list of entries");
            return List.of();
        }
        List<ProviderEntry> out = new ArrayList<>();
        Map<String, String> pathByName = new HashMap<>();
        for (Map.Entry<?, ?> e : byPlugin.entrySet()) {
            String pluginId = String.valueOf(e.getKey());
            if (!(e.getValue() instanceof List<?> entries)) {
                problems.add("providers." + pluginId + ": expected a list of entries (start each with \"- \")");
                continue;
            }
            for (int i = 0; i < entries.size(); i++) {
                String path = "providers." + pluginId + "[" + i + "]";
                if (!(entries.get(i) instanceof Map<?, ?> m)) {
                    problems.add(path + ": expected a mapping");
                    continue;
                }
                ProviderEntry entry = providerEntry(pluginId, i, path, asStringMap(m));
                String other = pathByName.putIfAbsent(entry.name(), path);
                if (other != null) {
                    entry.config().problem("name", "duplicate name \"" + entry.name() + "\" (also used by " + other + ")");
                }
                out.add(entry);
            }
        }
        return out;
    }

    private ProviderEntry providerEntry(String pluginId, int index, String path, Map<String, Object> values) {
        ProviderConfig c = new ProviderConfig(path, values, secrets);
        String name = c.string("name", pluginId + "[" + index + "]");
        boolean enabled = c.bool("enabled", true);
        Duration schedule = c.duration("schedule", DEFAULT_SCHEDULE);
        if (schedule.isZero()) {
            c.problem("schedule", "must be longer than 0");
            schedule = DEFAULT_SCHEDULE;
        }
        Optional<Duration> maxWindow = optionalDuration(c, "max_window");
        if (maxWindow.isPresent() && maxWindow.get().isZero()) {
            c.problem("max_window", "must be longer than 0");
            maxWindow = Optional.empty();
        }
        return new ProviderEntry(pluginId, index, name, enabled, schedule,
                optionalDuration(c, "settle_lag"), optionalDuration(c, "rescan_overlap"), maxWindow,
                optionalDuration(c, "initial_backfill"), c);
    }

    private List<ProviderConfig> outputs(Object value, List<String> problems) {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add("outputs: expected a list of entries (start each with \"- \")");
            return List.of();
        }
        List<ProviderConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Map<?, ?> m) {
                out.add(new ProviderConfig("outputs[" + i + "]", asStringMap(m), secrets));
            } else {
                problems.add("outputs[" + i + "]: expected a mapping");
            }
        }
        return out;
    }

    private ProviderConfig section(Map<String, Object> sections, String name, List<String> problems) {
        Object v = sections.get(name);
        if (v != null && !(v instanceof Map<?, ?>)) {
            problems.add(name + ": expected a mapping");
            v = null;
        }
        return new ProviderConfig(name, v == null ? Map.of() : asStringMap((Map<?, ?>) v), secrets);
    }

    private static HttpSettings http(ProviderConfig c) {
        HttpSettings d = HttpSettings.OFF;
        boolean enabled = c.bool("enabled", d.enabled());
        InetSocketAddress listen = c.parsed("listen", ConfigLoader::listenAddress).orElse(d.listen());
        int failures = c.integer("unhealthy_after_failures", d.unhealthyAfterFailures(), 1, 1_000_000);
        int schedules = c.integer("unhealthy_after_schedules", d.unhealthyAfterSchedules(), 1, 1_000_000);
        return new HttpSettings(enabled, listen, failures, schedules);
    }

    private static final Pattern LISTEN = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([0-9.]+)|(localhost)):([0-9]{1,5})");

    /**
     * {@code 127.0.0.1:9464}, {@code [::1]:9464} or {@code localhost:9464}: an address, never a name
     * to look up, so reading the config never waits on DNS.
     */
    static InetSocketAddress listenAddress(String text) {
        Matcher m = LISTEN.matcher(text.strip());
        String expected = "expected an IP address and a port such as 127.0.0.1:9464 or [::1]:9464, not \"" + text + "\"";
        if (!m.matches()) {
            throw new IllegalArgumentException(expected);
        }
        int port = Integer.parseInt(m.group(4));
        if (port > 65535) {
            throw new IllegalArgumentException("port " + port + " is out of range (0-65535)");
        }
        if (m.group(3) != null) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        }
        String ip = m.group(1) != null ? m.group(1) : m.group(2);
        if (m.group(2) != null && !ip.matches("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}")) {
            throw new IllegalArgumentException("not an IPv4 address: \"" + ip + "\"");
        }
        try {
            // a literal: no lookup happens
            return new InetSocketAddress(InetAddress.getByName(ip), port);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(expected);
        }
    }

    private static Optional<Duration> optionalDuration(ProviderConfig c, String key) {
        return c.has(key) ? Optional.ofNullable(c.duration(key, null)) : Optional.empty();
    }

    private static Path path(ProviderConfig c, String key, String defaultValue) {
        String s = c.string(key, defaultValue);
        Optional<Path> p = toPath(s);
        if (p.isEmpty()) {
            c.problem(key, "not a path: \"" + s + "\"");
            return Path.of(defaultValue);
        }
        return p.get();
    }

    private static Optional<Path> toPath(String s) {
        try {
            return s.isBlank() ? Optional.empty() : Optional.of(Path.of(s));
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    /** Replaces {@code ${cadet.home}} in every text value and reports placeholders nobody understands. */
    private Object expand(Object value, String path, List<String> problems) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                String key = String.valueOf(e.getKey());
                out.put(key, expand(e.getValue(), path.isEmpty() ? key : path + "." + key, problems));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(expand(list.get(i), path + "[" + i + "]", problems));
            }
            return out;
        }
        if (value instanceof String s && s.contains("${")) {
            Matcher m = PLACEHOLDER.matcher(s);
            while (m.find()) {
                String inner = m.group(1);
                if (!inner.equals("cadet.home") && !inner.startsWith("env:") && !inner.startsWith("file:")
                        && !inner.startsWith("credential:")) {
                    problems.add(path + ": unknown placeholder ${" + inner
                            + "} (use ${cadet.home}, or for secrets ${env:NAME}, ${file:/path}, ${credential:NAME})");
                }
            }
            return s.replace(HOME, home.toString());
        }
        return value;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asStringMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static String syntaxError(String source, JsonProcessingException e) {
        if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
            // SnakeYAML says what it was reading (context) and what it found there (problem).
            String what = (y.getContext() == null ? "" : y.getContext() + ": ") + y.getProblem();
            return source + ":" + (y.getProblemMark().getLine() + 1) + ":" + (y.getProblemMark().getColumn() + 1)
                    + ": YAML syntax error: " + what;
        }
        JsonLocation at = e.getLocation();
        String where = at == null ? source : source + ":" + at.getLineNr() + ":" + at.getColumnNr();
        String message = e.getOriginalMessage();
        // SnakeYAML repeats the position and a snippet on further lines; the first line says what is wrong.
        int nl = message.indexOf('\n');
        if (nl > 0) {
            message = message.substring(0, nl);
        }
        return where + ": YAML syntax error: " + message.strip();
    }

    private CadetConfig failed(String source, String problem) {
        return new CadetConfig(source,
                new StoreSettings(Path.of("./data/cadet.db"), DEFAULT_RETENTION, Synchronous.NORMAL),
                new DetectionSettings(List.of(), Optional.empty()), home.resolve("plugins"),
                List.of(), List.of(), new ForwarderSettings(DEFAULT_BATCH_SIZE), HttpSettings.OFF, List.of(problem));
    }
}
