package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.plugin.PluginRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An end-to-end test's config, loaded and checked the way the daemon does at start-up: the store in
 * {@code dir}/cadet.db, the plugins of the built distribution, and the test's {@code providers:}
 * section, with one entry. Fails the test on any config or check problem.
 */
record CheckedConfig(CadetConfig config, PluginRegistry plugins, ConfigCheck.Result checked) implements AutoCloseable {

    static CheckedConfig load(Path dir, String providers) throws Exception {
        String yaml = """
                store:
                  path: %s
                plugins:
                  dir: %s
                """.formatted(dir.resolve("cadet.db"), OneStreamPipeline.distDir().resolve("plugins")) + providers;
        CadetConfig config = new ConfigLoader(dir, new SecretReferences(Map.of())).parse(yaml, "e2e.yaml");
        assertEquals(List.of(), config.problems(), "config problems");
        PluginRegistry plugins = PluginRegistry.load(config.pluginsDir());
        ConfigCheck.Result checked = ConfigCheck.check(config, plugins, output -> { });
        assertEquals(List.of(), checked.problems(), "config check problems");
        return new CheckedConfig(config, plugins, checked);
    }

    /** The config's one provider entry. */
    ConfigCheck.CheckedProvider entry() {
        return checked.providers().get(0);
    }

    @Override
    public void close() {
        checked.close();
        plugins.close();
    }
}
