package dev.cadet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code cadet run} and SIGTERM: the stop hook is in place before anything polls or forwards, and a
 * stop that arrives while the daemon starts leaves nothing running. The JVM's hook registration is
 * replaced by the test, which plays the signal at that moment.
 */
class RunCommandTest {
    private static final Path DIST = Path.of(System.getProperty("cadet.dist.dir", "target/cadet"));

    @TempDir
    Path dir;

    /** A daemon that would alert at once: a CloudTrail export in a watched folder, alerts to a file. */
    private Path config(String outputName) throws Exception {
        Path drop = Files.createDirectories(dir.resolve("drop"));
        Files.copy(DIST.resolve("conf/samples/cloudtrail-s3-111122223333-us-east-1.json"),
                drop.resolve("cloudtrail.json"));
        Path config = dir.resolve("cadet.yaml");
        Files.writeString(config, """
                store: {path: %s}
                plugins: {dir: %s}
                detection: {rules: [%s]}
                providers:
                  file:
                    - name: drop
                      folder: %s
                      schedule: 1s
                      settle_lag: 0s
                outputs:
                  - {type: file, name: %s, path: %s}
                """.formatted(dir.resolve("cadet.db"), DIST.resolve("plugins"), DIST.resolve("conf/rules"), drop,
                outputName, dir.resolve("alerts.jsonl")));
        return config;
    }

    /** Runs {@code cadet run --config FILE} in this JVM with the given stand-in for the JVM's hook list. */
    private static int run(Path config, Consumer<Thread> hooks) throws Exception {
        RunCommand command = new RunCommand();
        command.shutdownHooks = hooks;
        return CompletableFuture.supplyAsync(() -> new CommandLine(command).execute("--config", config.toString()))
                .get(60, TimeUnit.SECONDS);
    }

    /** Live threads of this test's daemon: its output's forwarder thread and the housekeeping thread. */
    private static List<String> daemonThreads(String outputName) {
        List<String> names = new ArrayList<>();
        Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.equals("cadet-forward-" + outputName) || n.equals("cadet-housekeeping"))
                .forEach(names::add);
        return names;
    }

    @Test
    void theStopHookIsRegisteredBeforeAnythingRunsAndASignalThenStopsBeforeTheStart() throws Exception {
        String output = "hook-first";
        Path config = config(output);
        List<List<String>> runningAtRegistration = new ArrayList<>();
        int exit = run(config, hook -> {
            runningAtRegistration.add(daemonThreads(output));
            hook.run(); // SIGTERM right now: the JVM runs the hook while start() has not begun
        });
        assertEquals(ExitCodes.OK, exit);
        assertEquals(List.of(List.of()), runningAtRegistration, "one hook, registered before forwarding or polling started");
        assertEquals(List.of(), daemonThreads(output), "nothing starts after the stop");
        assertFalse(Files.exists(dir.resolve("alerts.jsonl")), "nothing was polled");
    }

    @Test
    void aSignalDuringTheStartStopsWhateverStarted() throws Exception {
        String output = "hook-racing";
        Path config = config(output);
        List<Thread> hooks = new ArrayList<>();
        int exit = run(config, hook -> {
            hooks.add(hook);
            hook.start(); // SIGTERM now, run by the JVM's hook thread while start() goes on
        });
        assertEquals(ExitCodes.OK, exit);
        assertEquals(1, hooks.size());
        Thread hook = hooks.get(0);
        assertNotNull(hook);
        hook.join(30_000);
        assertFalse(hook.isAlive(), "the stop finished");
        assertEquals(List.of(), daemonThreads(output), "the forwarder and housekeeping threads are stopped");
    }
}
