package dev.cadet.collector;

import java.util.Objects;

/**
 * A rate limit shared by every stream that names the same key, e.g. CloudTrail's 2 requests/s per
 * (account, region). The host keeps one limiter per key across all jobs.
 */
public record QuotaScope(String key, double requestsPerSecond) {
    public QuotaScope {
        Objects.requireNonNull(key, "key");
        if (!(requestsPerSecond > 0)) {
            throw new IllegalArgumentException("requestsPerSecond must be > 0: " + requestsPerSecond);
        }
    }

    /** For sources without a remote quota (a local folder). */
    public static QuotaScope unlimited(String key) {
        return new QuotaScope(key, 1_000_000);
    }
}
