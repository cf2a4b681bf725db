package dev.cadet.detect.tuning;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.detect.DetectionEngine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The tuning files of one or more directories: every {@code *.yaml} / {@code *.yml}, in file-name
 * order, each with two optional lists:
 *
 * <pre>
 * exceptions:
 *   - rule: aws-user-created-then-credentials   # a rule id, or "*" for every rule
 *     user_agent: "APN/1.0 HashiCorp/* Terraform/*"  # glob, case-insensitive
 *     actor: "terraform-deploy"                  # glob on user.name
 *     source_ip: 10.20.0.0/16                    # IP or CIDR, IPv4 or IPv6
 *     target: "svc-*"                            # glob on user.target.name
 *     account: "111122223333"                    # exact cloud.account.id
 *     active: {from: 2026-03-02, until: 2026-03-07}  # optional, event time; a date's until is that day's end (UTC)
 *     reason: "Terraform pipeline of the platform team"   # required
 *     expires: 2026-12-31                        # required; a date means the end of that day, UTC
 * suppress:
 *   - rule: gws-user-created
 *     by: [user.target.name]                     # fields of the match's first event
 *     for: 1h
 *     reason: "..."                              # required
 * </pre>
 *
 * Problems name the file and the entry ({@code iac.yaml: exceptions[2].source_ip: not an IP or CIDR:
 * "10.0.0.0/33"}); expired exceptions are warnings and are left out.
 */
public final class TuningFiles {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> TOP = Set.of("exceptions", "suppress");
    private static final Set<String> EXCEPTION_KEYS = Set.of("rule", "actor", "user_agent", "source_ip", "target", "account",
            "active", "reason", "expires");
    private static final Set<String> SUPPRESS_KEYS = Set.of("rule", "by", "for", "reason");

    private final List<ExceptionEntry> exceptions;
    private final List<SuppressionEntry> suppressions;
    private final List<String> problems;
    private final List<String> warnings;

    private TuningFiles(List<ExceptionEntry> exceptions, List<SuppressionEntry> suppressions, List<String> problems,
                        List<String> warnings) {
        this.exceptions = List.copyOf(exceptions);
        this.suppressions = List.copyOf(suppressions);
        this.problems = List.copyOf(problems);
        this.warnings = List.copyOf(warnings);
    }

    public static final TuningFiles NONE = new TuningFiles(List.of(), List.of(), List.of(), List.of());

    /** Exceptions in force (not expired at load), in file order. */
    public List<ExceptionEntry> exceptions() {
        return exceptions;
    }

    public List<SuppressionEntry> suppressions() {
        return suppressions;
    }

    /** What is wrong, each {@code file: path: problem}; use the files only when empty. */
    public List<String> problems() {
        return problems;
    }

    /** Expired exceptions, each {@code file: exceptions[i]: expired ...}. */
    public List<String> warnings() {
        return warnings;
    }

    /** Reads every tuning file of the directories; expiry is judged at {@code now}. */
    public static TuningFiles load(List<Path> dirs, Instant now) {
        List<ExceptionEntry> exceptions = new ArrayList<>();
        List<SuppressionEntry> suppressions = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path dir : dirs) {
            if (!Files.isDirectory(dir)) {
                problems.add(dir + ": the exceptions directory does not exist (or is not a directory)");
                continue;
            }
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile).filter(TuningFiles::isTuningFile)
                        .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
            } catch (IOException e) {
                problems.add(dir + ": cannot list the exceptions directory: " + e.getMessage());
                continue;
            }
            for (Path file : files) {
                new FileReader(file, now, exceptions, suppressions, problems, warnings).read();
            }
        }
        return new TuningFiles(exceptions, suppressions, problems, warnings);
    }

    private static boolean isTuningFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** Reads one file, adding what it finds to the shared lists. */
    private static final class FileReader {
        private final Path file;
        private final Instant now;
        private final List<ExceptionEntry> exceptions;
        private final List<SuppressionEntry> suppressions;
        private final List<String> problems;
        private final List<String> warnings;

        FileReader(Path file, Instant now, List<ExceptionEntry> exceptions, List<SuppressionEntry> suppressions,
                   List<String> problems, List<String> warnings) {
            this.file = file;
            this.now = now;
            this.exceptions = exceptions;
            this.suppressions = suppressions;
            this.problems = problems;
            this.warnings = warnings;
        }

        void read() {
            Object root;
            try {
                String text = Files.readString(file);
                var tree = YAML.readTree(text);
                root = tree == null || tree.isMissingNode() || tree.isNull() ? null : YAML.treeToValue(tree, Object.class);
            } catch (JsonProcessingException e) {
                problem("", "not valid YAML: " + e.getOriginalMessage()
                        + (e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")"));
                return;
            } catch (IOException e) {
                problem("", "cannot read: " + e.getMessage());
                return;
            }
            if (root == null) {
                return; // only comments: nothing to apply
            }
            if (!(root instanceof Map<?, ?> top)) {
                problem("", "expected a mapping with \"exceptions\" and/or \"suppress\"");
                return;
            }
            for (Object key : top.keySet()) {
                if (!TOP.contains(String.valueOf(key))) {
                    problem(String.valueOf(key), "unknown key (expected exceptions or suppress)");
                }
            }
            List<Map<?, ?>> ex = list(top.get("exceptions"), "exceptions");
            for (int i = 0; i < ex.size(); i++) {
                if (ex.get(i) != null) {
                    exception(ex.get(i), "exceptions[" + i + "]");
                }
            }
            List<Map<?, ?>> su = list(top.get("suppress"), "suppress");
            for (int i = 0; i < su.size(); i++) {
                if (su.get(i) != null) {
                    suppression(su.get(i), "suppress[" + i + "]");
                }
            }
        }

        private void exception(Map<?, ?> m, String path) {
            int before = problems.size();
            unknownKeys(m, EXCEPTION_KEYS, path);
            String rule = requiredText(m, "rule", path);
            String reason = requiredText(m, "reason", path);
            Glob actor = glob(m, "actor", path);
            Glob userAgent = glob(m, "user_agent", path);
            Glob target = glob(m, "target", path);
            if (m.get("account") instanceof Number) {
                problem(path + ".account", "quote the account id (\"012345678901\") so YAML keeps it as text");
            }
            String account = text(m, "account", path);
            IpRange sourceIp = null;
            String ip = text(m, "source_ip", path);
            if (ip != null) {
                try {
                    sourceIp = IpRange.parse(ip);
                } catch (IllegalArgumentException e) {
                    problem(path + ".source_ip", e.getMessage());
                }
            }
            if (actor == null && userAgent == null && target == null && account == null && ip == null) {
                problem(path, "needs at least one condition: actor, user_agent, source_ip, target or account");
            }
            Instant expires = null;
            String exp = requiredText(m, "expires", path);
            if (exp != null) {
                expires = time(exp, true, path + ".expires");
            }
            Instant from = null;
            Instant until = null;
            Object active = m.get("active");
            if (active != null) {
                if (active instanceof Map<?, ?> a) {
                    unknownKeys(a, Set.of("from", "until"), path + ".active");
                    String f = requiredText(a, "from", path + ".active");
                    String u = requiredText(a, "until", path + ".active");
                    from = f == null ? null : time(f, false, path + ".active.from");
                    until = u == null ? null : time(u, true, path + ".active.until");
                    if (from != null && until != null && !from.isBefore(until)) {
                        problem(path + ".active", "from must be before until");
                    }
                } else {
                    problem(path + ".active", "expected a mapping {from: ..., until: ...}");
                }
            }
            if (problems.size() > before) {
                return;
            }
            String where = file + ": " + path;
            if (!now.isBefore(expires)) {
                warnings.add(where + ": expired " + expires + ", no longer applied (rule " + rule + ", reason: " + reason + ")");
                return;
            }
            exceptions.add(new ExceptionEntry(where, rule, actor, userAgent, sourceIp, target, account, reason, expires,
                    from, until));
        }

        private void suppression(Map<?, ?> m, String path) {
            int before = problems.size();
            unknownKeys(m, SUPPRESS_KEYS, path);
            String rule = requiredText(m, "rule", path);
            String reason = requiredText(m, "reason", path);
            List<String> by = new ArrayList<>();
            Object b = m.get("by");
            if (b instanceof String s) {
                b = List.of(s);
            }
            if (!(b instanceof List<?> list) || list.isEmpty()) {
                problem(path + ".by", "required: a list of fields, e.g. [user.target.name]");
            } else {
                for (int i = 0; i < list.size(); i++) {
                    String field = String.valueOf(list.get(i));
                    if (!DetectionEngine.ALERT_FIELDS.contains(field)) {
                        problem(path + ".by[" + i + "]", "unknown field \"" + field + "\" (one of "
                                + String.join(", ", DetectionEngine.ALERT_FIELDS) + ")");
                    }
                    by.add(field);
                }
            }
            Duration length = null;
            String f = requiredText(m, "for", path);
            if (f != null) {
                try {
                    length = ProviderConfig.parseDuration(f);
                    if (length.isZero()) {
                        problem(path + ".for", "must be longer than 0");
                    }
                } catch (IllegalArgumentException e) {
                    problem(path + ".for", e.getMessage());
                }
            }
            if (problems.size() > before) {
                return;
            }
            suppressions.add(new SuppressionEntry(file + ": " + path, rule, by, length, reason));
        }

        /** An ISO date or date-time; a date is its day's start, or with {@code endOfDay} the next day's start (UTC). */
        private Instant time(String text, boolean endOfDay, String path) {
            try {
                if (text.length() == 10) {
                    LocalDate d = LocalDate.parse(text);
                    return (endOfDay ? d.plusDays(1) : d).atStartOfDay(ZoneOffset.UTC).toInstant();
                }
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException e) {
                problem(path, "not an ISO date or date-time with offset: \"" + text + "\" (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)");
                return null;
            }
        }

        private List<Map<?, ?>> list(Object v, String path) {
            List<Map<?, ?>> out = new ArrayList<>();
            if (v == null) {
                return out;
            }
            if (!(v instanceof List<?> l)) {
                problem(path, "expected a list of entries (start each with \"- \")");
                return out;
            }
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) instanceof Map<?, ?> m) {
                    out.add(m);
                } else {
                    problem(path + "[" + i + "]", "expected a mapping");
                    out.add(null);
                }
            }
            return out;
        }

        private void unknownKeys(Map<?, ?> m, Set<String> known, String path) {
            for (Object k : m.keySet()) {
                if (!known.contains(String.valueOf(k))) {
                    problem(path + "." + k, "unknown key (expected one of " + String.join(", ", known.stream().sorted().toList()) + ")");
                }
            }
        }

        private String text(Map<?, ?> m, String key, String path) {
            Object v = m.get(key);
            if (v == null) {
                return null;
            }
            if (v instanceof Map || v instanceof List) {
                problem(path + "." + key, "expected a single value");
                return null;
            }
            String s = String.valueOf(v);
            if (s.isBlank()) {
                problem(path + "." + key, "must not be empty");
                return null;
            }
            return s;
        }

        private String requiredText(Map<?, ?> m, String key, String path) {
            if (!m.containsKey(key) || m.get(key) == null) {
                problem(path + "." + key, "required");
                return null;
            }
            return text(m, key, path);
        }

        private Glob glob(Map<?, ?> m, String key, String path) {
            String s = text(m, key, path);
            return s == null ? null : Glob.of(s);
        }

        private void problem(String path, String message) {
            problems.add(file + ": " + (path.isEmpty() ? "" : path + ": ") + message);
        }
    }
}
