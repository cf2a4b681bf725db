package dev.cadet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Merges the figures the benchmarks saved into one JSON object on one line, keyed by name
 * ({@code name=file} arguments). Per-stream details of the backfill are left out: they stay in the files.
 */
public final class Summary {
    private Summary() {
    }

    public static void main(String[] args) throws Exception {
        ObjectNode all = Report.JSON.createObjectNode();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected name=file, got \"" + arg + "\"");
            }
            Path file = Path.of(arg.substring(eq + 1));
            JsonNode figures = Files.exists(file) ? Report.JSON.readTree(file.toFile()) : Report.JSON.createObjectNode().put("missing", true);
            if (figures instanceof ObjectNode o) {
                o.remove("streams");
            }
            all.set(arg.substring(0, eq), figures);
        }
        System.out.println(Report.JSON.writeValueAsString(all));
    }
}
