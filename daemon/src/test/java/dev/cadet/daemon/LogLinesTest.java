package dev.cadet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The shipped logging config keeps one event on one line whatever a message carries. */
class LogLinesTest {

    @Test
    void crAndLfInAMessageCannotForgeASecondLogLine() throws Exception {
        URL config = getClass().getClassLoader().getResource("logback.xml");
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(config);
            Logger log = context.getLogger("dev.cadet.poll.StreamPoller");
            log.warn("rejected record: user name {}", "evil\r\n2026-11-25T00:00:00.000Z INFO  [main] dev.cadet.daemon.Daemon - cadet stopped");
        } finally {
            context.stop();
            System.setErr(err);
        }
        List<String> lines = captured.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).endsWith("user name evil\\r\\n2026-11-25T00:00:00.000Z INFO  [main] dev.cadet.daemon.Daemon - cadet stopped"),
                lines.get(0));
    }
}
