package dev.cadet.forward.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.collector.Secret;
import dev.cadet.forward.cef.CefEncoder;
import dev.cadet.forward.cef.StrictCefParser;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sends to a real rsyslogd on loopback and compares what it received, byte for byte, with what was meant. */
class SyslogDeliveryTest {
    private static final Instant NOW = Instant.parse("2026-02-03T04:05:06.789Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final CefEncoder CEF = new CefEncoder("9.9.9");

    @TempDir
    static Path tmp;
    static Rsyslog.Certs certs;
    static Rsyslog rsyslog;

    @BeforeAll
    static void startRsyslog() throws Exception {
        Rsyslog.rsyslogd();
        certs = Rsyslog.makeCerts(tmp.resolve("pki"));
        rsyslog = new Rsyslog(tmp.resolve("rsyslog"), certs);
        rsyslog.start();
    }

    @AfterAll
    static void stopRsyslog() {
        if (rsyslog != null) {
            rsyslog.close();
        }
    }

    static Alert hostileAlert() {
        String id = UUID.randomUUID().toString().replace("-", "");
        return new Alert(id, Instant.parse("2026-02-03T04:00:00Z"), "aws-iam-create-user",
                "New IAM user | \\ = \u00e9 \uD83D\uDE00", Severity.HIGH, 73, List.of("T1136.003"), "aws.cloudtrail",
                "123456789012", "x CEF:0|a|b|c|d|e|5| suser=evil act=blocked\r\nnext", "new-admin", "192.0.2.7",
                List.of("ev-1", "ev-2"), false);
    }

    private static SyslogOutput output(Protocol protocol, Framing framing, SyslogFormat format, int port, TlsSettings tls) {
        SyslogHeader header = new SyslogHeader(format, Facility.LOCAL4, "cadet-host", "cadet", "4242", false, ZoneOffset.UTC);
        return new SyslogOutput("test", new SyslogSettings("127.0.0.1", port, protocol, framing, header,
                protocol == Protocol.UDP ? 2048 : 8192, tls, Duration.ofSeconds(5)), CEF, CLOCK);
    }

    private static String received(String input, Alert a) throws Exception {
        List<String> lines = rsyslog.awaitLines(l -> l.contains(a.id()), 1, Duration.ofSeconds(10));
        assertEquals(1, lines.size(), "exactly one line for alert " + a.id() + "; rsyslog log: " + rsyslog.log());
        String line = lines.get(0);
        assertTrue(line.startsWith(input + " "), line);
        return line.substring(input.length() + 1);
    }

    private static void assertCefReadsBack(String message, Alert a) {
        StrictCefParser.Record r = StrictCefParser.parse(message.substring(message.indexOf("CEF:0|")));
        assertEquals(a.id(), r.extension().get("externalId"));
        assertEquals(a.userName().strip(), r.extension().get("suser"));
        assertEquals(a.ruleName(), r.name());
    }

    @Test
    void udpRfc3164Delivers() throws Exception {
        Alert a = hostileAlert();
        try (SyslogOutput out = output(Protocol.UDP, Framing.LF, SyslogFormat.RFC3164, rsyslog.udpPort, null)) {
            out.send(a);
            out.flush();
        }
        String got = received("imudp", a);
        // local4 (20) * 8 + error (3, for high) = 163
        assertEquals("<163>Feb  3 04:05:06 cadet-host cadet[4242]: " + CEF.encode(a), got);
        assertCefReadsBack(got, a);
    }

    @Test
    void tcpOctetCountingRfc5424Delivers() throws Exception {
        Alert a = hostileAlert();
        Alert b = hostileAlert();
        try (SyslogOutput out = output(Protocol.TCP, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.tcpPort, null)) {
            out.send(a);
            out.send(b);
            out.flush();
        }
        for (Alert x : List.of(a, b)) {
            String got = received("imptcp", x);
            assertEquals("<163>1 2026-02-03T04:05:06.789Z cadet-host cadet 4242 CEF - " + CEF.encode(x), got);
            assertCefReadsBack(got, x);
        }
    }

    @Test
    void tcpLfFramingDelivers() throws Exception {
        Alert a = hostileAlert();
        try (SyslogOutput out = output(Protocol.TCP, Framing.LF, SyslogFormat.RFC3164, rsyslog.tcpPort, null)) {
            out.send(a);
            out.flush();
        }
        assertEquals("<163>Feb  3 04:05:06 cadet-host cadet[4242]: " + CEF.encode(a), received("imptcp", a));
    }

    @Test
    void tlsWithTheTestCaDeliversAndVerifiesTheName() throws Exception {
        Alert byName = hostileAlert();
        Alert byIp = hostileAlert();
        // server_name "localhost" is checked against the DNS SAN; without it, 127.0.0.1 against the IP SAN.
        try (SyslogOutput out = output(Protocol.TLS, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.tlsPort,
                new TlsSettings(certs.ca(), null, null, null, true, "localhost"))) {
            out.send(byName);
            out.flush();
        }
        try (SyslogOutput out = output(Protocol.TLS, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.tlsPort,
                new TlsSettings(certs.ca(), null, null, null, true, null))) {
            out.send(byIp);
            out.flush();
        }
        for (Alert x : List.of(byName, byIp)) {
            String got = received("imtcp", x);
            assertEquals("<163>1 2026-02-03T04:05:06.789Z cadet-host cadet 4242 CEF - " + CEF.encode(x), got);
            assertCefReadsBack(got, x);
        }
    }

    @Test
    void tlsRefusesAServerTheConfiguredCaDidNotSign() throws Exception {
        Alert refused = hostileAlert();
        try (SyslogOutput out = output(Protocol.TLS, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.tlsPort,
                new TlsSettings(certs.otherCa(), null, null, null, true, null))) {
            IOException e = assertThrows(IOException.class, () -> out.send(refused));
            assertTrue(e.getCause() instanceof SSLException, e.toString());
        }
        assertNothingArrived(refused);
    }

    @Test
    void tlsRefusesACertificateForAnotherName() throws Exception {
        Alert refused = hostileAlert();
        try (SyslogOutput out = output(Protocol.TLS, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.tlsPort,
                new TlsSettings(certs.ca(), null, null, null, true, "siem.example.com"))) {
            IOException e = assertThrows(IOException.class, () -> out.send(refused));
            assertTrue(e.getCause() instanceof SSLException, e.toString());
        }
        assertNothingArrived(refused);
    }

    @Test
    void tlsClientCertificateFromPemOrPkcs12IsAccepted() throws Exception {
        Alert pem = hostileAlert();
        Alert p12 = hostileAlert();
        try (SyslogOutput out = output(Protocol.TLS, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.mtlsPort,
                new TlsSettings(certs.ca(), certs.clientCert(), certs.clientKey(), null, true, null))) {
            out.send(pem);
            out.flush();
        }
        Secret password = new Secret("${env:TEST_P12_PASSWORD}", certs::clientP12Password);
        try (SyslogOutput out = output(Protocol.TLS, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.mtlsPort,
                new TlsSettings(certs.ca(), certs.clientP12(), null, password, true, null))) {
            out.send(p12);
            out.flush();
        }
        assertCefReadsBack(received("imtcp", pem), pem);
        assertCefReadsBack(received("imtcp", p12), p12);
    }

    @Test
    void anOversizedAlertIsCutToTheFrameLimitNotSplit() throws Exception {
        Alert big = new Alert(UUID.randomUUID().toString().replace("-", ""), NOW, "r", "N".repeat(5000), Severity.LOW, 10,
                List.of(), null, null, "u".repeat(3000), null, null,
                java.util.stream.IntStream.range(0, 500).mapToObj(i -> "event-" + i).toList(), false);
        try (SyslogOutput out = output(Protocol.UDP, Framing.LF, SyslogFormat.RFC3164, rsyslog.udpPort, null)) {
            out.send(big);
            out.flush();
        }
        String got = received("imudp", big);
        assertTrue(got.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 2048, "frame within 2048 bytes");
        StrictCefParser.Record r = StrictCefParser.parse(got.substring(got.indexOf("CEF:0|")));
        assertTrue(r.extension().get("flexString1").startsWith("cs4"), r.extension().toString());
    }

    /** A marker sent afterwards over plain TCP has arrived, so anything sent before it would have too. */
    private static void assertNothingArrived(Alert refused) throws Exception {
        Alert marker = hostileAlert();
        try (SyslogOutput out = output(Protocol.TCP, Framing.OCTET_COUNTING, SyslogFormat.RFC5424, rsyslog.tcpPort, null)) {
            out.send(marker);
            out.flush();
        }
        received("imptcp", marker);
        assertEquals(List.of(), rsyslog.awaitLines(l -> l.contains(refused.id()), 1, Duration.ofMillis(300)));
    }
}
