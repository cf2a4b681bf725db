package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.StreamSpec;
import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.plugin.TestPlugins;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's rule "one source per tenant for Entra ID": the real o365 plugin next to a Graph-shaped
 * test plugin (id {@code azure}, one stream {@code azure/<tenant>} of dataset azure.auditlogs, as
 * provider-azure declares it). Reading one tenant's Entra audit through both is a config problem
 * until the operator picks one.
 */
class EntraSourceRuleE2ETest {
    static final String TENANT = ActivityFeedStandIn.TENANT;

    @TempDir
    Path home;
    Path secret;

    @BeforeEach
    void plugins() throws Exception {
        copy(AwsPipeline.distDir().resolve("plugins/o365"), home.resolve("plugins/o365"));
        TestPlugins.build(home.resolve("plugins/azure"), "azure.jar", Map.of("test.azure.Factory", GRAPH_LIKE_FACTORY),
                "test.azure.Factory", List.of());
        secret = home.resolve("secret");
        Files.writeString(secret, "s3cr3t-never-shown\n");
    }

    private ConfigCheck.Result check(String providers) {
        String yaml = "plugins:\n  dir: " + home.resolve("plugins") + "\nproviders:\n" + providers;
        CadetConfig config = new ConfigLoader(home, new SecretReferences(Map.of())).parse(yaml, "cadet.yaml");
        assertEquals(List.of(), config.problems());
        PluginRegistry registry = PluginRegistry.load(config.pluginsDir());
        return ConfigCheck.check(config, registry, output -> { });
    }

    private String o365(String extra) {
        return """
                  o365:
                    - tenant_id: %s
                      credentials: {client_secret: {client_id: %s, secret: "${file:%s}"}}
                %s""".formatted(TENANT, ActivityFeedStandIn.CLIENT_ID, secret, extra);
    }

    private static String azure(String tenant, boolean enabled) {
        return """
                  azure:
                    - tenant: %s
                      enabled: %s
                """.formatted(tenant, enabled);
    }

    @Test
    void bothReadingOneTenantsEntraAuditIsAProblemNamingBothAndTheFix() {
        try (ConfigCheck.Result r = check(azure(TENANT.toUpperCase(), true) + o365(""))) {
            assertEquals(1, r.problems().size(), r.problems().toString());
            String p = r.problems().get(0);
            assertTrue(p.startsWith("providers.o365[0]: reads the Entra ID audit log of tenant " + TENANT), p);
            assertTrue(p.contains("providers.azure[0]") && p.contains("entra_via: graph"), p);
            assertTrue(!p.contains("s3cr3t"), p);
        }
    }

    @Test
    void entraViaGraphLeavesEntraToGraph() {
        try (ConfigCheck.Result r = check(azure(TENANT, true) + o365("      entra_via: graph\n"))) {
            assertEquals(List.of(), r.problems());
            List<String> keys = r.providers().get(1).provider().streams().stream().map(StreamSpec::key).toList();
            assertEquals(List.of("o365/" + TENANT + "/Audit.Exchange"), keys);
        }
    }

    @Test
    void entraViaGraphWithTheEntraContentTypeListedIsAProblem() {
        try (ConfigCheck.Result r = check(o365("      entra_via: graph\n      content_types: [Audit.AzureActiveDirectory, Audit.Exchange]\n"))) {
            assertEquals(1, r.problems().size(), r.problems().toString());
            assertTrue(r.problems().get(0).startsWith("providers.o365[0].content_types: lists Audit.AzureActiveDirectory but entra_via is graph"),
                    r.problems().get(0));
        }
    }

    @Test
    void otherTenantsOrADisabledGraphEntryAreFine() {
        try (ConfigCheck.Result r = check(azure("0b0b0b0b-1111-2222-3333-444444444444", true) + o365(""))) {
            assertEquals(List.of(), r.problems());
        }
        try (ConfigCheck.Result r = check(azure(TENANT, false) + o365(""))) {
            assertEquals(List.of(), r.problems());
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    /** A provider with one stream per entry shaped like provider-azure's: key azure/<tenant>, dataset azure.auditlogs. */
    private static final String GRAPH_LIKE_FACTORY = """
            package test.azure;
            import dev.cadet.collector.*;
            import java.time.Duration;
            import java.util.List;
            import java.util.Map;
            public final class Factory implements ProviderFactory {
                public String id() { return "azure"; }
                public String version() { return "test"; }
                public int spiMajorVersion() { return SpiVersion.MAJOR; }
                public Normalizer normalizer() {
                    return new Normalizer() {
                        public boolean recognizes(RawRecord r) { return false; }
                        public List<Event> normalize(RawRecord r) { return List.of(); }
                    };
                }
                public Provider create(ProviderConfig c) {
                    String tenant = c.requireString("tenant");
                    StreamSpec s = new StreamSpec("azure/" + tenant, "azure.auditlogs", TimeAxis.EVENT_TIME,
                            Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofHours(1), Duration.ofDays(7),
                            Duration.ofHours(1), new QuotaScope("azure/" + tenant, 0.5), Map.of());
                    Source source = (stream, window, context) -> { };
                    return new Provider() {
                        public List<StreamSpec> streams() { return List.of(s); }
                        public Source source() { return source; }
                    };
                }
            }
            """;
}
