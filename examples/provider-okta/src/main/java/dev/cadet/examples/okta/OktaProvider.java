package dev.cadet.examples.okta;

import dev.cadet.collector.Provider;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One stream: the org's System Log, windowed on the events' {@code published} time. */
final class OktaProvider implements Provider {
    private final OktaSettings settings;
    private final SystemLogSource source;

    OktaProvider(OktaSettings settings) {
        this.settings = settings;
        this.source = new SystemLogSource(settings);
    }

    @Override
    public List<StreamSpec> streams() {
        // The System Log is near real time but can publish an event a little late; it keeps 90 days.
        // /api/v1/logs allows 60 requests per minute on most orgs: one a second leaves room for the rest.
        return List.of(new StreamSpec("okta/" + settings.org(), SystemLogNormalizer.DATASET, TimeAxis.EVENT_TIME,
                Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofHours(6), Duration.ofDays(90), Duration.ofDays(1),
                new QuotaScope("okta/" + settings.org(), 1.0), Map.of("org", settings.org())));
    }

    @Override
    public Source source() {
        return source;
    }
}
