package dev.cadet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.plugin.PluginRegistry;
import dev.cadet.plugin.TestPlugins;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigCheckTest {

    @TempDir
    Path home;

    /** Reads output entries the way a forwarder would: type, host, port and a nested tls block. */
    private static final ConfigCheck.OutputReader OUTPUTS = output -> {
        String type = output.choice("type", null, List.of("stdout", "syslog"));
        if (type == null) {
            output.problem("type", "missing");
        }
        output.string("name");
        output.string("host");
        output.integer("port", 514, 1, 65535);
        output.object("tls").ifPresent(tls -> tls.string("ca_file"));
    };

    private CadetConfig parse(String yaml) {
        return new ConfigLoader(home, new SecretReferences(Map.of())).parse(yaml, "cadet.yaml");
    }

    @Test
    void collectsTheProblemsOfTheFileThePluginsAndTheOutputs() throws Exception {
        TestPlugins.simple(home.resolve("plugins"), "aws", "A");
        CadetConfig config = parse("""
                store:
                  retention: 3x
                providers:
                  aws:
                    - region: us-est-1
                      schedule: soon
                    - region: eu-west-1
                      regoin: us-east-1
                  gcp:
                    - project: p
                outputs:
                  - type: syslog
                    port: 70000
                    tls:
                      ca_file: /etc/ca.pem
                      cafile: /etc/ca.pem
                  - format: cef
                """);
        try (PluginRegistry plugins = PluginRegistry.load(config.pluginsDir());
             ConfigCheck.Result result = ConfigCheck.check(config, plugins, OUTPUTS)) {
            assertEquals(List.of(
                    "store.retention: not a duration: \"3x\" (use e.g. 90s, 5m, 1h, 7d)",
                    "providers.aws[0].schedule: not a duration: \"soon\" (use e.g. 90s, 5m, 1h, 7d)",
                    "providers.aws[0].region: unknown region \"us-est-1\"",
                    "providers.aws[1].regoin: unknown key",
                    "providers.gcp[0]: no plugin provides \"gcp\" in plugins dir " + home.resolve("plugins") + " (loaded: aws)",
                    "outputs[0].port: must be between 1 and 65535, got 70000",
                    "outputs[0].tls.cafile: unknown key",
                    "outputs[1].type: missing",
                    "outputs[1].format: unknown key"), result.problems());
            assertEquals(1, result.providers().size(), "the second aws entry was built");
        }
    }

    @Test
    void twoEntriesReadingTheSameStreamIsAProblem() throws Exception {
        TestPlugins.simple(home.resolve("plugins"), "aws", "A");
        CadetConfig config = parse("""
                providers:
                  aws:
                    - region: eu-west-1
                    - region: eu-west-1
                """);
        try (PluginRegistry plugins = PluginRegistry.load(config.pluginsDir());
             ConfigCheck.Result result = ConfigCheck.check(config, plugins, OUTPUTS)) {
            assertEquals(List.of("providers.aws[1]: stream \"aws/eu-west-1\" is also read by providers.aws[0]"), result.problems());
        }
    }

    @Test
    void runPrintsOneProblemPerLineAndExitsTwo() throws Exception {
        TestPlugins.simple(home.resolve("plugins"), "aws", "A");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int rc = ConfigCheck.run(parse("""
                store: {retention: 3x}
                providers: {aws: [{region: us-est-1}]}
                """), output -> { }, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        assertEquals("store.retention: not a duration: \"3x\" (use e.g. 90s, 5m, 1h, 7d)\n"
                + "providers.aws[0].region: unknown region \"us-est-1\"\n", bytes.toString(StandardCharsets.UTF_8));

        bytes.reset();
        rc = ConfigCheck.run(parse("providers: {aws: [{region: us-east-1}]}\noutputs: [{type: stdout}]\n"), OUTPUTS,
                new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertEquals(0, rc, bytes.toString(StandardCharsets.UTF_8));
        assertEquals("cadet.yaml: OK (1 provider entries, 1 outputs)\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBrokenPluginIsAnErrorOnlyForTheEntriesThatUseIt() throws Exception {
        TestPlugins.simple(home.resolve("plugins"), "aws", "A");
        java.nio.file.Files.createDirectories(home.resolve("plugins/azure"));
        CadetConfig unused = parse("providers: {aws: [{region: us-east-1}]}\n");
        try (PluginRegistry plugins = PluginRegistry.load(unused.pluginsDir());
             ConfigCheck.Result result = ConfigCheck.check(unused, plugins, OUTPUTS)) {
            assertEquals(List.of(), result.problems());
        }
        CadetConfig used = parse("providers: {azure: [{tenant: t}]}\n");
        try (PluginRegistry plugins = PluginRegistry.load(used.pluginsDir());
             ConfigCheck.Result result = ConfigCheck.check(used, plugins, OUTPUTS)) {
            assertEquals(List.of("providers.azure[0]: plugin \"azure\" (" + home.resolve("plugins/azure")
                    + ") could not be loaded: no jar files in " + home.resolve("plugins/azure")), result.problems());
        }
    }

    @Test
    void outputEntriesKeepTheirPath() {
        ProviderConfig out = parse("outputs: [{type: stdout}, {type: syslog}]\n").outputs().get(1);
        assertEquals("outputs[1]", out.path());
        assertEquals("syslog", out.string("type", null));
    }
}
