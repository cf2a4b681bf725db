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

/**
 * One drop folder (or a fixed list of files): one stream, keyed {@code file/<absolute folder>}, cut on
 * file arrival time.
 */
final class DropFolderProvider implements Provider {

    /** A file must be unchanged this long before it is read. */
    static final Duration SETTLE_LAG = Duration.ofSeconds(2);
    /** Marks make every file count once, so there is nothing to re-scan. */
    static final Duration RESCAN_OVERLAP = Duration.ZERO;
    /** Files are read whenever they arrive; marks are kept as long as this. */
    static final Duration RETENTION = Duration.ofDays(3650);
    static final Duration INITIAL_BACKFILL = Duration.ofDays(3650);
    /** The window start does not select files (marks do), so the first poll is one part, not thousands. */
    static final Duration MAX_WINDOW = INITIAL_BACKFILL.plusDays(1);

    private final StreamSpec stream;
    private final DropFolderSource source;

    private DropFolderProvider(String key, Map<String, String> labels, DropFolderSource source) {
        this.stream = new StreamSpec(key, "file", TimeAxis.AVAILABILITY_TIME, SETTLE_LAG, RESCAN_OVERLAP, MAX_WINDOW,
                RETENTION, INITIAL_BACKFILL, QuotaScope.unlimited(key), labels);
        this.source = source;
    }

    static DropFolderProvider ofFolder(Path folder, PathMatcher pattern, DropFolderReader reader) {
        String absolute = folder.toAbsolutePath().normalize().toString();
        return new DropFolderProvider("file/" + absolute, Map.of("folder", absolute),
                new DropFolderSource(() -> DropFolderSource.list(folder, pattern), reader));
    }

    static DropFolderProvider ofFiles(List<Path> files, DropFolderReader reader) {
        List<Path> absolute = files.stream().map(f -> f.toAbsolutePath().normalize()).toList();
        return new DropFolderProvider("file/list/" + Integer.toHexString(absolute.hashCode()),
                Map.of("files", String.valueOf(absolute.size())), new DropFolderSource(() -> absolute, reader));
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
