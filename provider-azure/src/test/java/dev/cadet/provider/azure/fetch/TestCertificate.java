package dev.cadet.provider.azure.fetch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for 127.0.0.1 / localhost, made at test time with the JDK's
 * keytool: a PKCS#12 key store for WireMock's HTTPS port and the certificate as PEM for cadet's
 * {@code ca_certificates} (trusted by the plugin's clients only, never JVM-wide).
 */
public record TestCertificate(Path keyStore, String password, Path pem) {

    public static TestCertificate generate(Path dir) throws IOException, InterruptedException {
        Path ks = dir.resolve("stand-in.p12");
        Path pem = dir.resolve("stand-in-ca.pem");
        String pw = "stand-in-" + Long.toHexString(System.nanoTime());
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(List.of(keytool, "-genkeypair", "-alias", "stand-in", "-keyalg", "RSA", "-keysize", "2048",
                "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
                "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass", pw, "-keypass", pw));
        run(List.of(keytool, "-exportcert", "-rfc", "-alias", "stand-in", "-keystore", ks.toString(),
                "-storepass", pw, "-storetype", "PKCS12", "-file", pem.toString()));
        return new TestCertificate(ks, pw, pem);
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + out);
        }
        if (!Files.exists(command.contains("-exportcert") ? Path.of(command.get(command.size() - 1)) : Path.of(command.get(command.indexOf("-keystore") + 1)))) {
            throw new IOException("keytool wrote nothing: " + out);
        }
    }
}
