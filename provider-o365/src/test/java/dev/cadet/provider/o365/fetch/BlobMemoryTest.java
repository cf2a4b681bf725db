package dev.cadet.provider.o365.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 200 MB content blob is read record by record in a JVM limited to 256 MB of heap: memory does not
 * grow with the blob's size.
 */
class BlobMemoryTest {
    static final long TARGET_BYTES = 200L * 1024 * 1024;

    @TempDir
    Path dir;

    @Test
    void a200MbBlobIsCountedUnderXmx256m() throws Exception {
        Path blob = dir.resolve("blob.json");
        long records = writeBlob(blob);
        assertTrue(Files.size(blob) >= TARGET_BYTES, "blob size " + Files.size(blob));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", classpath,
                BlobCountMain.class.getName(), blob.toString())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(60, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done, "the child JVM did not finish within 60 s: " + out);
        assertEquals(0, p.exitValue(), "child JVM failed: " + out);
        assertTrue(out.contains("records=" + records + " "), "expected " + records + " records: " + out);
    }

    /** Streams a blob of about 200 MB of distinct ~1.2 KB records to disk; returns how many. */
    private static long writeBlob(Path file) throws IOException {
        String padding = "x".repeat(900);
        long n = 0;
        long written = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write('[');
            while (written < TARGET_BYTES) {
                String record = "{\"CreationTime\":\"2026-03-01T12:00:00\",\"Id\":\"rec-" + n
                        + "\",\"Operation\":\"Update user.\",\"OrganizationId\":\"org\",\"RecordType\":8,"
                        + "\"ResultStatus\":\"Success\",\"Workload\":\"AzureActiveDirectory\",\"UserId\":\"a@b.c\","
                        + "\"ModifiedProperties\":[{\"Name\":\"Note\",\"NewValue\":\"" + padding + "\",\"OldValue\":\"\"}],"
                        + "\"Target\":[{\"ID\":\"t" + n + "@b.c\",\"Type\":5}]}";
                if (n > 0) {
                    w.write(',');
                }
                w.write(record);
                written += record.length() + 1;
                n++;
            }
            w.write(']');
        }
        return n;
    }

}
