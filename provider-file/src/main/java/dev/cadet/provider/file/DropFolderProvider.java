package dev.cadet.provider.file;

import dev.cadet.collector.Provider;
import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** One drop folder: one stream, keyed {@code file/<absolute folder>}, cut on file arrival time. */
final class DropFolderProvider implements Provider {

    /** A file must be unchanged this long before it is read. */
    static final Duration SETTLE_LAG = Duration.ofSeconds(2);
    /** Marks make every file count once, so there is nothing to re-scan. */
    static final Duration RESCAN_OVERLAP = Duration.ZERO;
    static final Duration MAX_WINDOW = Duration.ofDays(1);
    /** Files are read whenever they arrive; marks are kept as long as this. */
    static final Duration RETENTION = Duration.ofDays(3650);
    static final Duration INITIAL_BACKFILL = Duration.ofDays(3650);

    private final StreamSpec stream;
    private final DropFolderSource source;

    DropFolderProvider(Path folder, PathMatcher pattern, DropFolderReader reader) {
        Path absolute = folder.toAbsolutePath().normalize();
        String key = "file/" + absolute;
        this.stream = new StreamSpec(key, "file", TimeAxis.AVAILABILITY_TIME, SETTLE_LAG, RESCAN_OVERLAP, MAX_WINDOW,
                RETENTION, INITIAL_BACKFILL, QuotaScope.unlimited(key), Map.of("folder", absolute.toString()));
        this.source = new DropFolderSource(folder, pattern, reader);
    }

    @Override
    public List<StreamSpec> streams() {
        return List.of(stream);
    }

    @Override
    public Source source() {
        return source;
    }

    @Override
    public boolean routesByShape() {
        return true;
    }
}
