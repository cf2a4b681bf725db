package dev.cadet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.forward.StdoutOutput;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CadetCommandTest {

    @Test
    void replayFormatIsAcceptedAsTheHelpSpellsIt() {
        for (String spelling : new String[] {"json", "cef", "JSON", "Cef"}) {
            CommandLine.ParseResult parsed = CadetCommand.commandLine().parseArgs("replay", "--format", spelling, "some-file.json");
            ReplayCommand replay = (ReplayCommand) parsed.subcommand().commandSpec().userObject();
            assertEquals(StdoutOutput.Format.valueOf(spelling.toUpperCase(java.util.Locale.ROOT)), replay.format);
        }
    }
}
