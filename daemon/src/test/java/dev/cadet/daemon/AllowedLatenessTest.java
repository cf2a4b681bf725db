package dev.cadet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How late a sequence's events may arrive: the config's word, else the streams' longest re-scan overlap. */
class AllowedLatenessTest {
    private static CadetConfig config(String yaml) {
        return new ConfigLoader(Path.of("."), new SecretReferences(Map.of())).parse(yaml, "test");
    }

    @Test
    void defaultsToTheLongestRescanOverlapOfTheStreams() {
        // A Workspace admin stream re-scans 3 h: a CREATE_USER read 3 h late must still start its chain.
        assertEquals(Duration.ofHours(3),
                DaemonModule.allowedLateness(config("store: {path: x.db}\n"), List.of(Duration.ofHours(1), Duration.ofHours(3))));
    }

    @Test
    void theConfigWins() {
        assertEquals(Duration.ofMinutes(20), DaemonModule.allowedLateness(
                config("detection: {allowed_lateness: 20m}\n"), List.of(Duration.ofHours(3))));
    }

    @Test
    void withoutOverlapsItIsOneHour() {
        assertEquals(Duration.ofHours(1), DaemonModule.allowedLateness(config("store: {path: x.db}\n"), List.of(Duration.ZERO)));
        assertEquals(Duration.ofHours(1), DaemonModule.allowedLateness(config("store: {path: x.db}\n"), List.of()));
    }
}
