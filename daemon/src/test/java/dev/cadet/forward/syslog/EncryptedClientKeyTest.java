package dev.cadet.forward.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import dev.cadet.forward.Output;
import dev.cadet.forward.Outputs;
import dev.cadet.forward.cef.CefEncoder;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encrypted PKCS#8 client keys as OpenSSL writes them: PBES2 (the OpenSSL 3 default, AES-256-CBC with
 * HMAC-SHA256) and the legacy PBES1 (SHA1 + 3DES). Each is loaded as a syslog output's {@code client_key}
 * with a password secret, then used for a real mutual-TLS handshake on loopback.
 */
class EncryptedClientKeyTest {
    private static final String PASSWORD = "key-pass-6d1f";

    @TempDir
    static Path tmp;
    static Rsyslog.Certs certs;

    @BeforeAll
    static void pki() throws Exception {
        certs = Rsyslog.makeCerts(tmp.resolve("pki"));
    }

    @Test
    void pbes2Aes256AsOpensslPkcs8WritesByDefault() throws Exception {
        Path key = encrypt("pbes2.key", "pkcs8", "-topk8", "-in", certs.clientKey().toString(),
                "-passout", "pass:" + PASSWORD);
        assertTrue(Files.readString(key).contains("BEGIN ENCRYPTED PRIVATE KEY"));
        assertHandshakes(key);
    }

    @Test
    void pbes2ExplicitAes256Cbc() throws Exception {
        Path key = encrypt("pbes2-explicit.key", "pkcs8", "-topk8", "-v2", "aes-256-cbc",
                "-in", certs.clientKey().toString(), "-passout", "pass:" + PASSWORD);
        assertHandshakes(key);
    }

    @Test
    void pbes2FromGenpkeyAes256() throws Exception {
        // A fresh key encrypted at generation, with its own self-signed certificate trusted as the CA.
        Path key = encrypt("genpkey.key", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-aes256", "-pass", "pass:" + PASSWORD);
        Path cert = tmp.resolve("genpkey.pem");
        openssl("req", "-new", "-x509", "-key", key.toString(), "-passin", "pass:" + PASSWORD,
                "-subj", "/CN=cadet-genpkey", "-days", "1", "-addext", "extendedKeyUsage=clientAuth",
                "-out", cert.toString());
        Output out = syslogOutput(cert, key, "${env:KEY_PASS}", new ArrayList<>());
        assertInstanceOf(SyslogOutput.class, out);
        assertEquals("CN=cadet-genpkey", handshakeClientSubject(TlsContexts.create(((SyslogOutput) out).settings().tls()), cert));
    }

    @Test
    void pbes1Sha1TripleDesStillLoads() throws Exception {
        Path key = encrypt("pbes1.key", "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES",
                "-in", certs.clientKey().toString(), "-passout", "pass:" + PASSWORD);
        assertHandshakes(key);
    }

    @Test
    void wrongPasswordIsAClearProblemWithoutThePassword() throws Exception {
        Path key = encrypt("wrong.key", "pkcs8", "-topk8", "-in", certs.clientKey().toString(),
                "-passout", "pass:" + PASSWORD);
        List<String> problems = new ArrayList<>();
        Output out = syslogOutput(certs.clientCert(), key, "${env:WRONG_PASS}", problems);
        assertEquals(null, out);
        String all = String.join("\n", problems);
        assertTrue(all.contains("outputs[0].tls: ") && all.contains("client_key " + key + ": cannot decrypt"), all);
        assertFalse(all.contains(PASSWORD) || all.contains("not-the-password"), all);
    }

    private static void assertHandshakes(Path key) throws Exception {
        List<String> problems = new ArrayList<>();
        Output out = syslogOutput(certs.clientCert(), key, "${env:KEY_PASS}", problems);
        assertEquals(List.of(), problems);
        SSLContext client = TlsContexts.create(((SyslogOutput) out).settings().tls());
        assertEquals("CN=cadet-client", handshakeClientSubject(client, certs.ca()));
    }

    /** A syslog TLS output as the config loader builds it; its problems go to {@code problems}. */
    private static Output syslogOutput(Path cert, Path key, String password, List<String> problems) {
        Map<String, Object> tls = new HashMap<>();
        tls.put("ca_file", certs.ca().toString());
        tls.put("client_cert", cert.toString());
        tls.put("client_key", key.toString());
        tls.put("client_key_password", password);
        ProviderConfig root = new ProviderConfig("", Map.of("outputs", List.of(Map.of("type", "syslog",
                "host", "127.0.0.1", "protocol", "tls", "tls", tls))), (kind, name) -> switch (name) {
                    case "KEY_PASS" -> new Secret("${env:KEY_PASS}", () -> PASSWORD);
                    case "WRONG_PASS" -> new Secret("${env:WRONG_PASS}", () -> "not-the-password");
                    default -> throw new IllegalArgumentException("environment variable " + name + " is not set");
                });
        List<ProviderConfig> entries = root.objects("outputs");
        List<Output> outputs = Outputs.fromConfig(entries, new CefEncoder("1"), Clock.systemUTC());
        entries.forEach(e -> e.problems().stream().filter(p -> !problems.contains(p)).forEach(problems::add));
        return outputs.isEmpty() ? null : outputs.get(0);
    }

    /**
     * Runs a loopback TLS server that requires a client certificate signed by {@code clientCa} and
     * returns the subject of the certificate the client presented.
     */
    private static String handshakeClientSubject(SSLContext client, Path clientCa) throws Exception {
        SSLContext server = TlsContexts.create(new TlsSettings(clientCa, certs.serverCert(), certs.serverKey(), null,
                false, null));
        try (SSLServerSocket ss = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ss.setNeedClientAuth(true);
            ss.setSoTimeout(10_000);
            CompletableFuture<SSLSocket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    SSLSocket s = (SSLSocket) ss.accept();
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    return s;
                } catch (IOException e) {
                    throw new IllegalStateException("server side of the handshake failed: " + e, e);
                }
            });
            try (SSLSocket c = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
                    ss.getLocalPort())) {
                c.setSoTimeout(10_000);
                c.startHandshake();
                // Closing the client first lets the server's close see its close_notify at once.
                try (SSLSocket s = accepted.get(20, TimeUnit.SECONDS)) {
                    c.close();
                    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
                }
            }
        }
    }

    private static Path encrypt(String name, String... args) throws Exception {
        Path out = tmp.resolve(name);
        List<String> a = new ArrayList<>(List.of(args));
        a.addAll(List.of("-out", out.toString()));
        openssl(a.toArray(new String[0]));
        return out;
    }

    private static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed: " + output);
        }
    }
}
