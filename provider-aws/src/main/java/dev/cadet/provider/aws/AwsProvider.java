package dev.cadet.provider.aws;

import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Provider;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.provider.aws.config.AwsSettings;
import dev.cadet.provider.aws.fetch.CloudTrailSource;
import dev.cadet.provider.aws.fetch.SdkClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One {@code providers.aws[i]} entry: a stream per (account, region), all read by one
 * {@link CloudTrailSource}. Every stream of an (account, region) names the quota scope
 * {@code aws/<account>/<region>}, so entries that poll the same pair share CloudTrail's 2 requests/s.
 */
public final class AwsProvider implements Provider {

    public static final String DATASET = "aws.cloudtrail";
    /** CloudTrail delivers within about 5 minutes on average, not guaranteed. */
    static final Duration SETTLE_LAG = Duration.ofMinutes(5);
    static final Duration RESCAN_OVERLAP = Duration.ofHours(1);
    static final Duration MAX_WINDOW = Duration.ofHours(1);
    /** LookupEvents reads the last 90 days. */
    static final Duration RETENTION = Duration.ofDays(90);
    static final Duration INITIAL_BACKFILL = Duration.ofHours(1);

    private final List<StreamSpec> streams;
    private final SdkClients clients;
    private final CloudTrailSource source;

    AwsProvider(AwsSettings settings) {
        List<StreamSpec> specs = new ArrayList<>();
        for (AwsSettings.Account account : settings.accounts()) {
            for (String region : settings.regions()) {
                String key = SdkClients.streamKey(account.id(), region);
                specs.add(new StreamSpec(key, DATASET, TimeAxis.EVENT_TIME, SETTLE_LAG, RESCAN_OVERLAP, MAX_WINDOW,
                        RETENTION, INITIAL_BACKFILL, new QuotaScope(key, settings.requestsPerSecond()),
                        Map.of("account", account.id(), "region", region)));
            }
        }
        this.streams = List.copyOf(specs);
        this.clients = new SdkClients(settings);
        this.source = new CloudTrailSource(clients, settings.lookupAttribute(), settings.eventNames());
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
        clients.close();
    }
}
