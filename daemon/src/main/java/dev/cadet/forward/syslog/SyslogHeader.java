package dev.cadet.forward.syslog;

import dev.cadet.alert.Severity;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Writes the syslog header in front of a message (RFC 3164 or RFC 5424). Immutable.
 *
 * @param hostname printable US-ASCII without spaces (checked)
 * @param appName  1-32 of {@code [A-Za-z0-9._-]}, so it is a valid RFC 3164 TAG and RFC 5424 APP-NAME
 * @param procId   the process id, as text
 * @param bom      RFC 5424 only: put a UTF-8 BOM before MSG (strictly required for UTF-8 MSG by the
 *                 RFC, but many CEF connectors then miss the {@code CEF:} at the start; off by default)
 * @param zone     RFC 3164 timestamps are local time in this zone
 */
public record SyslogHeader(SyslogFormat format, Facility facility, String hostname, String appName,
                           String procId, boolean bom, ZoneId zone) {

    private static final String[] MONTHS = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    private static final Pattern APP_NAME = Pattern.compile("[A-Za-z0-9._-]{1,32}");
    private static final Pattern HOSTNAME = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final DateTimeFormatter RFC3339 =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX", Locale.ROOT);
    public static final String BOM = "\uFEFF";

    public SyslogHeader {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(facility, "facility");
        Objects.requireNonNull(zone, "zone");
        if (hostname == null || !HOSTNAME.matcher(hostname).matches()) {
            throw new IllegalArgumentException("hostname must be 1-255 printable ASCII characters without spaces");
        }
        if (appName == null || !APP_NAME.matcher(appName).matches()) {
            throw new IllegalArgumentException("app name must be 1-32 characters of A-Z a-z 0-9 . _ -");
        }
        if (procId == null || !HOSTNAME.matcher(procId).matches() || procId.length() > 128) {
            throw new IllegalArgumentException("procId must be 1-128 printable ASCII characters");
        }
    }

    /** Syslog severity for an alert severity: critical 2, high 3 (error), medium 4 (warning), low 5 (notice). */
    public static int syslogSeverity(Severity s) {
        return switch (s) {
            case CRITICAL -> 2;
            case HIGH -> 3;
            case MEDIUM -> 4;
            case LOW -> 5;
        };
    }

    /** Everything before MSG, for a message of the given syslog severity (0-7) sent at {@code now}. */
    public String render(int severity, Instant now) {
        if (severity < 0 || severity > 7) {
            throw new IllegalArgumentException("syslog severity must be 0-7: " + severity);
        }
        String pri = "<" + (facility.code() * 8 + severity) + ">";
        if (format == SyslogFormat.RFC3164) {
            LocalDateTime t = LocalDateTime.ofInstant(now, zone);
            return pri + MONTHS[t.getMonthValue() - 1] + " " + String.format(Locale.ROOT, "%2d %02d:%02d:%02d",
                    t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond())
                    + " " + hostname + " " + appName + "[" + procId + "]: ";
        }
        String ts = OffsetDateTime.ofInstant(now.truncatedTo(ChronoUnit.MILLIS), ZoneOffset.UTC).format(RFC3339);
        return pri + "1 " + ts + " " + hostname + " " + appName + " " + procId + " CEF - " + (bom ? BOM : "");
    }
}
