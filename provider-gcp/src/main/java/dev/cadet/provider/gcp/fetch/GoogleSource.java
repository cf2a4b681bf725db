package dev.cadet.provider.gcp.fetch;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.provider.gcp.config.GcpSettings;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The source of one {@code providers.gcp[i]} entry: routes each stream to the Reports reader
 * ({@code gws/...}) or the Cloud Logging reader ({@code gcp/...}). Both share one HTTP client and the
 * entry's credentials. Thread-safe across streams.
 */
public final class GoogleSource implements Source {

    private final Map<String, StreamTarget> targets = new LinkedHashMap<>();
    private final WorkspaceActivities workspace;
    private final CloudLoggingEntries logging;

    public GoogleSource(GcpSettings settings) {
        GoogleHttp http = new GoogleHttp(settings, Clock.systemUTC());
        GcpSettings.Workspace w = settings.workspace();
        workspace = w == null ? null : new WorkspaceActivities(http, settings.reportsRoot(), w.eventNames());
        if (w != null) {
            for (String app : w.applications()) {
                StreamTarget.Workspace t = new StreamTarget.Workspace(w.customerId(), app);
                targets.put(t.key(), t);
            }
        }
        GcpSettings.CloudLogging c = settings.cloudLogging();
        logging = c == null ? null : new CloudLoggingEntries(http, settings.loggingRoot(), c.serviceNames());
        if (c != null) {
            for (String resource : c.resources()) {
                StreamTarget.LoggingResource t = new StreamTarget.LoggingResource(resource);
                targets.put(t.key(), t);
            }
        }
    }

    /** {@code gws/<customer>/<app>} */
    public static String workspaceKey(String customerId, String application) {
        return new StreamTarget.Workspace(customerId, application).key();
    }

    /** {@code gcp/<resource>} */
    public static String loggingKey(String resource) {
        return new StreamTarget.LoggingResource(resource).key();
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        StreamTarget target = targets.get(stream.key());
        if (target instanceof StreamTarget.Workspace w) {
            workspace.fetch(stream, w, window, context);
        } else if (target instanceof StreamTarget.LoggingResource r) {
            logging.fetch(stream, r, window, context);
        } else {
            throw CollectorException.fatal("stream " + stream.key() + " is not configured in this gcp provider entry", null);
        }
    }
}
