package dev.cadet.http;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests: every line must be a
 * HELP, a TYPE, a comment or a well-formed sample; a family's TYPE comes before its samples and
 * once; its samples are contiguous and carry the suffixes its type allows; label values use only
 * the three escapes; no series appears twice; the text ends with a newline. Throws with the line
 * number on any deviation.
 */
public final class PrometheusText {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
    private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
    private static final Pattern VALUE = Pattern.compile("[+-]?(Inf|NaN|[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]+)?|\\.[0-9]+([eE][+-]?[0-9]+)?)");

    /** Series ({@code name{a="1",b="2"}}, labels sorted) to value. */
    public final Map<String, Double> samples = new LinkedHashMap<>();
    /** Family name to type. */
    public final Map<String, String> types = new LinkedHashMap<>();

    private PrometheusText() {
    }

    public static PrometheusText parse(String text) {
        if (!text.isEmpty() && !text.endsWith("\n")) {
            throw new IllegalArgumentException("the text does not end with a newline");
        }
        PrometheusText p = new PrometheusText();
        Set<String> helped = new HashSet<>();
        Set<String> closedFamilies = new HashSet<>();
        Map<String, Integer> typeLine = new HashMap<>();
        String current = null;
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length - 1; i++) {
            String line = lines[i];
            int n = i + 1;
            Matcher m;
            if ((m = HELP.matcher(line)).matches()) {
                if (!helped.add(m.group(1))) {
                    throw new IllegalArgumentException("line " + n + ": second HELP for " + m.group(1));
                }
            } else if ((m = TYPE.matcher(line)).matches()) {
                String family = m.group(1);
                if (p.types.put(family, m.group(2)) != null) {
                    throw new IllegalArgumentException("line " + n + ": second TYPE for " + family);
                }
                typeLine.put(family, n);
                if (current != null) {
                    closedFamilies.add(current);
                }
                current = family;
            } else if (line.startsWith("#")) {
                if (line.startsWith("# HELP") || line.startsWith("# TYPE")) {
                    throw new IllegalArgumentException("line " + n + ": malformed: " + line);
                }
            } else if ((m = SAMPLE.matcher(line)).matches()) {
                String name = m.group(1);
                String family = familyOf(name, p.types);
                if (family == null) {
                    throw new IllegalArgumentException("line " + n + ": sample " + name + " has no TYPE before it");
                }
                if (!family.equals(current) || closedFamilies.contains(family)) {
                    throw new IllegalArgumentException("line " + n + ": sample " + name + " is not with its family " + family);
                }
                Map<String, String> labels = new TreeMap<>();
                if (m.group(3) != null && !m.group(3).isEmpty()) {
                    String body = m.group(3);
                    Matcher l = LABEL.matcher(body);
                    int at = 0;
                    while (at < body.length()) {
                        if (!l.find(at) || l.start() != at) {
                            throw new IllegalArgumentException("line " + n + ": bad label set {" + body + "}");
                        }
                        if (labels.put(l.group(1), l.group(2)) != null) {
                            throw new IllegalArgumentException("line " + n + ": label " + l.group(1) + " twice");
                        }
                        at = l.end();
                    }
                }
                if (!VALUE.matcher(m.group(4)).matches()) {
                    throw new IllegalArgumentException("line " + n + ": not a value: " + m.group(4));
                }
                String v = m.group(4).replace("Inf", "Infinity");
                StringBuilder key = new StringBuilder(name);
                if (!labels.isEmpty()) {
                    key.append('{');
                    labels.forEach((k, val) -> key.append(k).append("=\"").append(val).append("\","));
                    key.setLength(key.length() - 1);
                    key.append('}');
                }
                if (p.samples.put(key.toString(), Double.parseDouble(v)) != null) {
                    throw new IllegalArgumentException("line " + n + ": series " + key + " twice");
                }
            } else if (!line.isBlank()) {
                throw new IllegalArgumentException("line " + n + ": not a sample, HELP, TYPE or comment: " + line);
            }
        }
        return p;
    }

    /** The family a sample name belongs to, by the suffixes its type allows; null if none. */
    private static String familyOf(String name, Map<String, String> types) {
        // the Java client names a counter's family with its _total suffix, as Prometheus accepts
        if (types.containsKey(name)) {
            return name;
        }
        for (Map.Entry<String, String> t : types.entrySet()) {
            String f = t.getKey();
            String[] suffixes = switch (t.getValue()) {
                case "counter" -> new String[] {"_total", "_created"};
                case "summary" -> new String[] {"_sum", "_count", "_created"};
                case "histogram" -> new String[] {"_bucket", "_sum", "_count", "_created"};
                default -> new String[0];
            };
            for (String s : suffixes) {
                if (name.equals(f + s)) {
                    return f;
                }
            }
        }
        return null;
    }

    /** The value of a series, e.g. {@code value("cadet_stream_events_total", "stream", "aws/1/us-east-1")}. */
    public Double value(String name, String... labelPairs) {
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            labels.put(labelPairs[i], labelPairs[i + 1]);
        }
        StringBuilder key = new StringBuilder(name);
        if (!labels.isEmpty()) {
            key.append('{');
            labels.forEach((k, v) -> key.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"")
                    .replace("\n", "\\n")).append("\","));
            key.setLength(key.length() - 1);
            key.append('}');
        }
        return samples.get(key.toString());
    }
}
