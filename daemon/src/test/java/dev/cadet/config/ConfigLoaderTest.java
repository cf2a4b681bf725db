package dev.cadet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.config.CadetConfig.ProviderEntry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    @TempDir
    Path home;

    private ConfigLoader loader() {
        return new ConfigLoader(home, new SecretReferences(Map.of()));
    }

    @Test
    void readsEverySectionWithDefaultsAndCadetHomeExpanded() {
        CadetConfig c = loader().parse("""
                store:
                  path: ${cadet.home}/data/x.db
                  retention: 7d
                  synchronous: full
                detection:
                  rules:
                    - ${cadet.home}/conf/rules
                    - /etc/cadet/rules
                  allowed_lateness: 10m
                providers:
                  aws:
                    - name: prod
                      schedule: 2m
                      settle_lag: 5m
                      max_window: 1h
                      region: us-east-1
                    - enabled: false
                outputs:
                  - type: stdout
                forwarder:
                  batch_size: 50
                """, "test.yaml");
        assertEquals(List.of(), c.problems());
        assertEquals(home.resolve("data/x.db"), c.store().path());
        assertEquals(Duration.ofDays(7), c.store().retention());
        assertEquals(CadetConfig.Synchronous.FULL, c.store().synchronous());
        assertEquals(List.of(home.resolve("conf/rules"), Path.of("/etc/cadet/rules")), c.detection().ruleDirs());
        assertEquals(Optional.of(Duration.ofMinutes(10)), c.detection().allowedLateness());
        assertEquals(home.resolve("plugins"), c.pluginsDir());
        assertEquals(50, c.forwarder().batchSize());

        ProviderEntry prod = c.providers().get(0);
        assertEquals("aws", prod.pluginId());
        assertEquals("prod", prod.name());
        assertTrue(prod.enabled());
        assertEquals(Duration.ofMinutes(2), prod.schedule());
        assertEquals("providers.aws[0]", prod.config().path());
        // The plugin's key is left for the plugin: unread until then.
        assertEquals(List.of("providers.aws[0].region: unknown key"), prod.config().problems());
        assertEquals("us-east-1", prod.config().string("region", null));
        assertEquals(List.of(), prod.config().problems());

        StreamSpec defaults = new StreamSpec("aws/1/us-east-1", "aws.cloudtrail", TimeAxis.EVENT_TIME,
                Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofDays(1), Duration.ofDays(90),
                Duration.ofDays(7), QuotaScope.unlimited("q"), Map.of());
        StreamSpec applied = prod.applyTo(defaults);
        assertEquals(Duration.ofMinutes(5), applied.settleLag());
        assertEquals(Duration.ofHours(1), applied.maxWindow());
        assertEquals(Duration.ofMinutes(30), applied.rescanOverlap(), "not overridden: the provider's default");

        ProviderEntry second = c.providers().get(1);
        assertEquals("aws[1]", second.name());
        assertFalse(second.enabled());
        assertEquals(Duration.ofMinutes(1), second.schedule());
        assertEquals("outputs[0]", c.outputs().get(0).path());
    }

    @Test
    void defaultsWhenSectionsAreAbsent() {
        CadetConfig c = loader().parse("", "empty.yaml");
        assertEquals(List.of(), c.problems());
        assertEquals(Path.of("./data/cadet.db"), c.store().path());
        assertEquals(Duration.ofDays(30), c.store().retention());
        assertEquals(CadetConfig.Synchronous.NORMAL, c.store().synchronous());
        assertEquals(home.resolve("plugins"), c.pluginsDir());
        assertEquals(List.of(), c.providers());
    }

    @Test
    void unknownKeysAreReportedWithTheirPathAtEveryDepth() {
        CadetConfig c = loader().parse("""
                stor: {}
                store:
                  pth: x.db
                detection:
                  rules: []
                  rule: [x]
                plugins:
                  directory: /x
                forwarder:
                  batchsize: 3
                """, "t.yaml");
        assertEquals(List.of(
                "stor: unknown key (expected one of store, detection, plugins, providers, outputs, forwarder, http)",
                "store.pth: unknown key",
                "detection.rule: unknown key",
                "plugins.directory: unknown key",
                "forwarder.batchsize: unknown key"), c.problems());
    }

    @Test
    void badValuesAreReportedWithTheirPath() {
        CadetConfig c = loader().parse("""
                store:
                  retention: 3x
                  synchronous: sometimes
                forwarder:
                  batch_size: 0
                providers:
                  aws:
                    - schedule: soon
                      max_window: 0
                      enabled: maybe
                  azure: {tenant: x}
                outputs: {type: stdout}
                """, "t.yaml");
        List<String> problems = c.problems();
        assertTrue(problems.contains("store.retention: not a duration: \"3x\" (use e.g. 90s, 5m, 1h, 7d)"), problems.toString());
        assertTrue(problems.contains("store.synchronous: unknown value \"sometimes\" (expected one of normal, full)"), problems.toString());
        assertTrue(problems.contains("forwarder.batch_size: must be between 1 and 100000, got 0"), problems.toString());
        assertTrue(problems.contains("providers.azure: expected a list of entries (start each with \"- \")"), problems.toString());
        assertTrue(problems.contains("outputs: expected a list of entries (start each with \"- \")"), problems.toString());
        // The default is kept where the value is bad.
        assertEquals(Duration.ofDays(30), c.store().retention());

        // A provider entry's common keys are checked here; its problems surface with the plugin's (ConfigCheck).
        List<String> entry = c.providers().get(0).config().problems();
        assertTrue(entry.contains("providers.aws[0].schedule: not a duration: \"soon\" (use e.g. 90s, 5m, 1h, 7d)"), entry.toString());
        assertTrue(entry.contains("providers.aws[0].max_window: must be longer than 0"), entry.toString());
        assertTrue(entry.contains("providers.aws[0].enabled: expected true or false, got \"maybe\""), entry.toString());
    }

    @Test
    void duplicateProviderNamesAreAProblem() {
        CadetConfig c = loader().parse("""
                providers:
                  aws:
                    - name: a
                    - name: a
                """, "t.yaml");
        assertEquals(List.of("providers.aws[1].name: duplicate name \"a\" (also used by providers.aws[0])"),
                c.providers().get(1).config().problems());
    }

    @Test
    void yamlSyntaxErrorsGiveLineAndColumn() {
        CadetConfig c = loader().parse("""
                store:
                  path: x.db
                 retention: 7d
                """, "bad.yaml");
        assertEquals(1, c.problems().size(), c.problems().toString());
        String p = c.problems().get(0);
        assertTrue(p.startsWith("bad.yaml:3:"), p);
        assertTrue(p.contains("YAML syntax error"), p);

        // ${...} in a flow list is a YAML mapping: the message says what was expected.
        CadetConfig flow = loader().parse("detection:\n  rules: [${cadet.home}/rules]\n", "flow.yaml");
        assertEquals(List.of("flow.yaml:2:12: YAML syntax error: while parsing a flow sequence: expected ',' or ']', but got {"),
                flow.problems());

        CadetConfig dup = loader().parse("""
                store:
                  path: a.db
                  path: b.db
                """, "dup.yaml");
        assertTrue(dup.problems().get(0).startsWith("dup.yaml:3:"), dup.problems().toString());
        assertTrue(dup.problems().get(0).contains("Duplicate field 'path'"), dup.problems().toString());
    }

    @Test
    void unknownPlaceholdersAreReported() {
        CadetConfig c = loader().parse("""
                plugins:
                  dir: ${cadet.hom}/plugins
                """, "t.yaml");
        assertEquals(List.of("plugins.dir: unknown placeholder ${cadet.hom} (use ${cadet.home}, or for secrets ${env:NAME}, ${file:/path}, ${credential:NAME})"),
                c.problems());
    }

    @Test
    void aMissingFileIsAProblemNamingIt() {
        Path missing = home.resolve("nope.yaml");
        CadetConfig c = loader().load(missing);
        assertEquals(List.of(missing + ": config file not found"), c.problems());
    }

    @Test
    void loadsAFile() throws Exception {
        Path f = home.resolve("cadet.yaml");
        Files.writeString(f, "store:\n  retention: 3x\n");
        CadetConfig c = loader().load(f);
        assertEquals(f.toString(), c.source());
        assertEquals(List.of("store.retention: not a duration: \"3x\" (use e.g. 90s, 5m, 1h, 7d)"), c.problems());
    }

    @Test
    void theEmbeddedDefaultLoadsWithoutProblems() {
        CadetConfig c = loader().loadDefault();
        assertEquals(List.of(), c.problems());
        assertEquals(Path.of("./data/cadet.db"), c.store().path());
        assertEquals(List.of(home.resolve("conf/rules")), c.detection().ruleDirs());
        ProviderEntry file = c.providers().get(0);
        assertEquals("file", file.pluginId());
        assertEquals(Duration.ofSeconds(5), file.schedule());
        assertEquals(Optional.of(Duration.ofSeconds(1)), file.settleLag());
        assertEquals(home.resolve("conf/samples").toString(), file.config().string("folder", null));
        assertEquals(List.of(), file.config().problems());
        assertEquals("stdout", c.outputs().get(0).string("type", null));
        assertEquals("cef", c.outputs().get(0).string("format", null));
    }

    @Test
    void theShippedExampleHasNoProblemsOfItsOwn() {
        // Tests run in the daemon module directory; the example lives in the conf module.
        CadetConfig c = loader().load(Path.of("../conf/cadet.yaml"));
        assertEquals(List.of(), c.problems());
        assertEquals(List.of("aws", "aws", "azure", "o365", "gcp", "file"), c.providers().stream().map(ProviderEntry::pluginId).toList());
        assertEquals(List.of("production", "sandbox", "entra", "m365", "google", "drop-folder"),
                c.providers().stream().map(ProviderEntry::name).toList());
        assertEquals(Optional.of(Duration.ofMinutes(15)), c.providers().get(0).settleLag());
        assertEquals(1, c.outputs().size());
        assertEquals("syslog", c.outputs().get(0).string("type", null));
    }

    @Test
    void cadetHomeComesFromTheSystemProperty() {
        String before = System.getProperty("cadet.home");
        try {
            System.setProperty("cadet.home", home.toString());
            assertEquals(home.toAbsolutePath().normalize(), ConfigLoader.homeFromSystem());
            System.clearProperty("cadet.home");
            assertEquals(Path.of("").toAbsolutePath(), ConfigLoader.homeFromSystem());
        } finally {
            if (before != null) {
                System.setProperty("cadet.home", before);
            }
        }
    }
}
