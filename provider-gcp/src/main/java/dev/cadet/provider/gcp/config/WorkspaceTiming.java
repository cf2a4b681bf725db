package dev.cadet.provider.gcp.config;

import java.time.Duration;
import java.util.Map;

/**
 * Default settle lag and re-scan overlap per Reports application, from Google's lag table
 * (support.google.com/a/answer/7061566) and what peers measured (research/collectors.md): admin is
 * "near real time" but peers lost events to out-of-order shards, so 15 minutes and a 3 hour re-scan;
 * calendar, drive, groups and token take tens of minutes up to a couple of hours; login was listed at
 * one to two days. Operators override these with {@code workspace.timing.<app>}.
 */
public final class WorkspaceTiming {

    private static final GcpSettings.Timing ADMIN = timing(15, 3 * 60);
    private static final GcpSettings.Timing HOURS = timing(30, 6 * 60);
    private static final GcpSettings.Timing LOGIN = timing(60, 48 * 60);
    /** Applications not in the table: Cloud Search and others report "up to a few hours". */
    private static final GcpSettings.Timing OTHER = timing(60, 24 * 60);

    private static final Map<String, GcpSettings.Timing> DEFAULTS = Map.of(
            "admin", ADMIN,
            "login", LOGIN,
            "calendar", HOURS,
            "drive", HOURS,
            "groups", HOURS,
            "groups_enterprise", HOURS,
            "token", HOURS,
            "saml", HOURS,
            "user_accounts", HOURS);

    private WorkspaceTiming() {
    }

    public static GcpSettings.Timing defaultFor(String application) {
        return DEFAULTS.getOrDefault(application, OTHER);
    }

    private static GcpSettings.Timing timing(int lagMinutes, int overlapMinutes) {
        return new GcpSettings.Timing(Duration.ofMinutes(lagMinutes), Duration.ofMinutes(overlapMinutes));
    }
}
