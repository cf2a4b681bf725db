package dev.cadet.forward.syslog;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/** Builds the {@link SSLContext} of a TLS syslog output from PEM / PKCS#12 files. */
public final class TlsContexts {
    private static final String PBES2 = "PBES2";
    private static final String PBES2_OID = "1.2.840.113549.1.5.13";

    private TlsContexts() {
    }

    /**
     * @throws IllegalArgumentException naming the file and what is wrong with it (never a password)
     */
    public static SSLContext create(TlsSettings s) {
        try {
            TrustManager[] trust = s.caFile() == null ? null : trustManagers(s.caFile());
            KeyManager[] keys = s.clientCert() == null ? null : keyManagers(s);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keys, trust, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS setup failed: " + e.getMessage(), e);
        }
    }

    private static TrustManager[] trustManagers(Path caFile) throws GeneralSecurityException {
        List<Certificate> cas = certificates(caFile, "ca_file");
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < cas.size(); i++) {
            ks.setCertificateEntry("ca-" + i, cas.get(i));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return tmf.getTrustManagers();
    }

    private static KeyManager[] keyManagers(TlsSettings s) throws GeneralSecurityException {
        byte[] certBytes = read(s.clientCert(), "client_cert");
        char[] password = s.clientKeyPassword() == null ? new char[0] : s.clientKeyPassword().reveal().toCharArray();
        KeyStore ks;
        if (!isPem(certBytes)) {
            ks = KeyStore.getInstance("PKCS12");
            try {
                ks.load(new ByteArrayInputStream(certBytes), password);
            } catch (IOException e) {
                throw new IllegalArgumentException("client_cert " + s.clientCert()
                        + ": not a readable PKCS#12 file, or wrong client_key_password", e);
            }
        } else {
            if (s.clientKey() == null) {
                throw new IllegalArgumentException("client_cert " + s.clientCert() + " is PEM: client_key is needed too");
            }
            List<Certificate> chain = certificates(s.clientCert(), "client_cert");
            PrivateKey key = privateKey(s.clientKey(), password);
            ks = KeyStore.getInstance("PKCS12");
            try {
                ks.load(null, null);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            ks.setKeyEntry("client", key, password, chain.toArray(new Certificate[0]));
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, password);
        return kmf.getKeyManagers();
    }

    private static List<Certificate> certificates(Path file, String key) {
        try (InputStream in = new ByteArrayInputStream(read(file, key))) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException(key + " " + file + ": no certificate in it");
            }
            return new ArrayList<>(certs);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException(key + " " + file + ": not a PEM certificate file (" + e.getMessage() + ")", e);
        }
    }

    private static PrivateKey privateKey(Path file, char[] password) throws GeneralSecurityException {
        String pem = new String(read(file, "client_key"), StandardCharsets.US_ASCII);
        byte[] der;
        boolean encrypted;
        if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            der = pemBody(pem, "PRIVATE KEY");
            encrypted = false;
        } else if (pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
            der = pemBody(pem, "ENCRYPTED PRIVATE KEY");
            encrypted = true;
        } else {
            throw new IllegalArgumentException("client_key " + file + ": expected a PKCS#8 PEM key (BEGIN PRIVATE KEY);"
                    + " convert with: openssl pkcs8 -topk8 -in KEY -out KEY.pk8");
        }
        PKCS8EncodedKeySpec spec;
        if (encrypted) {
            if (password.length == 0) {
                throw new IllegalArgumentException("client_key " + file + " is encrypted: client_key_password is needed");
            }
            try {
                EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
                AlgorithmParameters params = info.getAlgParameters();
                String algorithm = pbeAlgorithm(info.getAlgName(), params);
                SecretKeyFactory skf = SecretKeyFactory.getInstance(algorithm);
                Cipher cipher = Cipher.getInstance(algorithm);
                cipher.init(Cipher.DECRYPT_MODE, skf.generateSecret(new PBEKeySpec(password)), params);
                spec = info.getKeySpec(cipher);
            } catch (IOException | GeneralSecurityException e) {
                throw new IllegalArgumentException("client_key " + file + ": cannot decrypt (wrong client_key_password,"
                        + " or an encryption this JVM does not support)", e);
            }
        } else {
            spec = new PKCS8EncodedKeySpec(der);
        }
        for (String alg : List.of("RSA", "EC", "Ed25519", "Ed448")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(spec);
            } catch (InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException("client_key " + file + ": not an RSA, EC or EdDSA key");
    }

    /**
     * The JCA name of a PKCS#8 key's password-based encryption. PBES1 schemes (e.g. OpenSSL's
     * {@code -v1 PBE-SHA1-3DES}) are named by the key itself. PBES2 (OpenSSL 3's default) is only a
     * wrapper: the JDK names it "PBES2" or by OID, and the real scheme (e.g. PBEWithHmacSHA256AndAES_256,
     * from the PRF and cipher inside) is what its parameters' {@code toString()} gives.
     */
    static String pbeAlgorithm(String algName, AlgorithmParameters params) {
        if (params != null && (PBES2.equalsIgnoreCase(algName) || PBES2_OID.equals(algName)
                || PBES2.equalsIgnoreCase(params.getAlgorithm()))) {
            return params.toString();
        }
        return algName;
    }

    private static byte[] pemBody(String pem, String label) {
        int start = pem.indexOf("-----BEGIN " + label + "-----") + label.length() + 16;
        int end = pem.indexOf("-----END " + label + "-----", start);
        if (end < 0) {
            throw new IllegalArgumentException("PEM block " + label + " is not terminated");
        }
        return Base64.getMimeDecoder().decode(pem.substring(start, end));
    }

    private static boolean isPem(byte[] bytes) {
        return new String(bytes, 0, Math.min(bytes.length, 4096), StandardCharsets.US_ASCII).contains("-----BEGIN ");
    }

    private static byte[] read(Path file, String key) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException(key + " " + file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
        }
    }
}
