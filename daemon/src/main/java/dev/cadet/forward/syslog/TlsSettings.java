package dev.cadet.forward.syslog;

import dev.cadet.collector.Secret;
import java.nio.file.Path;

/**
 * TLS for a syslog output (RFC 5425).
 *
 * @param caFile            PEM file of the CAs to trust; null = the JVM's default trust store
 * @param clientCert        optional client certificate: a PEM chain (then {@code clientKey} is needed)
 *                          or a PKCS#12 file holding certificate and key
 * @param clientKey         PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY} or {@code BEGIN ENCRYPTED PRIVATE KEY})
 * @param clientKeyPassword for an encrypted key or a PKCS#12 file; null when not needed
 * @param verifyHostname    check the certificate's names against {@code serverName} (or the host); default true
 * @param serverName        name to verify and send as SNI; null = the configured host
 */
public record TlsSettings(Path caFile, Path clientCert, Path clientKey, Secret clientKeyPassword,
                          boolean verifyHostname, String serverName) {

    public static TlsSettings defaults() {
        return new TlsSettings(null, null, null, null, true, null);
    }
}
