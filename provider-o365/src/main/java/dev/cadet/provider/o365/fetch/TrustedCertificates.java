package dev.cadet.provider.o365.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS trust of the token and API clients: the JDK's default CAs, plus the certificates of the
 * optional {@code ca_file} (PEM), for a private CA or a stand-in. Hostname verification stays on.
 */
final class TrustedCertificates {
    private final X509TrustManager trustManager;
    private final SSLContext sslContext;

    private TrustedCertificates(X509TrustManager trustManager) throws GeneralSecurityException {
        this.trustManager = trustManager;
        this.sslContext = SSLContext.getInstance("TLS");
        sslContext.init(null, new TrustManager[] {trustManager}, null);
    }

    /** @param caFile PEM certificates to trust besides the default CAs, or null for the defaults only */
    static TrustedCertificates load(Path caFile) {
        try {
            X509TrustManager defaults = trustManager(null);
            if (caFile == null) {
                return new TrustedCertificates(defaults);
            }
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            Collection<? extends Certificate> certs;
            try (InputStream in = Files.newInputStream(caFile)) {
                certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("ca_file " + caFile + " holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : certs) {
                extra.setCertificateEntry("ca-" + i++, c);
            }
            return new TrustedCertificates(new Either(defaults, trustManager(extra)));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot load ca_file " + caFile + ": " + e.getMessage(), e);
        }
    }

    X509TrustManager trustManager() {
        return trustManager;
    }

    SSLContext sslContext() {
        return sslContext;
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(store);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** Trusts a server chain that either manager trusts. */
    private record Either(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkClientTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkClientTrusted(chain, authType);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] all = new X509Certificate[a.length + b.length];
            System.arraycopy(a, 0, all, 0, a.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
