package dev.cadet.forward.syslog;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A real rsyslogd on loopback for tests: UDP (imudp), plain TCP with both framings (imptcp), TLS via
 * GnuTLS with anonymous client auth (imtcp), and TLS requiring a client certificate signed by the test
 * CA. Every message is written to {@code received.log} as {@code <inputname> <rawmsg>}. Ports are
 * random free ones; the process is stopped by its PID in {@link #close()}.
 */
public final class Rsyslog implements AutoCloseable {

    /** Test PKI made with openssl: CA 1 signs the server and client certificates; CA 2 signs nothing we use. */
    public record Certs(Path ca, Path otherCa, Path serverCert, Path serverKey, Path clientCert, Path clientKey,
                 Path clientP12, String clientP12Password) {
    }

    public final Path dir;
    public final int udpPort;
    public final int tcpPort;
    public final int tlsPort;
    public final int mtlsPort;
    private final Path received;
    private Process process;

    /** rsyslogd's path, or the test is aborted (visibly) - or failed when CADET_REQUIRE_RSYSLOG=1. */
    public static Path rsyslogd() {
        for (String p : List.of("/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/bin/rsyslogd")) {
            if (Files.isExecutable(Path.of(p))) {
                return Path.of(p);
            }
        }
        String why = "rsyslogd not installed: apt-get install rsyslog rsyslog-gnutls to run the syslog delivery tests";
        if ("1".equals(System.getenv("CADET_REQUIRE_RSYSLOG"))) {
            fail(why + " (CADET_REQUIRE_RSYSLOG=1)");
        }
        Assumptions.abort(why);
        return null;
    }

    public static Certs makeCerts(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("server.ext"),
                "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\n");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=cadet-test-ca",
                "-keyout", "ca.key", "-out", "ca.pem");
        openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=unrelated-ca",
                "-keyout", "other-ca.key", "-out", "other-ca.pem");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
                "-out", "server.csr");
        openssl(dir, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "server.ext", "-out", "server.pem");
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=cadet-client", "-keyout", "client.key",
                "-out", "client.csr");
        openssl(dir, "x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "2", "-extfile", "client.ext", "-out", "client.pem");
        openssl(dir, "pkcs12", "-export", "-in", "client.pem", "-inkey", "client.key", "-out", "client.p12",
                "-passout", "pass:p12-test-pass");
        return new Certs(dir.resolve("ca.pem"), dir.resolve("other-ca.pem"), dir.resolve("server.pem"),
                dir.resolve("server.key"), dir.resolve("client.pem"), dir.resolve("client.key"),
                dir.resolve("client.p12"), "p12-test-pass");
    }

    private static void openssl(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("openssl.out").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("openssl " + String.join(" ", args) + " failed: " + Files.readString(dir.resolve("openssl.out")));
        }
    }

    public Rsyslog(Path dir, Certs certs) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir.resolve("work"));
        this.received = dir.resolve("received.log");
        this.udpPort = freeUdpPort();
        this.tcpPort = freeTcpPort();
        this.tlsPort = freeTcpPort();
        this.mtlsPort = freeTcpPort();
        String tls = "streamDriver.name=\"gtls\" streamDriver.mode=\"1\" streamDriver.CAFile=\"" + certs.ca()
                + "\" streamDriver.CertFile=\"" + certs.serverCert() + "\" streamDriver.KeyFile=\"" + certs.serverKey() + "\"";
        Files.writeString(dir.resolve("rsyslog.conf"), String.join("\n",
                "global(workDirectory=\"" + dir.resolve("work") + "\")",
                "module(load=\"imudp\")",
                "module(load=\"imptcp\")",
                "module(load=\"imtcp\" maxSessions=\"100\")",
                "template(name=\"raw\" type=\"string\" string=\"%inputname% %rawmsg%\\n\")",
                "ruleset(name=\"siem\") { action(type=\"omfile\" file=\"" + received + "\" template=\"raw\") }",
                "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + udpPort + "\" ruleset=\"siem\")",
                "input(type=\"imptcp\" address=\"127.0.0.1\" port=\"" + tcpPort + "\" ruleset=\"siem\")",
                "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + tlsPort + "\" ruleset=\"siem\" "
                        + tls + " streamDriver.authMode=\"anon\")",
                "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + mtlsPort + "\" ruleset=\"siem\" "
                        + tls + " streamDriver.authMode=\"x509/certvalid\")",
                ""));
    }

    public void start() throws IOException, InterruptedException {
        process = new ProcessBuilder(rsyslogd().toString(), "-n", "-f", dir.resolve("rsyslog.conf").toString(),
                "-i", dir.resolve("rsyslogd.pid").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("rsyslogd.out").toFile()).start();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!(listening(tcpPort) && listening(tlsPort) && listening(mtlsPort))) {
            if (!process.isAlive() || System.nanoTime() > end) {
                String out = Files.readString(dir.resolve("rsyslogd.out"));
                close();
                fail("rsyslogd did not start: " + out);
            }
            Thread.sleep(50);
        }
        // imudp binds before imtcp in practice, but make sure: a probe datagram must arrive.
        try (DatagramSocket s = new DatagramSocket()) {
            byte[] probe = "<13>Jan  1 00:00:00 h probe: rsyslog-ready".getBytes(StandardCharsets.US_ASCII);
            while (awaitLines(l -> l.contains("rsyslog-ready"), 1, Duration.ofMillis(200)).isEmpty()) {
                s.send(new java.net.DatagramPacket(probe, probe.length, InetAddress.getLoopbackAddress(), udpPort));
                if (System.nanoTime() > end) {
                    fail("rsyslogd does not receive UDP on " + udpPort);
                }
            }
        }
    }

    /** Lines received so far that match, waiting up to the timeout for at least {@code count} of them. */
    public List<String> awaitLines(Predicate<String> match, int count, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> lines = Files.exists(received)
                    ? Files.readAllLines(received, StandardCharsets.UTF_8).stream().filter(match).toList()
                    : List.of();
            if (lines.size() >= count || System.nanoTime() > end) {
                return lines;
            }
            Thread.sleep(20);
        }
    }

    public String log() throws IOException {
        Path out = dir.resolve("rsyslogd.out");
        return Files.exists(out) ? Files.readString(out) : "";
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy(); // SIGTERM to this PID only
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freeTcpPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
