package dev.cadet.progress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProgressLineTest {
    long now;
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final ProgressLine line = new ProgressLine(new PrintStream(bytes, true, StandardCharsets.UTF_8), () -> now);

    String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void rewritesOneLineAtMostEvery200msAndEndsItOnClose() {
        line.show("files 0/2, records 100");
        line.show("files 0/2, records 200"); // too soon: kept for later
        assertEquals("\rfiles 0/2, records 100", printed());
        now += ProgressLine.MIN_INTERVAL_NANOS;
        line.show("files 1/2");
        // the shorter text blanks what the longer one left
        assertEquals("\rfiles 0/2, records 100\rfiles 1/2" + " ".repeat(13), printed());
        line.show("files 2/2, records 300");
        line.close();
        assertTrue(printed().endsWith("\rfiles 2/2, records 300" + System.lineSeparator()), printed());
    }

    @Test
    void controlCharactersInTheTextCannotMoveTheCursor() {
        line.show("stream a\u001b[2Jb\nc");
        assertEquals("\rstream a [2Jb c", printed());
    }

    @Test
    void barShowsTheShareDone() {
        assertEquals("[############------------]  50%", ProgressLine.bar(5, 10));
        assertEquals("[########################] 100%", ProgressLine.bar(12, 10));
        assertEquals("[------------------------]", ProgressLine.bar(3, 0));
    }

    @Test
    void withoutAConsoleNothingIsPrinted() {
        // surefire runs the tests without a terminal, as systemd runs the daemon
        assertSame(ProgressLine.NONE, ProgressLine.onTerminal());
    }

    @Test
    void backfillOfSeveralStreamsOnOneLineEndsWhenTheLastEnds() {
        BackfillProgress p = new BackfillProgress(line);
        p.partCommitted("aws/1/us-east-1", 1, 4);
        now += ProgressLine.MIN_INTERVAL_NANOS;
        p.partCommitted("aws/1/eu-west-1", 1, 4);
        assertTrue(printed().endsWith("\r[######------------------]  25% backfill aws/1/us-east-1 1/4, aws/1/eu-west-1 1/4"), printed());
        p.ended("aws/1/us-east-1");
        assertTrue(!printed().endsWith(System.lineSeparator()), "one stream still runs");
        p.ended("aws/1/eu-west-1");
        assertTrue(printed().endsWith(System.lineSeparator()), printed());
    }
}
