package dev.cadet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.Window;
import dev.cadet.plugin.PluginRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default config against the real drop-folder plugin of the distribution tree. */
class DefaultConfigWithShippedPluginsTest {

    @TempDir
    Path home;

    @Test
    void theDefaultConfigChecksCleanAndItsFileProviderReadsTheSamples() throws Exception {
        Path plugins = Path.of(System.getProperty("cadet.dist.dir", "target/cadet"), "plugins");
        Files.createDirectories(home.resolve("conf/samples"));
        Files.writeString(home.resolve("conf/samples/lookup.json"), "{\"Events\":[{\"EventId\":\"e1\"},{\"EventId\":\"e2\"}]}");
        CadetConfig config = new ConfigLoader(home, new SecretReferences(Map.of())).loadDefault();
        try (PluginRegistry registry = PluginRegistry.load(plugins)) {
            Assumptions.assumeTrue(registry.loaded().stream().anyMatch(p -> p.id().equals("file")),
                    "the distribution's file plugin in " + plugins + " is not loadable (built from an older provider-file?): "
                            + registry.broken());
            try (ConfigCheck.Result result = ConfigCheck.check(config, registry, output -> {
                output.string("type");
                output.string("name");
                output.string("format");
            })) {
                assertEquals(List.of(), result.problems());
                var provider = result.providers().get(0).provider();
                assertTrue(provider.routesByShape());
                StreamSpec stream = result.providers().get(0).entry().applyTo(provider.streams().get(0));
                assertEquals(java.time.Duration.ofSeconds(1), stream.settleLag(), "settle_lag from the default config");
                List<RawRecord> records = new ArrayList<>();
                provider.source().fetch(stream, new Window(Instant.EPOCH, Instant.now().plusSeconds(60)), new FetchContext() {
                    @Override
                    public void page(List<RawRecord> page) {
                        records.addAll(page);
                    }

                    @Override
                    public <T> T call(String what, Request<T> request) throws CollectorException {
                        return request.run();
                    }

                    @Override
                    public void warn(String message) {
                        throw new AssertionError(message);
                    }

                    @Override
                    public boolean itemMarked(String itemKey) {
                        return false;
                    }

                    @Override
                    public void markItem(String itemKey, String state) {
                    }

                    @Override
                    public boolean stopping() {
                        return false;
                    }
                });
                assertEquals(List.of("{\"EventId\":\"e1\"}", "{\"EventId\":\"e2\"}"), records.stream().map(RawRecord::body).toList());
                assertEquals(home.resolve("conf/samples/lookup.json") + ":1", records.get(0).origin());
            }
        }
    }
}
