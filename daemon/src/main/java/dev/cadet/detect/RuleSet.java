package dev.cadet.detect;

import dev.cadet.alert.Severity;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.detect.eql.EqlParseException;
import dev.cadet.detect.eql.EqlParser;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The rules of one or more rule directories. A rule is a file: a bare {@code .eql} query (id = file
 * name without extension, name = id, severity medium, risk 47, technique T1136.003), or an
 * Elastic-style {@code .toml} rule ({@code [metadata]}, {@code [rule]} with {@code language = "eql"},
 * {@code [[rule.threat]]}), or a built-in stateful rule ({@code [rule] type = "admin_baseline"}, see
 * {@link AdminBaselineSettings}). Other files are ignored; sub-directories are not read. An Elastic
 * detection-rules file loads unmodified: the keys cadet has no use for are named in one warning.
 *
 * <p>cadet's own key: {@code [rule] allowed_lateness = "3h"} (an EQL rule), how late an event may
 * arrive and still take its place in this rule's sequences; the config's duration syntax
 * ({@code 90s}, {@code 45m}, {@code 3h}, {@code 2d}, ISO-8601 {@code PT3H}). Absent: see {@link AllowedLateness}.
 */
public final class RuleSet {
    static final Severity DEFAULT_SEVERITY = Severity.MEDIUM;
    static final int DEFAULT_RISK = 47;
    static final List<String> DEFAULT_TECHNIQUES = List.of("T1136.003");

    private final List<Rule> rules;
    private final List<String> warnings;

    private RuleSet(List<Rule> rules, List<String> warnings) {
        this.rules = List.copyOf(rules);
        this.warnings = List.copyOf(warnings);
    }

    public static RuleSet of(List<Rule> rules) {
        return new RuleSet(rules, List.of());
    }

    public List<Rule> rules() {
        return rules;
    }

    /**
     * Load-time warnings, each to be logged once: {@code file:line:col: message} for a query, and one
     * {@code file: keys cadet does not use: a.b, c.d} per TOML rule that carries keys cadet ignores
     * (Elastic's {@code index}, {@code from}, {@code tags}, {@code [metadata]}, ...; never fatal).
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * Loads every rule file of the directories, in file-name order.
     *
     * @throws RuleLoadException naming every file that failed, with line and column
     */
    public static RuleSet load(List<Path> dirs) throws RuleLoadException {
        Result r = read(dirs);
        if (!r.problems.isEmpty()) {
            throw new RuleLoadException(r.problems);
        }
        return new RuleSet(r.rules, r.warnings);
    }

    /** For {@code cadet rules check DIR}: every problem, then every warning; empty when all is well. */
    public static List<String> check(Path dir) {
        Result r = read(List.of(dir));
        List<String> out = new ArrayList<>(r.problems);
        r.warnings.forEach(w -> out.add("warning: " + w));
        return out;
    }

    private record Result(List<Rule> rules, List<String> problems, List<String> warnings) {
    }

    private static Result read(List<Path> dirs) {
        List<Rule> rules = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        Map<String, Path> seen = new HashMap<>();
        for (Path dir : dirs) {
            List<Path> files;
            try (Stream<Path> s = Files.list(dir)) {
                files = s.filter(Files::isRegularFile)
                        .filter(p -> isRuleFile(p))
                        .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                        .toList();
            } catch (IOException e) {
                problems.add(dir + ": cannot list rule directory: " + e.getMessage());
                continue;
            }
            for (Path file : files) {
                try {
                    Rule rule = readFile(file, warnings);
                    Path earlier = seen.putIfAbsent(rule.id(), file);
                    if (earlier != null) {
                        problems.add(file + ":1:1: rule id '" + rule.id() + "' is already used by " + earlier);
                        continue;
                    }
                    rules.add(rule);
                } catch (RuleProblem p) {
                    problems.add(p.getMessage());
                }
            }
        }
        return new Result(rules, problems, warnings);
    }

    private static boolean isRuleFile(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".eql") || n.endsWith(".toml");
    }

    /** A problem with one file, already formatted as {@code file:line:col: message}. */
    private static final class RuleProblem extends Exception {
        RuleProblem(Path file, int line, int col, String message) {
            super(file + ":" + line + ":" + col + ": " + message);
        }
    }

    private static Rule readFile(Path file, List<String> warnings) throws RuleProblem {
        String text;
        try {
            text = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new RuleProblem(file, 1, 1, "not UTF-8 text");
        } catch (IOException e) {
            throw new RuleProblem(file, 1, 1, "cannot read: " + e.getMessage());
        }
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".eql")) {
            String id = name.substring(0, name.length() - 4);
            EqlParser.Parsed parsed = parseQuery(file, text, 1, 1);
            parsed.warnings().forEach(w -> warnings.add(file + ":" + w));
            return new Rule(id, id, "", DEFAULT_SEVERITY, DEFAULT_RISK, DEFAULT_TECHNIQUES, List.of(), List.of(),
                    parsed.query(), file);
        }
        return readToml(file, text, warnings);
    }

    /** Parses a query found at (line, col) of the file, reporting errors at file positions. */
    private static EqlParser.Parsed parseQuery(Path file, String query, int line, int col) throws RuleProblem {
        try {
            EqlParser.Parsed parsed = EqlParser.parse(query);
            if (line == 1 && col == 1) {
                return parsed;
            }
            List<String> shifted = new ArrayList<>();
            for (String w : parsed.warnings()) {
                String[] parts = w.split(":", 3);
                int[] at = shift(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), line, col);
                shifted.add(at[0] + ":" + at[1] + ":" + parts[2]);
            }
            return new EqlParser.Parsed(parsed.query(), shifted);
        } catch (EqlParseException e) {
            int[] at = shift(e.line(), e.column(), line, col);
            throw new RuleProblem(file, at[0], at[1],
                    e.problem() + (e.hint() == null ? "" : " (hint: " + e.hint() + ")"));
        }
    }

    private static int[] shift(int qLine, int qCol, int line, int col) {
        return qLine == 1 ? new int[] {line, col + qCol - 1} : new int[] {line + qLine - 1, qCol};
    }

    private static Rule readToml(Path file, String text, List<String> warnings) throws RuleProblem {
        TomlReader.Document doc;
        try {
            doc = TomlReader.read(text);
        } catch (TomlReader.TomlException e) {
            String message = e.getMessage().substring(e.getMessage().indexOf(": ") + 2);
            throw new RuleProblem(file, e.line, e.column, message);
        }
        Map<String, Object> rule = table(doc.root(), "rule");
        if (rule == null) {
            throw new RuleProblem(file, 1, 1, "no [rule] table");
        }
        boolean builtIn = AdminBaselineSettings.TYPE.equals(string(rule, "type"));
        String language = string(rule, "language");
        if (language != null && !language.equals("eql") && !builtIn) {
            throw new RuleProblem(file, 1, 1, "unsupported rule language \"" + language + "\" (only eql)");
        }
        String id = string(rule, "rule_id");
        String query = string(rule, "query");
        if (id == null || id.isBlank()) {
            throw new RuleProblem(file, 1, 1, "[rule] has no rule_id");
        }
        EqlParser.Parsed parsed = null;
        AdminBaseline baseline = null;
        if (builtIn) {
            if (query != null) {
                throw new RuleProblem(file, 1, 1, "a rule of type \"" + AdminBaselineSettings.TYPE + "\" has no query");
            }
            try {
                baseline = new AdminBaseline(AdminBaselineSettings.read(table(rule, AdminBaselineSettings.TYPE)));
            } catch (IllegalArgumentException e) {
                throw new RuleProblem(file, 1, 1, "[rule." + AdminBaselineSettings.TYPE + "] " + e.getMessage());
            }
        } else {
            if (query == null) {
                throw new RuleProblem(file, 1, 1, "[rule] has no query");
            }
            int[] at = doc.stringStarts().getOrDefault("rule.query", new int[] {1, 1});
            parsed = parseQuery(file, query, at[0], at[1]);
            parsed.warnings().forEach(w -> warnings.add(file + ":" + w));
        }

        Severity severity = DEFAULT_SEVERITY;
        String sev = string(rule, "severity");
        if (sev != null) {
            try {
                severity = Severity.parse(sev);
            } catch (IllegalArgumentException e) {
                throw new RuleProblem(file, 1, 1, e.getMessage());
            }
        }
        int risk = DEFAULT_RISK;
        Object riskValue = rule.get("risk_score");
        if (riskValue != null) {
            if (!(riskValue instanceof Long l) || l < 0 || l > 100) {
                throw new RuleProblem(file, 1, 1, "risk_score must be an integer 0-100, got " + riskValue);
            }
            risk = l.intValue();
        }
        Duration lateness = builtIn ? null : allowedLateness(file, rule, doc);
        List<String> techniques = techniques(rule);
        String name = string(rule, "name");
        Set<String> unused = new LinkedHashSet<>();
        unusedKeys(doc.root(), builtIn ? BASELINE_RULE_KEYS : EQL_RULE_KEYS, "", unused);
        if (!unused.isEmpty()) {
            warnings.add(file + ": keys cadet does not use: " + String.join(", ", unused));
        }
        return new Rule(id, name == null ? id : name, orEmpty(string(rule, "description")), severity, risk,
                techniques.isEmpty() ? DEFAULT_TECHNIQUES : techniques,
                strings(rule.get("references")), strings(rule.get("false_positives")),
                parsed == null ? null : parsed.query(), file, baseline, lateness);
    }

    static final String ALLOWED_LATENESS = "allowed_lateness";

    /** {@code [rule] allowed_lateness}, or null when the rule has none. */
    private static Duration allowedLateness(Path file, Map<String, Object> rule, TomlReader.Document doc) throws RuleProblem {
        Object v = rule.get(ALLOWED_LATENESS);
        if (v == null) {
            return null;
        }
        int[] at = doc.stringStarts().getOrDefault("rule." + ALLOWED_LATENESS, new int[] {1, 1});
        String hint = " (hint: a quoted duration such as \"90m\", \"3h\" or \"2d\"; units ms, s, m, h, d)";
        if (!(v instanceof String text)) {
            throw new RuleProblem(file, at[0], at[1], "[rule] " + ALLOWED_LATENESS + " = " + v + " is not a duration" + hint);
        }
        try {
            return ProviderConfig.parseDuration(text);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw new RuleProblem(file, at[0], at[1], "[rule] " + ALLOWED_LATENESS + " = \"" + text + "\" is not a duration" + hint);
        }
    }

    /** Marks a table of the key schema whose content is read, and checked, elsewhere. */
    private static final Object READ_ELSEWHERE = new Object();

    /**
     * The keys of a TOML rule that cadet uses, as nested tables: a key maps to null (a value), to the
     * schema of its table (or array of tables), or to {@link #READ_ELSEWHERE}. Any other key (Elastic's
     * metadata, index, from, tags, note, ...) is listed once per file as a warning.
     */
    private static final Map<String, Object> EQL_RULE_KEYS = ruleKeys("language", "query", ALLOWED_LATENESS);
    private static final Map<String, Object> BASELINE_RULE_KEYS = ruleKeys(AdminBaselineSettings.TYPE);

    private static Map<String, Object> ruleKeys(String... kindKeys) {
        // author, license, tags and the metadata dates are the rule's paperwork: they apply to cadet as
        // they do to Elastic (nothing to run), so they are not reported; index, from, interval and the
        // like change what Elastic searches and do nothing here, so they are.
        Map<String, Object> rule = schema("rule_id", "name", "description", "severity", "risk_score", "type",
                "references", "false_positives", "author", "license", "tags");
        for (String k : kindKeys) {
            rule.put(k, k.equals(AdminBaselineSettings.TYPE) ? READ_ELSEWHERE : null);
        }
        // The ATT&CK mapping in Elastic's shape: cadet alerts with the (sub-)technique ids; the names,
        // references and tactic belong to the same mapping, so they are not reported as unused.
        Map<String, Object> subtechnique = schema("id", "name", "reference");
        Map<String, Object> technique = schema("id", "name", "reference");
        technique.put("subtechnique", subtechnique);
        Map<String, Object> threat = schema("framework");
        threat.put("technique", technique);
        threat.put("tactic", schema("id", "name", "reference"));
        rule.put("threat", threat);
        return Map.of("rule", rule, "metadata", schema("creation_date", "updated_date", "maturity"));
    }

    private static Map<String, Object> schema(String... valueKeys) {
        Map<String, Object> t = new HashMap<>();
        for (String k : valueKeys) {
            t.put(k, null);
        }
        return t;
    }

    /** Adds the dotted path of every value key of {@code table} that {@code schema} does not name. */
    @SuppressWarnings("unchecked")
    private static void unusedKeys(Map<String, Object> table, Map<String, Object> schema, String prefix, Set<String> out) {
        for (Map.Entry<String, Object> e : table.entrySet()) {
            String path = prefix + e.getKey();
            List<Map<String, Object>> subTables = tables(e.getValue());
            boolean known = schema.containsKey(e.getKey());
            Object subSchema = schema.get(e.getKey());
            if (subSchema == READ_ELSEWHERE) {
                continue;
            }
            if (!subTables.isEmpty() && (!known || subSchema instanceof Map)) {
                // a table or array of tables: report its value keys, not the table itself
                Map<String, Object> inner = known ? (Map<String, Object>) subSchema : Map.of();
                for (Map<String, Object> t : subTables) {
                    unusedKeys(t, inner, path + ".", out);
                }
            } else if (!known) {
                out.add(path);
            }
        }
    }

    /** Technique and sub-technique ids of every {@code [[rule.threat]]}, in file order, without repeats. */
    private static List<String> techniques(Map<String, Object> rule) {
        LinkedHashMap<String, Boolean> ids = new LinkedHashMap<>();
        for (Map<String, Object> threat : tables(rule.get("threat"))) {
            for (Map<String, Object> technique : tables(threat.get("technique"))) {
                String id = string(technique, "id");
                if (id != null) {
                    ids.put(id, true);
                }
                for (Map<String, Object> sub : tables(technique.get("subtechnique"))) {
                    String subId = string(sub, "id");
                    if (subId != null) {
                        ids.put(subId, true);
                    }
                }
            }
        }
        return List.copyOf(ids.keySet());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Map<String, Object> t, String key) {
        Object v = t.get(key);
        return v instanceof Map ? (Map<String, Object>) v : null;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> tables(Object v) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (v instanceof Map) {
            out.add((Map<String, Object>) v);
        } else if (v instanceof List<?> list) {
            for (Object e : list) {
                if (e instanceof Map) {
                    out.add((Map<String, Object>) e);
                }
            }
        }
        return out;
    }

    private static String string(Map<String, Object> t, String key) {
        Object v = t.get(key);
        return v == null ? null : v.toString();
    }

    private static List<String> strings(Object v) {
        if (v instanceof List<?> list) {
            return list.stream().map(Object::toString).toList();
        }
        return v == null ? List.of() : List.of(v.toString());
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }
}
