package dev.cadet.collector;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One config entry handed to a plugin ({@code providers.aws[0]}), with typed getters that record
 * problems under their full path instead of throwing, so {@code cadet check-config} can print all of
 * them at once. Keys that are never read are reported as unknown by {@link #problems()}.
 *
 * <p>Values come from YAML: {@link String}, {@link Number}, {@link Boolean}, {@link List}, {@link Map}.
 */
public final class ProviderConfig {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SECRET_REF = Pattern.compile("\\$\\{(env|file|credential):([^}]+)}");

    /** Turns a secret reference such as {@code ${env:NAME}} into a {@link Secret}; throws with a reason. */
    @FunctionalInterface
    public interface SecretResolver {
        Secret resolve(String kind, String name) throws IllegalArgumentException;
    }

    private final String path;
    private final Map<String, Object> values;
    private final SecretResolver secrets;
    private final List<String> problems;
    private final Set<String> read = new HashSet<>();
    private final List<ProviderConfig> children = new ArrayList<>();

    public ProviderConfig(String path, Map<String, ?> values, SecretResolver secrets) {
        this(path, values, secrets, new ArrayList<>());
    }

    private ProviderConfig(String path, Map<String, ?> values, SecretResolver secrets, List<String> problems) {
        this.path = path;
        this.values = new LinkedHashMap<>(values == null ? Map.of() : values);
        this.secrets = secrets;
        this.problems = problems;
    }

    /** Where this entry is in the config file, e.g. {@code providers.aws[0]}. */
    public String path() {
        return path;
    }

    public boolean has(String key) {
        read.add(key);
        return values.get(key) != null;
    }

    public Set<String> keys() {
        return Collections.unmodifiableSet(values.keySet());
    }

    /** Records a problem with a key of this entry, e.g. {@code problem("region", "unknown region \"x\"")}. */
    public void problem(String key, String message) {
        problems.add(path + (key == null || key.isEmpty() ? "" : "." + key) + ": " + message);
    }

    /** Every problem recorded in this entry and its sub-entries, plus keys nobody read. */
    public List<String> problems() {
        List<String> all = new ArrayList<>(problems);
        collectUnknown(all);
        return all;
    }

    private void collectUnknown(List<String> out) {
        for (String k : values.keySet()) {
            if (!read.contains(k)) {
                out.add(path + "." + k + ": unknown key");
            }
        }
        for (ProviderConfig c : children) {
            c.collectUnknown(out);
        }
    }

    public Optional<String> string(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (v instanceof Map || v instanceof List) {
            problem(key, "expected a text value");
            return Optional.empty();
        }
        String s = v.toString();
        if (SECRET_REF.matcher(s).find()) {
            problem(key, "is not a secret field: give the value itself, not a reference");
            return Optional.empty();
        }
        return Optional.of(s);
    }

    public String string(String key, String defaultValue) {
        return string(key).orElse(defaultValue);
    }

    /** A required text value; records "missing" and returns null when absent. */
    public String requireString(String key) {
        Optional<String> s = string(key);
        if (s.isEmpty() && raw(key) == null) {
            problem(key, "missing");
        }
        return s.orElse(null);
    }

    /** One of the allowed values, compared exactly. */
    public String choice(String key, String defaultValue, List<String> allowed) {
        String s = string(key, defaultValue);
        if (s != null && !allowed.contains(s)) {
            problem(key, "unknown value \"" + s + "\" (expected one of " + String.join(", ", allowed) + ")");
            return defaultValue;
        }
        return s;
    }

    public List<String> strings(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (v instanceof String s) {
            return List.of(s);
        }
        if (!(v instanceof List<?> list)) {
            problem(key, "expected a list of text values");
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item == null || item instanceof Map || item instanceof List) {
                problem(key + "[" + i + "]", "expected a text value");
            } else {
                out.add(item.toString());
            }
        }
        return out;
    }

    public int integer(String key, int defaultValue, int min, int max) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = v instanceof Number num ? num.longValue() : Long.parseLong(v.toString().trim());
            if (n < min || n > max) {
                problem(key, "must be between " + min + " and " + max + ", got " + n);
                return defaultValue;
            }
            return (int) n;
        } catch (NumberFormatException e) {
            problem(key, "not a whole number: \"" + v + "\"");
            return defaultValue;
        }
    }

    public boolean bool(String key, boolean defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
            return Boolean.parseBoolean(s);
        }
        problem(key, "expected true or false, got \"" + v + "\"");
        return defaultValue;
    }

    /** A duration such as {@code 90s}, {@code 5m}, {@code 1h}, {@code 7d}, {@code 250ms} or ISO-8601 {@code PT5M}. */
    public Duration duration(String key, Duration defaultValue) {
        Object v = raw(key);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parseDuration(v.toString());
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return defaultValue;
        }
    }

    /** An absolute http(s) URL, for endpoint overrides. */
    public Optional<URI> uri(String key) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            URI u = new URI(s.get());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                problem(key, "expected an absolute http(s) URL, got \"" + s.get() + "\"");
                return Optional.empty();
            }
            return Optional.of(u);
        } catch (URISyntaxException e) {
            problem(key, "not a URL: \"" + s.get() + "\"");
            return Optional.empty();
        }
    }

    /**
     * A secret, which must be given by reference: {@code ${env:NAME}}, {@code ${file:/path}} or
     * {@code ${credential:NAME}} (systemd {@code LoadCredential=}). An inline value is a problem, and
     * the problem text never repeats it.
     */
    public Optional<Secret> secret(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        Matcher m = SECRET_REF.matcher(v.toString().trim());
        if (!m.matches()) {
            problem(key, "secrets must be given by reference: ${env:NAME}, ${file:/path} or ${credential:NAME} (inline value not shown)");
            return Optional.empty();
        }
        try {
            return Optional.of(secrets.resolve(m.group(1), m.group(2)));
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return Optional.empty();
        }
    }

    /** A nested entry, e.g. {@code assume_role:}; its problems and unknown keys are reported with its path. */
    public Optional<ProviderConfig> object(String key) {
        Object v = raw(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Map<?, ?> m)) {
            problem(key, "expected a mapping");
            return Optional.empty();
        }
        return Optional.of(child(path + "." + key, m));
    }

    /** A list of nested entries, each reported as {@code key[i]}. */
    public List<ProviderConfig> objects(String key) {
        Object v = raw(key);
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            problem(key, "expected a list");
            return List.of();
        }
        List<ProviderConfig> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i) instanceof Map<?, ?> m) {
                out.add(child(path + "." + key + "[" + i + "]", m));
            } else {
                problem(key + "[" + i + "]", "expected a mapping");
            }
        }
        return out;
    }

    /** Reads a value with a custom parser that throws {@link IllegalArgumentException} with a reason. */
    public <T> Optional<T> parsed(String key, Function<String, T> parser) {
        Optional<String> s = string(key);
        if (s.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(parser.apply(s.get()));
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return Optional.empty();
        }
    }

    @SuppressWarnings("unchecked")
    private ProviderConfig child(String childPath, Map<?, ?> m) {
        ProviderConfig c = new ProviderConfig(childPath, (Map<String, ?>) m, secrets, problems);
        children.add(c);
        return c;
    }

    private Object raw(String key) {
        read.add(key);
        return values.get(key);
    }

    /** Parses {@code 250ms}, {@code 90s}, {@code 5m}, {@code 1h}, {@code 7d}, {@code 0} or ISO-8601 ({@code PT5M}). */
    public static Duration parseDuration(String text) {
        String s = text.trim();
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        try {
            Duration d = Duration.parse(s);
            if (d.isNegative()) {
                throw new IllegalArgumentException("duration must not be negative: \"" + text + "\"");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration: \"" + text + "\" (use e.g. 90s, 5m, 1h, 7d)");
        }
    }
}
