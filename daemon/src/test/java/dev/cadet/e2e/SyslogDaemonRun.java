package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.forward.cef.StrictCefParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code cadet run --config <yaml>} of the real daemon in a child JVM ({@link DaemonProcess}) with
 * the test's {@code providers:} section, the checkout's whole rule pack ({@code conf/rules}) and one
 * syslog output (TCP, LF framing) to a {@link SyslogReceiver} in the test JVM. The test starts it,
 * waits for the alerts, stops it with SIGTERM and checks every received CEF line with
 * {@link StrictCefParser} against the {@link Expected} alerts: nothing missing, nothing else.
 */
final class SyslogDaemonRun implements AutoCloseable {
    static final Path DIST = Path.of(System.getProperty("cadet.dist.dir", "target/cadet")).toAbsolutePath();
    static final String OUTPUT = "siem";
    /** The seed rule is a sequence of one; the rule loader says so at every start. Expected, not a problem. */
    private static final String SEQUENCE_OF_ONE_WARNING = "sequence of one";
    /**
     * A known defect, tolerated only after "cadet stopped": the azure plugin's OkHttp clients leave
     * okhttp's shared "OkHttp TaskRunner" thread running after the provider is closed; the host then
     * closes the plugin's class loader, and that thread, still finishing the connection-pool clean-up,
     * fails to load a Kotlin class (NoClassDefFoundError kotlin/jvm/internal/Ref$IntRef, in about one
     * run in three). The daemon has stopped cleanly by then; the fix belongs to the plugin's close.
     */
    private static final Pattern KNOWN_AFTER_STOP =
            Pattern.compile("^Exception in thread \"OkHttp TaskRunner\" java\\.lang\\.NoClassDefFoundError: kotlin/"
                    + "|^Caused by: java\\.lang\\.ClassNotFoundException: kotlin\\.");

    /**
     * An alert the test expects, as the SIEM must see it in CEF.
     *
     * @param eventIds the vendor event ids of the match in event-time order ({@code cs4}); with the
     *                 rule id they make the alert id ({@code externalId})
     */
    record Expected(String ruleId, List<String> eventIds, String dataset, String accountId, String actor, String target) {
        String alertId() {
            return Alert.idOf(ruleId, eventIds);
        }
    }

    private final Path tmp;
    private final Path config;
    private final Path store;
    private final SyslogReceiver receiver;
    private DaemonProcess child;

    /**
     * @param providers the {@code providers:} section's body (indented by two spaces, one plugin id per key)
     */
    SyslogDaemonRun(Path tmp, String providers) throws IOException {
        assertTrue(Files.isDirectory(DIST.resolve("lib")) && Files.isDirectory(DIST.resolve("plugins")),
                "no distribution at " + DIST + " (system property cadet.dist.dir): run mvn install -DskipTests first");
        this.tmp = tmp;
        this.store = tmp.resolve("state/cadet.db");
        this.receiver = new SyslogReceiver();
        String yaml = """
                store:
                  path: '%s'
                detection:
                  rules:
                    - '%s'
                plugins:
                  dir: '%s'
                providers:
                %s
                outputs:
                  - type: syslog
                    name: %s
                    host: 127.0.0.1
                    port: %d
                    protocol: tcp
                    framing: lf
                    hostname: cadet-e2e
                """.formatted(store, ruleDir(), DIST.resolve("plugins"), providers.stripTrailing(), OUTPUT, receiver.port());
        this.config = tmp.resolve("cadet.yaml");
        Files.writeString(config, yaml, StandardCharsets.UTF_8);
    }

    /**
     * The checkout's rule pack: the one this daemon is built with (the distribution's {@code conf/}
     * comes from the shared Maven repository and may be another branch's). Surefire runs in daemon/.
     */
    static Path ruleDir() {
        return DIST.getParent().getParent().getParent().resolve("conf/rules");
    }

    /** Writes a secret to a file under the test's folder, for a {@code ${file:...}} reference. */
    static Path secretFile(Path tmp, String name, String content) throws IOException {
        Path file = tmp.resolve("secrets").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    /**
     * The whole run: starts the daemon, waits for the expected alerts at the receiver and for two more
     * polls of the stream (a repeated or late extra alert would be made by then), stops it with SIGTERM,
     * and checks what the SIEM got, what the outbox held, and the log.
     *
     * @param secrets texts that must not appear in the daemon's log
     */
    void runToAlerts(String stream, List<Expected> expected, String... secrets) throws Exception {
        long started = System.nanoTime();
        start();
        awaitAlerts(expected.size(), Duration.ofSeconds(20));
        long alertsAfter = System.nanoTime();
        awaitFurtherPolls(stream, 2, Duration.ofSeconds(10));
        stop();
        assertReceivedExactly(expected);
        Set<String> ids = new TreeSet<>();
        expected.forEach(e -> ids.add(e.alertId()));
        assertEquals(ids, new TreeSet<>(outboxAlertIds()), "the outbox held exactly the expected alerts");
        assertCleanLog(secrets);
        System.out.printf("%s: %d alerts at the SIEM %.1f s after start, stopped at %.1f s%n", stream, expected.size(),
                (alertsAfter - started) / 1e9, (System.nanoTime() - started) / 1e9);
    }

    void start() throws IOException {
        child = DaemonProcess.start(DIST, tmp.resolve("jvm-tmp"), tmp.resolve("cadet.log"), "run", "--config", config.toString());
    }

    /** Waits for this many distinct alerts at the receiver; fails with the daemon's log if they do not come. */
    void awaitAlerts(int count, Duration timeout) throws Exception {
        boolean arrived = receiver.awaitLines(lines -> lines.stream().map(SyslogReceiver::externalId).distinct().count() >= count,
                timeout);
        assertTrue(arrived, () -> "received " + receiver.alertIds().size() + " of " + count + " alerts within " + timeout
                + ":\n" + receiver.lines() + "\n" + tail());
    }

    /**
     * Waits until the stream has finished {@code more} further polls (DEBUG "stream KEY: PollResult[outcome=POLLED"),
     * so a late or repeated alert would have been made by then.
     */
    void awaitFurtherPolls(String streamKey, int more, Duration timeout) throws Exception {
        int now = polls(streamKey);
        long end = System.nanoTime() + timeout.toNanos();
        while (polls(streamKey) < now + more) {
            assertTrue(child.isAlive(), () -> "cadet ended:\n" + tail());
            assertTrue(System.nanoTime() < end, () -> "stream " + streamKey + " did not poll " + more + " more times in "
                    + timeout + ":\n" + tail());
            Thread.sleep(50);
        }
    }

    /** Completed polls of the stream so far, from the DEBUG log. */
    int polls(String streamKey) throws IOException {
        Matcher m = Pattern.compile(Pattern.quote("stream " + streamKey + ": PollResult[outcome=POLLED")).matcher(child.log());
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    /** SIGTERM, the clean stop: exit 143 (or 0), "cadet stopped" logged, the outbox drained to the receiver. */
    void stop() throws Exception {
        assertTrue(child.isAlive(), () -> "cadet ended on its own:\n" + tail());
        int exit = child.terminate(Duration.ofSeconds(20));
        assertTrue(exit == DaemonProcess.EXIT_SIGTERM || exit == 0, () -> "exit value after SIGTERM: " + exit + "\n" + tail());
        assertTrue(child.log().contains("cadet stopped"), () -> "no clean stop logged:\n" + tail());
        Set<String> inOutbox = outboxAlertIds();
        // the receiver reads on its own threads: give the last bytes a moment
        receiver.awaitLines(lines -> lines.stream().map(SyslogReceiver::externalId).toList().containsAll(inOutbox),
                Duration.ofSeconds(5));
        Set<String> notReceived = new TreeSet<>(inOutbox);
        notReceived.removeAll(receiver.alertIds());
        assertEquals(Set.of(), notReceived, "alerts in the outbox that the receiver never got");
    }

    /**
     * Every received line parses as strict CEF and is one of the expected alerts, with the expected
     * fields; every expected alert arrived; a repeat (at-least-once) is the same CEF under the same id.
     * Returns the parsed records by alert id.
     */
    Map<String, StrictCefParser.Record> assertReceivedExactly(List<Expected> expected) {
        Map<String, Expected> byId = new LinkedHashMap<>();
        for (Expected e : expected) {
            byId.put(e.alertId(), e);
        }
        Map<String, StrictCefParser.Record> received = new LinkedHashMap<>();
        Map<String, String> firstLine = new LinkedHashMap<>();
        List<String> unexpected = new ArrayList<>();
        for (String line : receiver.lines()) {
            String cef = SyslogReceiver.cef(line);
            StrictCefParser.Record r = StrictCefParser.parse(cef);
            String id = r.extension().get("externalId");
            String before = firstLine.putIfAbsent(id, cef);
            if (before != null) {
                assertEquals(before, cef, "a repeat of alert " + id + " differs");
                continue;
            }
            received.put(id, r);
            if (!byId.containsKey(id)) {
                unexpected.add(r.classId() + " " + r.extension().get("cs4") + " (" + id + ")");
            }
        }
        Set<String> missing = new TreeSet<>();
        for (Expected e : expected) {
            if (!received.containsKey(e.alertId())) {
                missing.add(e.ruleId() + " " + e.eventIds());
            }
        }
        assertTrue(missing.isEmpty() && unexpected.isEmpty(), "missing alerts: " + missing + "; unexpected alerts: " + unexpected
                + "\nreceived:\n" + String.join("\n", firstLine.values()));
        for (Map.Entry<String, StrictCefParser.Record> r : received.entrySet()) {
            Expected e = byId.get(r.getKey());
            Map<String, String> x = r.getValue().extension();
            String what = e.ruleId() + " " + e.eventIds() + ": " + firstLine.get(r.getKey());
            assertEquals(List.of("CEF:0", "cadet", "cadet"), r.getValue().header().subList(0, 3), what);
            assertEquals(e.ruleId(), r.getValue().classId(), "signature id, " + what);
            assertEquals(e.ruleId(), x.get("cs1"), "cs1 rule id, " + what);
            assertEquals(e.dataset(), x.get("cs2"), "cs2 dataset, " + what);
            assertEquals(e.accountId(), x.get("cs3"), "cs3 account, " + what);
            assertEquals(String.join(",", e.eventIds()), x.get("cs4"), "cs4 event ids in event-time order, " + what);
            assertEquals(e.actor(), x.get("suser"), "suser, " + what);
            assertEquals(e.target(), x.get("duser"), "duser, " + what);
        }
        return received;
    }

    /**
     * No WARN or ERROR line and no stack trace in the daemon's log, but the rules' note on the seed
     * rule and {@link #KNOWN_AFTER_STOP}; and no secret anywhere in it.
     */
    void assertCleanLog(String... secrets) throws IOException {
        String log = child.log();
        int stopped = log.indexOf("cadet stopped");
        List<String> problems = new ArrayList<>();
        int at = 0;
        for (String line : log.lines().toList()) {
            boolean afterStop = stopped >= 0 && at > stopped;
            at += line.length() + 1;
            if ((line.contains(" WARN ") || line.contains(" ERROR ") || line.contains("Exception") || line.contains("Error:"))
                    && !line.contains(SEQUENCE_OF_ONE_WARNING) && !(afterStop && KNOWN_AFTER_STOP.matcher(line).find())) {
                problems.add(line);
            }
        }
        assertEquals(List.of(), problems, () -> "warnings or errors in the daemon's log:\n" + tail());
        for (String s : secrets) {
            assertTrue(!log.contains(s), "a secret appears in the daemon's log");
        }
    }

    /** Every alert id the outbox ever held (sent ones included), read from the store's table. */
    Set<String> outboxAlertIds() throws SQLException {
        Set<String> ids = new HashSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + store);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT alert_id FROM alert_outbox")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    String tail() {
        try {
            return child == null ? "(not started)" : child.logTail(60);
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Kills the child if the test failed before stopping it; closes the receiver. */
    @Override
    public void close() throws Exception {
        try {
            if (child != null) {
                child.close();
            }
        } finally {
            receiver.close();
        }
    }
}
