package dev.cadet.provider.aws;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.util.Map;

/** Builds ProviderConfigs as the host would, with secrets resolved from a fake environment. */
public final class TestConfigs {
    public static final String ACCESS_KEY_ID = "AKIDTESTBASE0000001";
    public static final String SECRET_ACCESS_KEY = "base-secret-do-not-log-4f1e2d";

    private TestConfigs() {
    }

    public static final Map<String, String> ENV = Map.of(
            "AWS_KEY_ID", ACCESS_KEY_ID,
            "AWS_SECRET", SECRET_ACCESS_KEY);

    public static ProviderConfig config(Map<String, ?> values) {
        return new ProviderConfig("providers.aws[0]", values, (kind, name) -> {
            if (!kind.equals("env") || !ENV.containsKey(name)) {
                throw new IllegalArgumentException("${" + kind + ":" + name + "} is not set");
            }
            return new Secret("${" + kind + ":" + name + "}", () -> ENV.get(name));
        });
    }

    public static Map<String, Object> staticCredentials() {
        return Map.of("static", Map.of("access_key_id", "${env:AWS_KEY_ID}", "secret_access_key", "${env:AWS_SECRET}"));
    }
}
