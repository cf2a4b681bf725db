package dev.cadet.provider.azure.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AzureSettingsReaderTest {
    static final String T1 = "6f1c2b9e-0d5a-4c51-9d8b-3a7e2f4c1b00";
    static final String T2 = "7a2d3c0f-1e6b-4d62-8e9c-4b8f3a5d2c11";
    static final String APP = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";

    static ProviderConfig config(Map<String, Object> values) {
        return new ProviderConfig("providers.azure[0]", values, (kind, name) -> new Secret("${" + kind + ":" + name + "}", () -> "s3cr3t-value"));
    }

    static Map<String, Object> secretCredentials() {
        return Map.of("client_secret", Map.of("client_id", APP, "secret", "${env:GRAPH_SECRET}"));
    }

    @Test
    void oneTenantWithDefaults() {
        ProviderConfig c = config(Map.of("tenant_id", T1, "credentials", secretCredentials()));
        AzureSettings s = AzureSettingsReader.read(c).orElseThrow();
        assertEquals(List.of(), c.problems());
        assertEquals(T1, s.tenants().get(0).id());
        assertEquals(Duration.ofDays(7), s.retention());
        assertEquals(5, s.requestsPer10s());
        assertEquals("https://graph.microsoft.com/.default", s.graphScope());
        assertEquals(List.of(), s.activityNames());
        assertFalse(s.tenants().get(0).credentials().toString().contains("s3cr3t-value"), "secrets print as references");
    }

    @Test
    void severalTenantsEachWithOwnOrSharedCredentialsAndP1Retention() {
        Map<String, Object> v = new HashMap<>();
        v.put("tenants", List.of(Map.of("id", T1), Map.of("id", T2, "credentials", Map.of("managed_identity", Map.of()))));
        v.put("credentials", secretCredentials());
        v.put("retention", "30d");
        v.put("graph_base_url", "https://graph.microsoft.us/v1.0");
        ProviderConfig c = config(v);
        AzureSettings s = AzureSettingsReader.read(c).orElseThrow();
        assertEquals(List.of(), c.problems());
        assertTrue(s.tenants().get(0).credentials() instanceof CredentialSettings.ClientSecret);
        assertTrue(s.tenants().get(1).credentials() instanceof CredentialSettings.ManagedIdentity);
        assertEquals(Duration.ofDays(30), s.retention());
        assertEquals("https://graph.microsoft.us/.default", s.graphScope());
    }

    @Test
    void everyProblemIsNamedWithItsPathAndNoSecretIsShown() {
        Map<String, Object> v = new HashMap<>();
        v.put("tenant_id", "contoso.onmicrosoft.com");
        v.put("credentials", Map.of("client_secret", Map.of("client_id", APP, "secret", "inline-s3cr3t")));
        v.put("authority_host", "http://login.example");
        v.put("requests_per_10s", 9);
        v.put("retention", "90d");
        v.put("colour", "blue");
        ProviderConfig c = config(v);
        assertTrue(AzureSettingsReader.read(c).isEmpty());
        String all = String.join("\n", c.problems());
        assertTrue(all.contains("providers.azure[0].tenant_id: a tenant (directory) id is a GUID"), all);
        assertTrue(all.contains("providers.azure[0].credentials.client_secret.secret: secrets must be given by reference"), all);
        assertTrue(all.contains("providers.azure[0].authority_host: the login endpoint must use https"), all);
        assertTrue(all.contains("providers.azure[0].requests_per_10s: must be between 1 and 5"), all);
        assertTrue(all.contains("providers.azure[0].retention: Entra keeps audit logs 7 days"), all);
        assertTrue(all.contains("providers.azure[0].colour: unknown key"), all);
        assertFalse(all.contains("inline-s3cr3t"));
    }

    @Test
    void credentialsMustBeExactlyOneKind() {
        ProviderConfig none = config(Map.of("tenant_id", T1));
        assertTrue(AzureSettingsReader.read(none).isEmpty());
        assertTrue(String.join("\n", none.problems()).contains("credentials: missing: give one of client_secret"), none.problems().toString());
        ProviderConfig two = config(Map.of("tenant_id", T1, "credentials",
                Map.of("managed_identity", Map.of(), "workload_identity", Map.of())));
        assertTrue(AzureSettingsReader.read(two).isEmpty());
        assertTrue(String.join("\n", two.problems()).contains("give only one of"), two.problems().toString());
    }
}
