package dev.cadet.provider.o365;

import dev.cadet.collector.Provider;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.provider.o365.config.O365Settings;
import dev.cadet.provider.o365.config.O365SettingsReader;
import dev.cadet.provider.o365.fetch.ActivityFeedClients;
import dev.cadet.provider.o365.fetch.ActivityFeedSource;
import dev.cadet.provider.o365.normalize.O365Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code providers.o365[i]} entry: a stream per content type, key {@code o365/<tenant>/<contentType>},
 * windows on content availability. All streams of a tenant share the quota scope {@code o365/<tenant>}
 * (the API's quota is per tenant). The {@code Audit.AzureActiveDirectory} stream carries the label
 * {@value #ENTRA_TENANT_LABEL}, by which the host finds two entries reading one tenant's Entra ID audit.
 */
public final class O365Provider implements Provider {

    /** Stream label naming the Entra tenant whose directory audit the stream reads (host rule, see ConfigCheck). */
    public static final String ENTRA_TENANT_LABEL = "entra.tenant";
    /** Content is usually listed within minutes of contentCreated. */
    static final Duration SETTLE_LAG = Duration.ofMinutes(5);
    /** Re-list 2 hours: blobs already marked done are skipped, late-listed ones are caught. */
    static final Duration RESCAN_OVERLAP = Duration.ofHours(2);
    static final Duration MAX_WINDOW = Duration.ofHours(1);
    /** The API lists 7 days back; 30 minutes of margin for delays and skew. */
    static final Duration RETENTION = Duration.ofDays(7).minus(Duration.ofMinutes(30));
    static final Duration INITIAL_BACKFILL = Duration.ofHours(1);

    private final List<StreamSpec> streams;
    private final ActivityFeedSource source;

    O365Provider(O365Settings settings, Clock clock) {
        List<StreamSpec> specs = new ArrayList<>();
        Map<String, String> byKey = new LinkedHashMap<>();
        QuotaScope quota = new QuotaScope("o365/" + settings.tenantId(), settings.requestsPerMinute() / 60.0);
        for (String contentType : settings.contentTypes()) {
            String key = streamKey(settings.tenantId(), contentType);
            Map<String, String> labels = new LinkedHashMap<>();
            labels.put("tenant", settings.tenantId());
            labels.put("content_type", contentType);
            if (contentType.equals(O365SettingsReader.AAD)) {
                labels.put(ENTRA_TENANT_LABEL, settings.tenantId());
            }
            specs.add(new StreamSpec(key, O365Normalizer.DATASET, TimeAxis.AVAILABILITY_TIME, SETTLE_LAG, RESCAN_OVERLAP,
                    MAX_WINDOW, RETENTION, INITIAL_BACKFILL, quota, labels));
            byKey.put(key, contentType);
        }
        this.streams = List.copyOf(specs);
        this.source = ActivityFeedClients.source(settings, byKey, clock);
    }

    public static String streamKey(String tenant, String contentType) {
        return "o365/" + tenant + "/" + contentType;
    }

    @Override
    public List<StreamSpec> streams() {
        return streams;
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    public void close() {
        source.close();
    }
}
