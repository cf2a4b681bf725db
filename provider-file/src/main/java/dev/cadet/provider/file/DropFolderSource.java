package dev.cadet.provider.file;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Source;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every settled, not yet read file of the folder. A file counts as read once its fingerprint
 * (name, size, modification time) is marked; the mark is committed with the window, so after a crash
 * the file is read again (the host drops the duplicates) and after a commit never again, unless it
 * changes. A file is settled when it was last modified at or before the window's end, which the host
 * puts {@code settle_lag} behind now. Files are not filtered by the window's start: a file copied in
 * with an old modification time is still read.
 */
final class DropFolderSource implements Source {

    private static final Logger log = LoggerFactory.getLogger(DropFolderSource.class);
    static final String DONE = "done";
    static final String ERROR = "error";

    /** The files to consider, in reading order: the folder's listing, or a fixed list. */
    interface Candidates {
        List<Path> list() throws CollectorException;
    }

    private final Candidates candidates;
    private final DropFolderReader reader;

    DropFolderSource(Candidates candidates, DropFolderReader reader) {
        this.candidates = candidates;
        this.reader = reader;
    }

    @Override
    public void fetch(StreamSpec stream, Window window, FetchContext context) throws CollectorException {
        for (Path file : candidates.list()) {
            if (context.stopping()) {
                return;
            }
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(file, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                continue; // moved away since the listing
            } catch (IOException e) {
                context.warn(displayName(file) + ": cannot read its attributes: " + e.getMessage());
                continue;
            }
            Instant modified = attrs.lastModifiedTime().toInstant();
            if (!attrs.isRegularFile() || modified.isAfter(window.end())) {
                continue; // not settled yet: a later window will take it
            }
            String fingerprint = fingerprint(file, attrs.size(), modified);
            if (context.itemMarked(fingerprint)) {
                continue;
            }
            DropFolderReader.Result result;
            try {
                result = reader.read(file, displayName(file), records -> {
                    context.page(records);
                    return !context.stopping();
                });
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                // Unreadable now (permissions, a bad gzip stream): not marked, so it is tried again.
                context.warn(displayName(file) + ": cannot read: " + e.getMessage());
                continue;
            }
            if (result.stopped()) {
                return; // not marked: read again next time, the host drops what it already has
            }
            if (result.problem() != null) {
                context.warn(result.problem() + " (" + result.records() + " records of " + displayName(file.getFileName())
                        + " were read; the file is not read again unless it changes)");
                context.markItem(fingerprint, ERROR);
            } else {
                log.debug("{}: {} records ({})", displayName(file), result.records(), result.shape());
                context.markItem(fingerprint, DONE);
            }
        }
    }

    static List<Path> list(Path folder, PathMatcher pattern) throws CollectorException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> {
                String name = p.getFileName().toString();
                return !name.startsWith(".") && pattern.matches(p.getFileName());
            }).sorted().toList();
        } catch (NoSuchFileException e) {
            throw CollectorException.fatal("drop folder " + folder.toAbsolutePath() + " does not exist any more", e);
        } catch (IOException e) {
            throw CollectorException.fatal("cannot list drop folder " + folder.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    /** The file's path for origins and warnings, with control characters (a newline in a dropped file's name) made visible. */
    static String displayName(Path file) {
        StringBuilder sb = new StringBuilder();
        file.toString().codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                sb.append(String.format("\\x%02x", c));
            } else {
                sb.appendCodePoint(c);
            }
        });
        return sb.toString();
    }

    /** Path, size and modification time: a file that changes is a new item. */
    static String fingerprint(Path file, long size, Instant modified) {
        return file + "|" + size + "|" + modified;
    }
}
