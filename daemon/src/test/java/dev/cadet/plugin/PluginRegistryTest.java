package dev.cadet.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.ProviderFactory;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.SpiVersion;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.collector.testkit.RecordingFetchContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginRegistryTest {

    @TempDir
    Path plugins;

    @Test
    void findsAWorkingPluginAndCallsItWithItsOwnContextLoader() throws Exception {
        Path dir = TestPlugins.simple(plugins, "alpha", "ALPHA");
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            assertEquals(List.of(new PluginRegistry.LoadedPlugin("alpha", "1.2.3", SpiVersion.MAJOR, dir)),
                    List.copyOf(registry.loaded()));
            assertTrue(registry.broken().isEmpty());

            ProviderFactory f = registry.factory("alpha");
            ProviderConfig config = new ProviderConfig("providers.alpha[0]", Map.of("region", "eu-west-1"), (k, n) -> null);
            try (Provider p = f.create(config)) {
                assertEquals(List.of(), config.problems());
                StreamSpec stream = p.streams().get(0);
                assertEquals("alpha/eu-west-1", stream.key());
                RecordingFetchContext context = new RecordingFetchContext(1);
                p.source().fetch(stream, new Window(Instant.EPOCH, Instant.EPOCH), context);
                assertEquals(List.of("tccl=PluginClassLoader[alpha]"), context.warnings);
            }
            Event e = f.normalizer().normalize(new RawRecord("{}", "test")).get(0);
            assertEquals("PluginClassLoader[alpha]", e.text("loader"));
            assertFalse(Thread.currentThread().getContextClassLoader() instanceof PluginClassLoader,
                    "the host's context class loader is restored after each call");
        }
    }

    @Test
    void refusesAPluginBuiltForAnotherSpiMajorVersionNamingBothVersions() throws Exception {
        Path dir = plugins.resolve("future");
        TestPlugins.build(dir, "future.jar", TestPlugins.factorySource("test.future", "future", 2, "\"9.0\"", "F"),
                "test.future.Factory", List.of());
        TestPlugins.simple(plugins, "alpha", "A");
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            assertEquals(List.of("alpha"), registry.loaded().stream().map(PluginRegistry.LoadedPlugin::id).toList());
            PluginLoadException e = assertThrows(PluginLoadException.class, () -> registry.factory("future"));
            assertTrue(e.getMessage().contains("SPI major version 2"), e.getMessage());
            assertTrue(e.getMessage().contains("SPI version " + SpiVersion.text()), e.getMessage());
            assertTrue(e.getMessage().startsWith("plugin \"future\" (" + dir + ") could not be loaded: "), e.getMessage());
        }
    }

    @Test
    void brokenPluginDirsAreSkippedWithAReasonAndAreAnErrorOnlyWhenUsed() throws Exception {
        TestPlugins.simple(plugins, "alpha", "A");
        Files.createDirectories(plugins.resolve("empty"));
        Files.createDirectories(plugins.resolve("garbage"));
        Files.writeString(plugins.resolve("garbage/not-a-jar.jar"), "this is not a zip file");
        // A jar with classes but no service file.
        TestPlugins.build(plugins.resolve("nofactory"), "x.jar",
                TestPlugins.factorySource("test.nofactory", "nofactory", 1, "\"1\"", "N"), null, List.of());
        // A service file naming a class that is not there.
        TestPlugins.build(plugins.resolve("missingclass"), "x.jar",
                TestPlugins.factorySource("test.missingclass", "missingclass", 1, "\"1\"", "M"), "test.missingclass.Gone", List.of());

        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            assertEquals(List.of("alpha"), registry.loaded().stream().map(PluginRegistry.LoadedPlugin::id).toList());
            Map<String, String> reasons = new java.util.TreeMap<>();
            registry.broken().forEach(b -> reasons.put(b.name(), b.reason()));
            assertEquals(Set.of("empty", "garbage", "nofactory", "missingclass"), reasons.keySet());
            assertTrue(reasons.get("empty").contains("no jar files"), reasons.get("empty"));
            assertTrue(reasons.get("garbage").contains("bad jar not-a-jar.jar"), reasons.get("garbage"));
            assertTrue(reasons.get("nofactory").contains("no dev.cadet.collector.ProviderFactory service"), reasons.get("nofactory"));
            assertTrue(reasons.get("missingclass").contains("test.missingclass.Gone"), reasons.get("missingclass"));

            // Unused broken plugins do not stop the working one.
            registry.factory("alpha");
            PluginLoadException e = assertThrows(PluginLoadException.class, () -> registry.factory("garbage"));
            assertEquals("plugin \"garbage\" (" + plugins.resolve("garbage") + ") could not be loaded: " + reasons.get("garbage"),
                    e.getMessage());
        }
    }

    @Test
    void aProviderNoPluginProvidesNamesTheIdAndThePluginsDir() throws Exception {
        TestPlugins.simple(plugins, "alpha", "A");
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            PluginLoadException e = assertThrows(PluginLoadException.class, () -> registry.factory("gcp"));
            assertTrue(e.getMessage().startsWith("no plugin provides \"gcp\" in plugins dir " + plugins), e.getMessage());
            assertTrue(e.getMessage().contains("loaded: alpha"), e.getMessage());
        }
        try (PluginRegistry none = PluginRegistry.load(plugins.resolve("does-not-exist"))) {
            assertTrue(none.loaded().isEmpty());
            assertThrows(PluginLoadException.class, () -> none.factory("alpha"));
        }
    }

    @Test
    void routesRecordsOfUnknownOriginToTheFirstNormalizerThatRecognizesThem() throws Exception {
        TestPlugins.simple(plugins, "bravo", "shared");
        TestPlugins.simple(plugins, "alpha", "alphaOnly");
        TestPlugins.simple(plugins, "charlie", "shared");
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            RawRecord alphaRecord = new RawRecord("{\"alphaOnly\":1}", "x.json:1");
            RawRecord shared = new RawRecord("{\"shared\":1}", "x.json:2");
            RawRecord nobody = new RawRecord("{\"other\":1}", "x.json:3");

            assertEquals(registry.factory("alpha").normalizer(), registry.route(alphaRecord).orElseThrow());
            // Both bravo and charlie recognize it: the first by id wins, every time.
            Normalizer first = registry.route(shared).orElseThrow();
            assertEquals(registry.factory("bravo").normalizer(), first);
            assertEquals(registry.factory("charlie").normalizer(), registry.route(shared, Set.of("alpha", "charlie")).orElseThrow());
            assertTrue(registry.route(nobody).isEmpty());
            assertTrue(registry.route(alphaRecord, Set.of("bravo")).isEmpty());
        }
    }

    @Test
    void aPluginCarriesItsOwnVersionOfALibraryTheHostAlsoUses() throws Exception {
        String libsDir = System.getProperty("cadet.test.plugin.libs");
        assertTrue(libsDir != null, "system property cadet.test.plugin.libs is set by the daemon pom's surefire config");
        List<Path> libs;
        try (Stream<Path> s = Files.list(Path.of(libsDir))) {
            libs = s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
        }
        assertEquals(3, libs.size(), "jackson-databind, -core and -annotations in " + libsDir);

        String pluginJackson = TestPlugins.build(plugins.resolve("jackson"), "jackson-plugin.jar",
                TestPlugins.factorySource("test.jackson", "jackson", 1,
                        "new com.fasterxml.jackson.databind.ObjectMapper().version().toString()", "J"),
                "test.jackson.Factory", libs).getFileName().toString();
        assertEquals("jackson-plugin.jar", pluginJackson);

        String hostVersion = new ObjectMapper().version().toString();
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            String pluginVersion = registry.factory("jackson").version();
            assertTrue(hostVersion.startsWith("2.22."), "host: " + hostVersion);
            assertTrue(pluginVersion.startsWith("2.21."), "plugin: " + pluginVersion);
        }
    }

    @Test
    void pluginsSeeNeitherTheHostClassPathNorOtherFactoriesServiceFiles() throws Exception {
        Path dir = TestPlugins.simple(plugins, "alpha", "A");
        try (PluginClassLoader loader = new PluginClassLoader("alpha",
                List.of(dir.resolve("alpha.jar").toUri().toURL()), getClass().getClassLoader())) {
            // The SPI and SLF4J are the host's very classes.
            assertEquals(ProviderFactory.class, loader.loadClass(ProviderFactory.class.getName()));
            assertEquals(org.slf4j.Logger.class, loader.loadClass("org.slf4j.Logger"));
            // The host's own classes and libraries are not visible.
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass(PluginRegistry.class.getName()));
            assertThrows(ClassNotFoundException.class, () -> loader.loadClass(ObjectMapper.class.getName()));
            // JDK classes come from the JDK.
            assertEquals(String.class, loader.loadClass("java.lang.String"));
            // Only the plugin's own SPI service file.
            List<?> services = Collections.list(loader.getResources("META-INF/services/" + ProviderFactory.class.getName()));
            assertEquals(1, services.size(), services.toString());
            assertTrue(services.get(0).toString().contains("alpha.jar"), services.toString());
        }
    }

    @Test
    void theHostsProblemsReadFromAPluginUseTheEntryPath() throws IOException, PluginLoadException {
        TestPlugins.simple(plugins, "aws", "A");
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            ProviderConfig config = new ProviderConfig("providers.aws[0]", Map.of("region", "us-est-1"), (k, n) -> null);
            assertEquals(null, registry.factory("aws").create(config));
            assertEquals(List.of("providers.aws[0].region: unknown region \"us-est-1\""), config.problems());
        }
    }
}
