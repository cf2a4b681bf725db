package dev.cadet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** The shipped logback.xml: console or rolling file, text or JSON, chosen by CADET_LOG_DIR and CADET_LOG_FORMAT. */
class LogLayoutsTest {
    private static final String FORGED = "evil\r\n2026-11-25T00:00:00.000Z INFO  [main] dev.cadet.daemon.Daemon - cadet stopped";

    /** Configures a fresh context from the shipped file with these properties, logs through it, returns stderr. */
    static String logWith(Map<String, String> properties, Consumer<Logger> logging) throws Exception {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        properties.forEach(context::putProperty);
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogLayoutsTest.class.getClassLoader().getResource("logback.xml"));
            List<Status> problems = context.getStatusManager().getCopyOfStatusList().stream()
                    .filter(s -> s.getLevel() >= Status.WARN).toList();
            assertEquals(List.of(), problems, "logback configuration problems");
            logging.accept(context.getLogger("dev.cadet.poll.StreamPoller"));
        } finally {
            context.stop();
            System.setErr(err);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void jsonOnStandardErrorIsOneParsableObjectPerEventWithTheMessageIntact() throws Exception {
        String out = logWith(Map.of("CADET_LOG_FORMAT", "json"), log -> {
            log.warn("rejected record: user name {}", FORGED);
            log.info("second");
        });
        List<String> lines = out.lines().toList();
        assertEquals(2, lines.size(), out);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertEquals("WARN", first.path("level").asText(), lines.get(0));
        assertEquals("dev.cadet.poll.StreamPoller", first.path("loggerName").asText(), lines.get(0));
        assertEquals("rejected record: user name " + FORGED, first.path("formattedMessage").asText(), lines.get(0));
        assertEquals("second", new ObjectMapper().readTree(lines.get(1)).path("formattedMessage").asText());
        assertTrue(first.path("context").isMissingNode() && first.path("arguments").isMissingNode(), lines.get(0));
    }

    @Test
    void aLogFolderGetsARollingFileAndNothingOnStandardError(@TempDir Path dir) throws Exception {
        String err = logWith(Map.of("CADET_LOG_DIR", dir.toString()), log -> log.warn("user name {}", FORGED));
        assertEquals("", err);
        List<String> lines = Files.readAllLines(dir.resolve("cadet.log"));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("user name evil\\r\\n2026-11-25T00:00:00.000Z INFO  [main] dev.cadet.daemon.Daemon - cadet stopped"),
                lines.get(0));
    }

    @Test
    void aLogFolderWithJsonWritesJsonLines(@TempDir Path dir) throws Exception {
        logWith(Map.of("CADET_LOG_DIR", dir.toString(), "CADET_LOG_FORMAT", "json"), log -> log.error("failed {}", "x\ny"));
        List<String> lines = Files.readAllLines(dir.resolve("cadet.log"));
        assertEquals(1, lines.size(), lines.toString());
        assertEquals("failed x\ny", new ObjectMapper().readTree(lines.get(0)).path("formattedMessage").asText());
    }

    @Test
    void theLevelOfCadetsLoggersFollowsCadetLogLevel() throws Exception {
        String quiet = logWith(Map.of(), log -> log.debug("hidden"));
        assertFalse(quiet.contains("hidden"), quiet);
        String verbose = logWith(Map.of("CADET_LOG_LEVEL", "DEBUG"), log -> log.debug("shown"));
        assertTrue(verbose.contains("DEBUG") && verbose.contains("shown"), verbose);
    }
}
