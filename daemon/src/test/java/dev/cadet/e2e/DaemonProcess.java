package dev.cadet.e2e;

import dev.cadet.Main;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code cadet} in a child JVM, laid out as the distribution ({@code cadet.dist.dir}: lib/, plugins/,
 * conf/) and started the way {@code bin/cadet} starts it. Its stdout and stderr go to a log file that
 * the test reads to follow it.
 *
 * <p>The daemon's own classes come from where this test loaded {@link Main} (target/classes in the
 * build): surefire runs before the package phase copies the fresh daemon jar into the distribution's
 * lib/, so the {@code cadet-daemon.jar} found there may be an older build.
 */
final class DaemonProcess implements AutoCloseable {
    /** {@code Process.exitValue()} of a child killed by a signal is 128 + the signal. */
    static final int EXIT_SIGKILL = 128 + 9;
    static final int EXIT_SIGTERM = 128 + 15;
    private static final String DIST_DAEMON_JAR = "cadet-daemon.jar";

    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();

    private DaemonProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param dist    the distribution folder
     * @param tmp     the child's java.io.tmpdir (sqlite-jdbc unpacks its native library there, and a
     *                killed JVM cannot delete it)
     * @param log     where stdout and stderr go: one file per child
     * @param args    the cadet command line, e.g. {@code run --config x.yaml}
     */
    static DaemonProcess start(Path dist, Path tmp, Path log, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+ExitOnOutOfMemoryError",
                // two dozen short-lived JVMs on a shared 2-core machine: start fast, compile little
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-Djava.io.tmpdir=" + tmp,
                "-Dcadet.home=" + dist,
                "-cp", classpath(dist),
                Main.class.getName()));
        command.addAll(List.of(args));
        Files.createDirectories(tmp);
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        // DEBUG shows each file read and each commit, so a kill can be placed in its phase.
        pb.environment().put("CADET_LOG_LEVEL", "DEBUG");
        return new DaemonProcess(pb.start(), log);
    }

    private static String classpath(Path dist) throws IOException {
        List<String> entries = new ArrayList<>();
        try {
            entries.add(Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the daemon classes: " + e.getMessage(), e);
        }
        Path lib = dist.resolve("lib");
        try (Stream<Path> jars = Files.list(lib)) {
            jars.filter(j -> j.getFileName().toString().endsWith(".jar"))
                    .filter(j -> !j.getFileName().toString().equals(DIST_DAEMON_JAR))
                    .sorted()
                    .forEach(j -> entries.add(j.toString()));
        }
        if (entries.size() < 2) {
            throw new IOException(lib + " holds no jars: build the distribution first (mvn -pl daemon verify)");
        }
        return String.join(File.pathSeparator, entries);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    long pid() {
        return process.pid();
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** Waits until the log holds the text; false on timeout or when the child ended without writing it. */
    boolean awaitLog(String text, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (log().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                return log().contains(text);
            }
            Thread.sleep(20);
        }
        return false;
    }

    String log() throws IOException {
        return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    }

    /** The last lines of the log, for failure messages. */
    String logTail(int lines) throws IOException {
        List<String> all = log().lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /** SIGKILL ({@link Process#destroyForcibly()} on Unix); returns the exit value. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return awaitExit(Duration.ofSeconds(30));
    }

    /** SIGTERM ({@link Process#destroy()} on Unix): the daemon's clean stop; returns the exit value. */
    int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return awaitExit(timeout);
    }

    /** Waits for the child to end on its own; returns its exit value. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
            throw new AssertionError("cadet (pid " + process.pid() + ") did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** Never leaves the child running, whatever happened in the test. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
