package dev.cadet.alert;

import java.util.Locale;

/** Rule severity, as in Elastic's rule files. */
public enum Severity {
    LOW(3), MEDIUM(5), HIGH(7), CRITICAL(9);

    private final int cef;

    Severity(int cef) {
        this.cef = cef;
    }

    /** The CEF integer severity (0-10): Low 0-3, Medium 4-6, High 7-8, Very-High 9-10. */
    public int cefSeverity() {
        return cef;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Severity parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown severity \"" + text + "\" (expected low, medium, high or critical)");
        }
    }
}
