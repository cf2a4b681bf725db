package dev.cadet.provider.file;

import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.Event;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.SpiVersion;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;

/**
 * The drop-folder provider, {@code providers.file}: exported audit records dropped into a folder are
 * read once each. Keys of an entry:
 * <ul>
 * <li>{@code folder} (required): the folder, which must exist;</li>
 * <li>{@code pattern}: a glob on file names, default {@code *} (names starting with a dot are never read:
 *     they are files still being copied by rsync and the like);</li>
 * <li>{@code envelope_fields}: envelope array names besides {@link DropFolderReader#ENVELOPE_FIELDS}.</li>
 * </ul>
 * Its records are other providers' records, so the host routes each one to the normalizer that
 * recognizes it ({@link Provider#routesByShape()}); this factory's own normalizer recognizes nothing.
 */
public final class FileProviderFactory implements ProviderFactory {

    public static final String ID = "file";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public int spiMajorVersion() {
        return SpiVersion.MAJOR;
    }


    @Override
    public Normalizer normalizer() {
        return new Normalizer() {
            @Override
            public boolean recognizes(RawRecord record) {
                return false;
            }

            @Override
            public List<Event> normalize(RawRecord record) throws MalformedRecordException {
                throw new MalformedRecordException("the drop folder has no record format of its own: "
                        + "its records go to the normalizer that recognizes them");
            }
        };
    }

    /**
     * Either {@code folder} (a drop folder, watched) or {@code files} (a fixed list, as
     * {@code cadet replay} uses), plus {@code pattern} (glob on file names, folder only) and
     * {@code envelope_fields} (extra array names that hold records).
     */
    @Override
    public Provider create(ProviderConfig config) {
        List<String> envelopes = config.strings("envelope_fields");
        DropFolderReader reader = new DropFolderReader(envelopes, DropFolderReader.DEFAULT_PAGE_SIZE);
        if (config.has("files")) {
            if (config.has("folder")) {
                config.problem("files", "give either folder or files, not both");
                return null;
            }
            List<Path> files = new ArrayList<>();
            List<String> names = config.strings("files");
            for (int i = 0; i < names.size(); i++) {
                Path f = Path.of(names.get(i));
                if (!Files.isRegularFile(f)) {
                    config.problem("files[" + i + "]", "not a readable file: " + f.toAbsolutePath());
                } else {
                    files.add(f);
                }
            }
            return files.size() == names.size() && !files.isEmpty() ? DropFolderProvider.ofFiles(files, reader) : null;
        }
        String folderText = config.requireString("folder");
        String pattern = config.string("pattern", "*");
        PathMatcher matcher = null;
        try {
            matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
        } catch (IllegalArgumentException e) { // PatternSyntaxException included
            config.problem("pattern", "not a glob pattern: \"" + pattern + "\"");
        }
        if (folderText == null) {
            return null;
        }
        Path folder = Path.of(folderText);
        if (!Files.exists(folder)) {
            config.problem("folder", "does not exist: " + folder.toAbsolutePath());
            return null;
        }
        if (!Files.isDirectory(folder)) {
            config.problem("folder", "not a directory: " + folder.toAbsolutePath());
            return null;
        }
        if (matcher == null) {
            return null;
        }
        return DropFolderProvider.ofFolder(folder, matcher, reader);
    }
}
