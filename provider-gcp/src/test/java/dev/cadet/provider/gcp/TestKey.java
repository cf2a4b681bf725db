package dev.cadet.provider.gcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A service account key made for the test: a fresh RSA-2048 key pair, the private half as the key
 * file's PKCS#8 PEM, so a token stand-in can check the JWT-bearer assertion against the public half.
 */
public final class TestKey {
    public static final String CLIENT_EMAIL = "cadet-reader@cadet-test.iam.gserviceaccount.com";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final KeyPair pair;
    public final String json;
    public final String privateKeyPem;

    public TestKey(String tokenUri) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        pair = g.generateKeyPair();
        privateKeyPem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Map<String, String> key = new LinkedHashMap<>();
        key.put("type", "service_account");
        key.put("project_id", "cadet-test");
        key.put("private_key_id", "kid-test-1");
        key.put("private_key", privateKeyPem);
        key.put("client_email", CLIENT_EMAIL);
        key.put("client_id", "100000000000000000001");
        key.put("token_uri", tokenUri);
        json = JSON.writeValueAsString(key);
    }

    public Path write(Path dir) throws Exception {
        Path f = dir.resolve("gcp-key.json");
        Files.writeString(f, json);
        return f;
    }

    /**
     * The claims of the JWT-bearer assertion in a token request body, after checking the grant type
     * and the RS256 signature with this key's public half; throws when either is wrong.
     */
    public JsonNode verifiedClaims(String formBody) throws Exception {
        Map<String, String> form = new LinkedHashMap<>();
        for (String pair : formBody.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        if (!"urn:ietf:params:oauth:grant-type:jwt-bearer".equals(form.get("grant_type"))) {
            throw new IllegalArgumentException("grant_type " + form.get("grant_type"));
        }
        String[] parts = form.get("assertion").split("\\.");
        JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
        if (!"RS256".equals(header.path("alg").asText())) {
            throw new IllegalArgumentException("alg " + header);
        }
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(pair.getPublic());
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!rsa.verify(Base64.getUrlDecoder().decode(parts[2]))) {
            throw new IllegalArgumentException("bad signature");
        }
        return JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    }
}
