package dev.cadet.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.forward.cef.CefEncoder;
import dev.cadet.forward.cef.StrictCefParser;
import dev.cadet.forward.syslog.Facility;
import dev.cadet.forward.syslog.Framing;
import dev.cadet.forward.syslog.Protocol;
import dev.cadet.forward.syslog.Rsyslog;
import dev.cadet.forward.syslog.SyslogFormat;
import dev.cadet.forward.syslog.SyslogHeader;
import dev.cadet.forward.syslog.SyslogOutput;
import dev.cadet.forward.syslog.SyslogSettings;
import dev.cadet.forward.syslog.TlsSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outbox survives a receiver outage: everything arrives, in order, once it is back. */
class ForwarderRsyslogTest {

    @Test
    void aReceiverThatIsDownGetsAllAlertsInOrderWhenItComesBack(@TempDir Path tmp) throws Exception {
        Rsyslog.rsyslogd();
        Rsyslog.Certs certs = Rsyslog.makeCerts(tmp.resolve("pki"));
        try (Rsyslog rsyslog = new Rsyslog(tmp.resolve("rsyslog"), certs)) {
            InMemoryOutbox store = new InMemoryOutbox();
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                Alert a = new Alert(String.format("alert-%04d", i), Instant.ofEpochSecond(1_700_000_000L + i),
                        "aws-iam-create-user", "New IAM user | #" + i, Severity.HIGH, 73, List.of("T1136.003"),
                        "aws.cloudtrail", "123456789012", "actor=" + i, "user-" + i, "192.0.2.1",
                        List.of("ev-" + i), false);
                store.enqueue(a);
                ids.add(a.id());
            }
            SyslogHeader header = new SyslogHeader(SyslogFormat.RFC5424, Facility.LOCAL4, "cadet-host", "cadet", "1",
                    false, ZoneOffset.UTC);
            SyslogOutput tls = new SyslogOutput("siem", new SyslogSettings("127.0.0.1", rsyslog.tlsPort, Protocol.TLS,
                    Framing.OCTET_COUNTING, header, 8192, new TlsSettings(certs.ca(), null, null, null, true, "localhost"),
                    Duration.ofSeconds(5)), new CefEncoder("1"), Clock.systemUTC());
            Forwarder forwarder = new Forwarder(store, List.of(tls),
                    new Forwarder.Settings(100, Duration.ofSeconds(1), Duration.ofMillis(50), Duration.ofMillis(400)));
            forwarder.start();

            Thread.sleep(700); // several failed connection attempts while the receiver is down
            assertEquals(1000L, store.outboxDepth(List.of("siem")).get("siem"), "nothing marked sent while down");

            rsyslog.start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (store.outboxDepth(List.of("siem")).get("siem") > 0 && System.nanoTime() < end) {
                Thread.sleep(50);
            }
            assertTrue(forwarder.drain(Duration.ofSeconds(5)), "outbox emptied; closed with close_notify");

            List<String> lines = rsyslog.awaitLines(l -> l.contains("CEF:0|"), 1000, Duration.ofSeconds(15));
            List<String> received = lines.stream()
                    .map(l -> StrictCefParser.parse(l.substring(l.indexOf("CEF:0|"))).extension().get("externalId"))
                    .toList();
            assertEquals(ids, received, "all 1000, once each, in outbox order");
        }
    }
}
