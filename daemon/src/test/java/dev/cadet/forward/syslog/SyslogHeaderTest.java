package dev.cadet.forward.syslog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.forward.cef.CefEncoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SyslogHeaderTest {
    private static final ZoneId PARIS = ZoneId.of("Europe/Paris");

    @Test
    void rfc3164PadsTheDayWithASpaceAndUsesLocalTime() {
        SyslogHeader h = new SyslogHeader(SyslogFormat.RFC3164, Facility.LOCAL4, "vm1", "cadet", "42", false, PARIS);
        // 2024-03-03T23:05:09Z is 4 March 00:05:09 in Paris (UTC+1)
        assertEquals("<164>Mar  4 00:05:09 vm1 cadet[42]: ", h.render(4, Instant.parse("2024-03-03T23:05:09Z")));
        assertEquals("<163>Nov 23 08:16:13 vm1 cadet[42]: ", h.render(3, Instant.parse("2024-11-23T07:16:13Z")));
        assertEquals("<18>Jan  1 01:00:00 vm1 cadet[42]: ",
                new SyslogHeader(SyslogFormat.RFC3164, Facility.MAIL, "vm1", "cadet", "42", false, PARIS)
                        .render(2, Instant.parse("2024-01-01T00:00:00Z")));
    }

    @Test
    void rfc5424HasVersionUtcMillisMsgIdCefAndNoStructuredData() {
        SyslogHeader h = new SyslogHeader(SyslogFormat.RFC5424, Facility.LOCAL4, "host.example", "cadet", "4711", false, PARIS);
        assertEquals("<165>1 2026-01-02T03:04:05.678Z host.example cadet 4711 CEF - ",
                h.render(5, Instant.parse("2026-01-02T03:04:05.678912Z")));
        SyslogHeader bom = new SyslogHeader(SyslogFormat.RFC5424, Facility.LOCAL0, "h", "cadet", "1", true, PARIS);
        byte[] b = bom.render(4, Instant.parse("2026-01-02T03:04:05Z")).getBytes(StandardCharsets.UTF_8);
        assertArrayEquals(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                java.util.Arrays.copyOfRange(b, b.length - 3, b.length));
        assertTrue(new String(b, StandardCharsets.UTF_8).startsWith("<132>1 2026-01-02T03:04:05.000Z h cadet 1 CEF - "));
    }

    @Test
    void rejectsHeaderFieldsThatWouldBreakTheFormat() {
        assertThrows(IllegalArgumentException.class,
                () -> new SyslogHeader(SyslogFormat.RFC3164, Facility.LOCAL4, "my host", "cadet", "1", false, PARIS));
        assertThrows(IllegalArgumentException.class,
                () -> new SyslogHeader(SyslogFormat.RFC3164, Facility.LOCAL4, "h", "ca det:", "1", false, PARIS));
        assertThrows(IllegalArgumentException.class, () -> Facility.parse("local9"));
        assertEquals(Facility.LOCAL4, Facility.parse("local4"));
    }

    @Test
    void severityFollowsTheAlert() {
        assertEquals(2, SyslogHeader.syslogSeverity(Severity.CRITICAL));
        assertEquals(3, SyslogHeader.syslogSeverity(Severity.HIGH));
        assertEquals(4, SyslogHeader.syslogSeverity(Severity.MEDIUM));
        assertEquals(5, SyslogHeader.syslogSeverity(Severity.LOW));
    }

    /** Octet counting on a real TCP socket: the length prefix is the UTF-8 byte count, not the char count. */
    @Test
    void octetCountingLengthIsUtf8Bytes() throws Exception {
        Alert a = new Alert("id1", Instant.parse("2024-01-01T00:00:00Z"), "r", "caf\u00e9 \uD83D\uDE00", Severity.MEDIUM, 50,
                List.of(), null, null, "\u65e5\u672c", null, null, List.of(), false);
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> received = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    in.transferTo(bytes);
                    return bytes.toByteArray();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            SyslogHeader h = new SyslogHeader(SyslogFormat.RFC5424, Facility.LOCAL4, "h", "cadet", "1", false, ZoneOffset.UTC);
            SyslogOutput out = new SyslogOutput("t", new SyslogSettings("127.0.0.1", server.getLocalPort(), Protocol.TCP,
                    Framing.OCTET_COUNTING, h, 8192, null, Duration.ofSeconds(5)), new CefEncoder("1"),
                    Clock.fixed(Instant.parse("2024-01-01T00:00:00Z"), ZoneOffset.UTC));
            out.send(a);
            out.send(a);
            out.flush();
            out.close();
            byte[] all = received.get(10, TimeUnit.SECONDS);
            String message = "<164>1 2024-01-01T00:00:00.000Z h cadet 1 CEF - " + new CefEncoder("1").encode(a);
            byte[] msg = message.getBytes(StandardCharsets.UTF_8);
            assertTrue(msg.length > message.length(), "precondition: multi-byte characters");
            byte[] frame = (msg.length + " " + message).getBytes(StandardCharsets.UTF_8);
            ByteArrayOutputStream twice = new ByteArrayOutputStream();
            twice.write(frame);
            twice.write(frame);
            assertArrayEquals(twice.toByteArray(), all);
        }
    }
}
