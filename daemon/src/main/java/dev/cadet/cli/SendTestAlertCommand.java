package dev.cadet.cli;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.config.CadetConfig;
import dev.cadet.forward.Output;
import dev.cadet.forward.Outputs;
import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code cadet send-test-alert}: one labelled test alert through every configured output, now. */
@Command(name = "send-test-alert", mixinStandardHelpOptions = true,
        description = "Sends one alert labelled as a test through every configured output and says which took it. Exit 1 if any failed.")
final class SendTestAlertCommand implements Callable<Integer> {
    static final String RULE_ID = "cadet-test-alert";

    @Mixin
    ConfigOption configOption;

    @Override
    public Integer call() {
        CadetConfig config = configOption.load();
        List<Output> outputs = Outputs.fromConfig(config.outputs());
        List<String> problems = config.outputs().stream().flatMap(o -> o.problems().stream()).toList();
        if (!problems.isEmpty() || !config.problems().isEmpty()) {
            config.problems().forEach(p -> System.err.println("config: " + p));
            problems.forEach(p -> System.err.println("config: " + p));
            outputs.forEach(Output::close);
            return ExitCodes.INVALID;
        }
        Alert alert = testAlert(Instant.now().truncatedTo(ChronoUnit.MILLIS));
        int failed = 0;
        for (Output o : outputs) {
            try {
                o.send(alert);
                o.flush();
                System.err.println("test alert " + alert.id() + " sent to output \"" + o.name() + "\"");
            } catch (IOException | RuntimeException e) {
                failed++;
                System.err.println("test alert NOT sent to output \"" + o.name() + "\": " + e.getMessage());
            } finally {
                o.close();
            }
        }
        return failed == 0 ? ExitCodes.OK : ExitCodes.FAILURE;
    }

    static Alert testAlert(Instant now) {
        String marker = "test-" + now.toEpochMilli();
        return new Alert(Alert.idOf(RULE_ID, List.of(marker)), now, RULE_ID,
                "cadet test alert: delivery check, no action needed", Severity.LOW, 0, List.of("T1136.003"),
                "cadet.test", null, "cadet", "cadet-test-user", null, List.of(marker), true);
    }
}
