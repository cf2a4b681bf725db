package dev.cadet.provider.gcp.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.provider.gcp.TestConfigs;
import dev.cadet.provider.gcp.TestKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcpSettingsReaderTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAndPerApplicationTiming() throws Exception {
        ProviderConfig c = TestConfigs.config(Map.of(
                "credentials_json", TestConfigs.ref(new TestKey("https://oauth2.googleapis.com/token").write(dir)),
                "subject", "admin@example.org",
                "workspace", Map.of("applications", List.of("admin", "login", "meet"),
                        "timing", Map.of("login", Map.of("settle_lag", "2h")))));
        GcpSettings s = GcpSettingsReader.read(c).orElseThrow();
        assertEquals(List.of(), c.problems());
        assertEquals("my_customer", s.workspace().customerId());
        assertEquals(TestKey.CLIENT_EMAIL, s.clientEmail());
        assertEquals(new GcpSettings.Timing(Duration.ofMinutes(15), Duration.ofHours(3)), s.workspace().timing().get("admin"));
        assertEquals(new GcpSettings.Timing(Duration.ofHours(2), Duration.ofHours(48)), s.workspace().timing().get("login"));
        assertEquals(new GcpSettings.Timing(Duration.ofHours(1), Duration.ofHours(24)), s.workspace().timing().get("meet"));
        assertEquals("https://admin.googleapis.com/", s.reportsRoot().toString());
        assertEquals(null, s.cloudLogging());
    }

    @Test
    void everyProblemIsReportedWithItsPathAndNoSecret() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"type\":\"service_account\",\"client_email\":\"x@y.iam.gserviceaccount.com\",\"private_key\":\"SECRET-KEY-TEXT\"}");
        ProviderConfig c = TestConfigs.config(Map.of(
                "credentials_json", TestConfigs.ref(bad),
                "workspace", Map.of("applications", List.of("Admin"), "customer_id", "my customer",
                        "timing", Map.of("drive", Map.of("settle_lag", "1h"))),
                "cloud_logging", Map.of("resources", List.of("project/x", "folders/12", "folders/12"), "requests_per_second", 50),
                "surprise", 1));
        Optional<GcpSettings> s = GcpSettingsReader.read(c);
        List<String> problems = c.problems();
        assertTrue(s.isEmpty());
        String all = String.join("\n", problems);
        assertFalse(all.contains("SECRET-KEY-TEXT"), all);
        for (String expected : List.of(
                "providers.gcp[0].credentials_json: ${file:" + bad + "} lacks private_key_id",
                "providers.gcp[0].subject: missing",
                "providers.gcp[0].workspace.applications[0]: expected an application name",
                "providers.gcp[0].workspace.customer_id: expected my_customer or a customer id",
                "providers.gcp[0].workspace.timing.drive: not one of the applications read",
                "providers.gcp[0].cloud_logging.resources[0]: expected projects/PROJECT_ID",
                "providers.gcp[0].cloud_logging.resources[2]: \"folders/12\" is listed twice",
                "providers.gcp[0].cloud_logging.requests_per_second: must be more than 0 and at most 10",
                "providers.gcp[0].surprise: unknown key")) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(expected)), "missing \"" + expected + "\" in\n" + all);
        }
    }

    @Test
    void anInlineKeyIsRefusedWithoutRepeatingIt() {
        ProviderConfig c = TestConfigs.config(Map.of("credentials_json", "{\"private_key\":\"INLINE\"}",
                "cloud_logging", Map.of("resources", List.of("projects/my-project"))));
        assertTrue(GcpSettingsReader.read(c).isEmpty());
        assertEquals(1, c.problems().size(), c.problems().toString());
        assertTrue(c.problems().get(0).startsWith("providers.gcp[0].credentials_json: secrets must be given by reference"));
        assertFalse(c.problems().get(0).contains("INLINE"));
    }

    @Test
    void anEntryMustReadSomething() throws Exception {
        ProviderConfig c = TestConfigs.config(Map.of(
                "credentials_json", TestConfigs.ref(new TestKey("https://oauth2.googleapis.com/token").write(dir))));
        assertTrue(GcpSettingsReader.read(c).isEmpty());
        assertTrue(c.problems().get(0).startsWith("providers.gcp[0]: nothing to read"), c.problems().toString());
    }
}
