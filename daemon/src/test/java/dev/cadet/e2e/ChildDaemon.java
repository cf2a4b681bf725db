package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The {@code cadet} launcher of an installed layout ({@code <home>/bin/cadet}) run as a child process,
 * with this JVM's runtime as {@code JAVA_HOME}, its output in files. {@link #stop()} sends SIGTERM
 * ({@link Process#destroy()} on Linux), as systemd does.
 */
final class ChildDaemon implements AutoCloseable {
    private final Process process;
    private final Path stdout;
    private final Path stderr;

    private ChildDaemon(Process process, Path stdout, Path stderr) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    /** Starts {@code launcher args...} in {@code workDir}, with extra environment variables. */
    static ChildDaemon start(Path launcher, Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(launcher.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("CADET_JAVA_OPTS", "-Xmx256m");
        pb.environment().putAll(env);
        Files.createDirectories(workDir);
        Path out = Files.createTempFile(workDir, "stdout-", ".txt");
        Path err = Files.createTempFile(workDir, "stderr-", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        return new ChildDaemon(pb.start(), out, err);
    }

    /** Runs a command of the launcher to its end (at most two minutes) and returns what it printed. */
    static Cli.Run runToEnd(Path launcher, Path workDir, Map<String, String> env, String... args) throws Exception {
        try (ChildDaemon c = start(launcher, workDir, env, args)) {
            if (!c.process.waitFor(2, TimeUnit.MINUTES)) {
                fail("cadet " + String.join(" ", args) + " did not finish in 2 minutes\n" + c.output());
            }
            return new Cli.Run(c.process.exitValue(), c.stdout(), c.stderr());
        }
    }

    String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    String output() throws IOException {
        return "--- stdout\n" + stdout() + "--- stderr\n" + stderr();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** Waits until {@code condition} holds, failing with the daemon's output if it does not in time or the daemon exits. */
    void await(String what, Duration timeout, BooleanSupplier condition) throws Exception {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive()) {
                fail("cadet exited (" + process.exitValue() + ") before " + what + "\n" + output());
            }
            if (Instant.now().isAfter(end)) {
                fail("no " + what + " within " + timeout + "\n" + output());
            }
            Thread.sleep(100);
        }
    }

    /** SIGTERM, then waits up to {@code timeout} for the exit; returns the exit code. */
    int stop(Duration timeout) throws Exception {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("cadet did not stop within " + timeout + " of SIGTERM\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
