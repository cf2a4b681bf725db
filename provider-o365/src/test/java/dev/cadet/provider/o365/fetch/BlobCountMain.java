package dev.cadet.provider.o365.fetch;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run in a child JVM by {@link BlobMemoryTest}: reads a blob file with {@link BlobReader} as the source
 * does (records turned into JSON text, in pages of {@link ActivityFeedSource#PAGE_SIZE}) and prints the
 * record count and the highest heap use seen.
 */
public final class BlobCountMain {
    private BlobCountMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> page = new ArrayList<>();
        long[] bytes = {0};
        long[] maxUsed = {0};
        Runtime rt = Runtime.getRuntime();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(args[0])), 1 << 16)) {
            long n = BlobReader.read(in, (record, index) -> {
                page.add(record.toString());
                if (page.size() == ActivityFeedSource.PAGE_SIZE) {
                    for (String s : page) {
                        bytes[0] += s.length();
                    }
                    page.clear();
                    if (index % 20_000 == 0) {
                        maxUsed[0] = Math.max(maxUsed[0], rt.totalMemory() - rt.freeMemory());
                    }
                }
            });
            System.out.println("records=" + n + " maxHeapMb=" + maxUsed[0] / (1024 * 1024) + " chars=" + bytes[0]);
        }
    }
}
