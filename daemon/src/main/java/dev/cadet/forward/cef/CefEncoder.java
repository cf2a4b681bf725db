package dev.cadet.forward.cef;

import dev.cadet.alert.Alert;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Turns an {@link Alert} into one CEF line (DESIGN §6):
 * {@code CEF:0|cadet|cadet|<version>|<rule.id>|<rule.name>|<0-10>|<extension>}.
 *
 * <p>Extension layout (fixed, so SIEM parsers can map it once):
 * <pre>
 * rt             alert timestamp, epoch ms
 * externalId     alert id (stable: the SIEM de-duplicates the at-least-once syslog hop with it)
 * cn1            risk score 0-100 (cn1Label=riskScore)
 * suser          user.name, the actor
 * duser          user.target.name, the created or changed identity
 * src            source.ip when it is IPv4; an IPv6 address goes in c6a1 (c6a1Label=sourceIPv6)
 * cs1            rule id (cs1Label=ruleId)
 * cs2            event.dataset (cs2Label=dataset)
 * cs3            cloud.account.id (cs3Label=cloudAccountId)
 * cs4            vendor event ids of the match, comma-separated (cs4Label=eventIds)
 * cs5            MITRE technique ids, comma-separated (cs5Label=techniques)
 * cs6            source.ip when it is not an IP address, e.g. "AWS Internal" (cs6Label=sourceAddressText)
 * flexString1    which fields were cut, e.g. "name,cs4" (flexString1Label=truncatedFields)
 * msg            only on the test alert: says it is a test
 * </pre>
 * The test alert's name starts with {@value #TEST_PREFIX}.
 *
 * <p>Lengths are the CEF dictionary's, counted in Java chars before escaping, never splitting a
 * surrogate pair. Values are stripped of leading and trailing white space (CEF parsers drop it anyway).
 * Instances are immutable and thread-safe.
 */
public final class CefEncoder {
    public static final String TEST_PREFIX = "[TEST] ";
    static final String TEST_MESSAGE = "cadet send-test-alert: a test of the forwarding path, not a detection";

    private static final Pattern IPV4 = Pattern.compile(
            "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

    /** A value that may be cut, with its dictionary limit; in the order values are cut to fit a frame. */
    enum Slot {
        EVENT_IDS("cs4", 4000, false, a -> String.join(",", a.eventIds())),
        NAME("name", 512, true, a -> (a.test() ? TEST_PREFIX : "") + a.ruleName()),
        TECHNIQUES("cs5", 4000, false, a -> String.join(",", a.techniques())),
        SUSER("suser", 1023, false, Alert::userName),
        DUSER("duser", 1023, false, Alert::targetName),
        SOURCE_TEXT("cs6", 4000, false, a -> sourceKind(a.sourceIp()) == SourceKind.TEXT ? a.sourceIp() : null),
        ACCOUNT("cs3", 4000, false, Alert::accountId),
        DATASET("cs2", 4000, false, Alert::dataset),
        RULE_ID("cs1", 4000, false, Alert::ruleId),
        CLASS_ID("eventClassId", 1023, true, Alert::ruleId);

        final String field;
        final int limit;
        final boolean header;
        final Function<Alert, String> value;

        Slot(String field, int limit, boolean header, Function<Alert, String> value) {
            this.field = field;
            this.limit = limit;
            this.header = header;
            this.value = value;
        }
    }

    private enum SourceKind { NONE, IPV4, IPV6, TEXT }

    private final String headerPrefix;

    /** @param deviceVersion the daemon's version, cut to the dictionary's 31 chars */
    public CefEncoder(String deviceVersion) {
        this.headerPrefix = "CEF:0|cadet|cadet|" + CefText.escapeHeader(CefText.truncate(clean(deviceVersion), 31)) + "|";
    }

    /** An encoder carrying this build's version: the jar manifest's Implementation-Version, else "dev". */
    public static CefEncoder forThisBuild() {
        return new CefEncoder(daemonVersion());
    }

    public static String daemonVersion() {
        String v = CefEncoder.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? "dev" : v;
    }

    /** The CEF line with the dictionary's length limits only. */
    public String encode(Alert alert) {
        return build(alert, new EnumMap<>(Slot.class));
    }

    /**
     * The CEF line, at most {@code maxBytes} UTF-8 bytes: values are cut (event ids first, then the
     * name, techniques, user names, ...) and the line re-encoded, so an escape is never split; cut
     * fields are listed in {@code truncatedFields}.
     *
     * @throws IllegalArgumentException if even with every cuttable value empty the line does not fit
     */
    public String encode(Alert alert, int maxBytes) {
        Map<Slot, Integer> caps = new EnumMap<>(Slot.class);
        String line = build(alert, caps);
        // Two passes: first leave each value a readable stub, then cut to nothing if still needed.
        for (int floor : new int[] {32, 0}) {
            for (Slot slot : Slot.values()) {
                while (utf8(line) > maxBytes) {
                    String current = current(alert, slot, caps);
                    if (current.length() <= floor) {
                        break;
                    }
                    int excess = utf8(line) - maxBytes;
                    int currentBytes = CefText.escapedBytes(current, slot.header);
                    String cut = CefText.prefixFitting(current, Math.max(0, currentBytes - excess), slot.header);
                    if (cut.length() >= current.length()) {
                        cut = CefText.truncate(current, current.length() - 1);
                    }
                    if (cut.length() < floor) {
                        cut = CefText.truncate(current, floor);
                    }
                    caps.put(slot, cut.length());
                    line = build(alert, caps); // a first cut also adds the field to truncatedFields
                }
            }
        }
        if (utf8(line) > maxBytes) {
            throw new IllegalArgumentException("alert " + alert.id() + " does not fit in " + maxBytes + " bytes even with its values cut");
        }
        return line;
    }

    private String current(Alert alert, Slot slot, Map<Slot, Integer> caps) {
        String raw = clean(slot.value.apply(alert));
        return CefText.truncate(raw, Math.min(slot.limit, caps.getOrDefault(slot, Integer.MAX_VALUE)));
    }

    private String build(Alert a, Map<Slot, Integer> caps) {
        Set<String> truncated = new LinkedHashSet<>();
        Map<Slot, String> v = new EnumMap<>(Slot.class);
        for (Slot slot : Slot.values()) {
            String raw = clean(slot.value.apply(a));
            String cut = current(a, slot, caps);
            if (cut.length() < raw.length()) {
                truncated.add(slot.field);
            }
            v.put(slot, cut);
        }
        StringBuilder b = new StringBuilder(512).append(headerPrefix)
                .append(CefText.escapeHeader(v.get(Slot.CLASS_ID))).append('|')
                .append(CefText.escapeHeader(v.get(Slot.NAME))).append('|')
                .append(a.severity().cefSeverity()).append('|');
        List<String> ext = new ArrayList<>();
        ext.add("rt=" + a.timestamp().toEpochMilli());
        pair(ext, "externalId", CefText.truncate(clean(a.id()), 40));
        ext.add("cn1Label=riskScore");
        ext.add("cn1=" + a.riskScore());
        pair(ext, "suser", v.get(Slot.SUSER));
        pair(ext, "duser", v.get(Slot.DUSER));
        String source = clean(a.sourceIp());
        switch (sourceKind(a.sourceIp())) {
            case IPV4 -> pair(ext, "src", source);
            case IPV6 -> {
                ext.add("c6a1Label=sourceIPv6");
                pair(ext, "c6a1", source);
            }
            default -> { }
        }
        labelled(ext, "cs1", "ruleId", v.get(Slot.RULE_ID));
        labelled(ext, "cs2", "dataset", v.get(Slot.DATASET));
        labelled(ext, "cs3", "cloudAccountId", v.get(Slot.ACCOUNT));
        labelled(ext, "cs4", "eventIds", v.get(Slot.EVENT_IDS));
        labelled(ext, "cs5", "techniques", v.get(Slot.TECHNIQUES));
        labelled(ext, "cs6", "sourceAddressText", v.get(Slot.SOURCE_TEXT));
        if (!truncated.isEmpty()) {
            labelled(ext, "flexString1", "truncatedFields", String.join(",", truncated));
        }
        if (a.test()) {
            pair(ext, "msg", TEST_MESSAGE);
        }
        return b.append(String.join(" ", ext)).toString();
    }

    private static void labelled(List<String> ext, String key, String label, String value) {
        if (!value.isEmpty()) {
            ext.add(key + "Label=" + label);
            ext.add(key + "=" + CefText.escapeExtension(value));
        }
    }

    private static void pair(List<String> ext, String key, String value) {
        if (!value.isEmpty()) {
            ext.add(key + "=" + CefText.escapeExtension(value));
        }
    }

    private static String clean(String s) {
        return s == null ? "" : s.strip();
    }

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static SourceKind sourceKind(String ip) {
        String s = clean(ip);
        if (s.isEmpty()) {
            return SourceKind.NONE;
        }
        if (IPV4.matcher(s).matches()) {
            return SourceKind.IPV4;
        }
        // Only hex digits, colons and dots reach the parser: a literal, so no DNS lookup can happen.
        if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
            try {
                InetAddress.getByName(s);
                return SourceKind.IPV6;
            } catch (UnknownHostException e) {
                return SourceKind.TEXT;
            }
        }
        return SourceKind.TEXT;
    }
}
