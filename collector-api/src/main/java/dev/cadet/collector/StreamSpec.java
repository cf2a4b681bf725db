package dev.cadet.collector;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One independent stream and the facts the host needs to poll it correctly, declared as data.
 *
 * @param key            stable and unique across the config, e.g. {@code aws/123456789012/us-east-1};
 *                       the watermark and seen ids are stored under it
 * @param dataset        the {@code event.dataset} its events carry, e.g. {@code aws.cloudtrail}
 * @param timeAxis       what the windows are cut on
 * @param settleLag      windows end at {@code serverNow - settleLag}: records younger than that may not be visible yet
 * @param rescanOverlap  each window starts this far behind the watermark, to catch late records
 * @param maxWindow      longer windows are split; each part is committed on its own
 * @param retention      how far back the API can read; older watermarks are clamped with a warning
 * @param initialBackfill where a new stream starts: {@code now - initialBackfill}
 * @param quota          the rate limit this stream's requests count against
 * @param labels         extra facts for status output (account, region, tenant)
 */
public record StreamSpec(
        String key,
        String dataset,
        TimeAxis timeAxis,
        Duration settleLag,
        Duration rescanOverlap,
        Duration maxWindow,
        Duration retention,
        Duration initialBackfill,
        QuotaScope quota,
        Map<String, String> labels) {

    public StreamSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(timeAxis, "timeAxis");
        requirePositiveOrZero(settleLag, "settleLag");
        requirePositiveOrZero(rescanOverlap, "rescanOverlap");
        requirePositiveOrZero(initialBackfill, "initialBackfill");
        Objects.requireNonNull(maxWindow, "maxWindow");
        Objects.requireNonNull(retention, "retention");
        if (maxWindow.isZero() || maxWindow.isNegative()) {
            throw new IllegalArgumentException("maxWindow must be positive");
        }
        Objects.requireNonNull(quota, "quota");
        labels = Map.copyOf(labels == null ? Map.of() : labels);
    }

    private static void requirePositiveOrZero(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative()) {
            throw new IllegalArgumentException(name + " must not be negative");
        }
    }

    public StreamSpec withTiming(Duration settleLag, Duration rescanOverlap, Duration maxWindow, Duration initialBackfill) {
        return new StreamSpec(key, dataset, timeAxis, settleLag, rescanOverlap, maxWindow, retention,
                initialBackfill, quota, labels);
    }
}
