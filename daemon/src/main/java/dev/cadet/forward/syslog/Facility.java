package dev.cadet.forward.syslog;

import java.util.List;
import java.util.Locale;

/** Syslog facility codes (RFC 5424 §6.2.1), by their usual names. */
public enum Facility {
    KERN(0), USER(1), MAIL(2), DAEMON(3), AUTH(4), SYSLOG(5), LPR(6), NEWS(7), UUCP(8), CRON(9),
    AUTHPRIV(10), FTP(11), NTP(12), SECURITY(13), CONSOLE(14), SOLARIS_CRON(15),
    LOCAL0(16), LOCAL1(17), LOCAL2(18), LOCAL3(19), LOCAL4(20), LOCAL5(21), LOCAL6(22), LOCAL7(23);

    private final int code;

    Facility(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The config name, e.g. {@code local4}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static List<String> configNames() {
        return java.util.Arrays.stream(values()).map(Facility::configName).toList();
    }

    public static Facility parse(String name) {
        for (Facility f : values()) {
            if (f.configName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown facility \"" + name + "\" (expected one of " + String.join(", ", configNames()) + ")");
    }
}
