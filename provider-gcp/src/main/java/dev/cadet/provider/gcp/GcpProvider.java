package dev.cadet.provider.gcp;

import dev.cadet.collector.Provider;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.provider.gcp.config.GcpSettings;
import dev.cadet.provider.gcp.fetch.GoogleSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code providers.gcp[i]} entry: a stream per Workspace (customer, application), keyed
 * {@code gws/<customer>/<app>}, dataset {@code google_workspace.<app>}, and a stream per Cloud Logging
 * resource, keyed {@code gcp/<resource>}, dataset {@code gcp.audit}; all read by one {@link GoogleSource}.
 *
 * <p>Quota: Workspace streams share {@code gws/<customer>} (Reports quota is per customer and project);
 * Cloud Logging streams share {@code gcp-logging/<client_email>} (entries.list allows 60 calls a
 * minute per caller project).
 */
public final class GcpProvider implements Provider {

    /** Reports keeps 180 days; a window longer than 6 hours is split so each part commits on its own. */
    static final Duration WORKSPACE_RETENTION = Duration.ofDays(180);
    static final Duration WORKSPACE_MAX_WINDOW = Duration.ofHours(6);
    static final Duration WORKSPACE_BACKFILL = Duration.ofHours(1);
    /** Admin Activity audit logs arrive within a few minutes and are kept 400 days. */
    static final Duration LOGGING_SETTLE_LAG = Duration.ofMinutes(5);
    static final Duration LOGGING_RESCAN_OVERLAP = Duration.ofHours(1);
    static final Duration LOGGING_MAX_WINDOW = Duration.ofHours(6);
    static final Duration LOGGING_RETENTION = Duration.ofDays(400);
    static final Duration LOGGING_BACKFILL = Duration.ofHours(1);

    private final List<StreamSpec> streams;
    private final GoogleSource source;

    GcpProvider(GcpSettings settings) {
        List<StreamSpec> specs = new ArrayList<>();
        GcpSettings.Workspace w = settings.workspace();
        if (w != null) {
            QuotaScope quota = new QuotaScope("gws/" + w.customerId(), w.requestsPerSecond());
            for (String app : w.applications()) {
                GcpSettings.Timing t = w.timing().get(app);
                specs.add(new StreamSpec(GoogleSource.workspaceKey(w.customerId(), app), "google_workspace." + app,
                        TimeAxis.EVENT_TIME, t.settleLag(), t.rescanOverlap(), WORKSPACE_MAX_WINDOW, WORKSPACE_RETENTION,
                        WORKSPACE_BACKFILL, quota, Map.of("customer", w.customerId(), "application", app)));
            }
        }
        GcpSettings.CloudLogging c = settings.cloudLogging();
        if (c != null) {
            QuotaScope quota = new QuotaScope("gcp-logging/" + settings.clientEmail(), c.requestsPerSecond());
            for (String resource : c.resources()) {
                specs.add(new StreamSpec(GoogleSource.loggingKey(resource), "gcp.audit", TimeAxis.EVENT_TIME,
                        LOGGING_SETTLE_LAG, LOGGING_RESCAN_OVERLAP, LOGGING_MAX_WINDOW, LOGGING_RETENTION, LOGGING_BACKFILL,
                        quota, Map.of("resource", resource)));
            }
        }
        this.streams = List.copyOf(specs);
        this.source = new GoogleSource(settings);
    }

    @Override
    public List<StreamSpec> streams() {
        return streams;
    }

    @Override
    public Source source() {
        return source;
    }
}
