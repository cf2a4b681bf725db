package dev.cadet.provider.azure.fetch;

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
import okhttp3.OkHttpClient;

/**
 * The config's {@code ca_certificates}: extra CAs trusted next to the JDK's, for this plugin's HTTP
 * clients only (never JVM-wide). Host names are still verified. Used for TLS-inspecting proxies and
 * for test stand-ins with a certificate generated at test time.
 */
final class TrustedCertificates {

    private TrustedCertificates() {
    }

    /** Applies the extra CAs of {@code pem} (null: none) to the builder. */
    static OkHttpClient.Builder apply(OkHttpClient.Builder builder, Path pem) {
        if (pem == null) {
            return builder;
        }
        try {
            X509TrustManager jdk = trustManager(null);
            X509TrustManager extra = trustManager(keyStore(pem));
            X509TrustManager both = new Either(jdk, extra);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[]{both}, null);
            return builder.sslSocketFactory(tls.getSocketFactory(), both);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("ca_certificates " + pem + ": " + e.getMessage(), e);
        }
    }

    private static KeyStore keyStore(Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(pem)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
        if (certs.isEmpty()) {
            throw new CertificateException("no PEM certificate in the file");
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        int i = 0;
        for (Certificate c : certs) {
            ks.setCertificateEntry("ca-" + i++, c);
        }
        return ks;
    }

    private static X509TrustManager trustManager(KeyStore ks) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager");
    }

    /** Trusts a server chain that either the JDK's CAs or the extra CAs accept. */
    private record Either(X509TrustManager first, X509TrustManager second) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            first.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                first.checkServerTrusted(chain, authType);
            } catch (CertificateException notJdk) {
                second.checkServerTrusted(chain, authType);
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            X509Certificate[] a = first.getAcceptedIssuers();
            X509Certificate[] b = second.getAcceptedIssuers();
            X509Certificate[] all = java.util.Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }
}
