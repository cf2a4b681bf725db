package dev.cadet.provider.o365.fetch;

import dev.cadet.provider.o365.config.O365Settings;
import java.time.Clock;
import java.util.Map;

/** Builds the source of one config entry: trust, token cache, API client. No network call here. */
public final class ActivityFeedClients {
    private ActivityFeedClients() {
    }

    /** @param contentTypeByStream the content type each stream key reads */
    public static ActivityFeedSource source(O365Settings settings, Map<String, String> contentTypeByStream, Clock clock) {
        TrustedCertificates trust = TrustedCertificates.load(settings.caFile());
        AccessTokens tokens = new AccessTokens(settings, trust, clock);
        ActivityApi api = new ActivityApi(settings, trust, tokens, clock);
        return new ActivityFeedSource(api, settings, contentTypeByStream, clock);
    }
}
