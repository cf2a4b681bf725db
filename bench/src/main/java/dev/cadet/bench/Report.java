package dev.cadet.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A benchmark's figures: printed for people as it goes, saved as one JSON object for bench/run to merge. */
final class Report {
    static final ObjectMapper JSON = new ObjectMapper();

    final ObjectNode figures = JSON.createObjectNode();

    /** A line for people, on stdout. */
    static void say(String format, Object... args) {
        System.out.printf(format + "%n", args);
        System.out.flush();
    }

    static double round(double v, int decimals) {
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }

    static double mib(long bytes) {
        return round(bytes / (1024.0 * 1024.0), 1);
    }

    /** Writes the figures to {@code out} (creating its folder). */
    void save(Path out) throws IOException {
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(out, JSON.writeValueAsString(figures) + "\n");
    }
}
