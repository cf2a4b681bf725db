package dev.cadet.provider.gcp;

import dev.cadet.collector.Provider;
import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Provider configs as the host builds them, with {@code ${file:...}} secrets read from disk. */
public final class TestConfigs {
    private TestConfigs() {
    }

    public static ProviderConfig config(Map<String, ?> values) {
        return new ProviderConfig("providers.gcp[0]", values, (kind, name) -> {
            if (!kind.equals("file")) {
                throw new IllegalArgumentException("only file secrets in tests");
            }
            return new Secret("${file:" + name + "}", () -> {
                try {
                    return Files.readString(Path.of(name));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        });
    }

    /** Creates the provider and fails on any config problem. */
    public static Provider provider(Map<String, ?> values) {
        ProviderConfig c = config(values);
        Provider p = new GcpProviderFactory().create(c);
        if (!c.problems().isEmpty() || p == null) {
            throw new AssertionError("config problems: " + c.problems());
        }
        return p;
    }

    public static String ref(Path keyFile) {
        return "${file:" + keyFile + "}";
    }

    public static List<String> list(String... s) {
        return List.of(s);
    }
}
