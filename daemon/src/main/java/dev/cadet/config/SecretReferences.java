package dev.cadet.config;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Resolves the secret references of the config into {@link Secret}s:
 * <ul>
 * <li>{@code ${env:NAME}}: an environment variable, which must be set when the config is read;</li>
 * <li>{@code ${file:/abs/path}}: a file, read on every {@link Secret#reveal()} so rotation works,
 *     trailing line breaks removed;</li>
 * <li>{@code ${credential:NAME}}: a systemd credential ({@code LoadCredential=}), i.e. the file
 *     {@code $CREDENTIALS_DIRECTORY/NAME}, also read on every reveal.</li>
 * </ul>
 * Error messages name the reference, never the value.
 */
public final class SecretReferences implements ProviderConfig.SecretResolver {

    private final Map<String, String> env;

    /** @param env the process environment ({@link System#getenv()}), a map in tests */
    public SecretReferences(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static SecretReferences fromSystem() {
        return new SecretReferences(System.getenv());
    }

    @Override
    public Secret resolve(String kind, String name) {
        String reference = "${" + kind + ":" + name + "}";
        return switch (kind) {
            case "env" -> fromEnv(reference, name);
            case "file" -> fromFile(reference, name);
            case "credential" -> fromCredential(reference, name);
            default -> throw new IllegalArgumentException("unknown secret reference kind \"" + kind + "\"");
        };
    }

    private Secret fromEnv(String reference, String name) {
        String value = env.get(name);
        if (value == null) {
            throw new IllegalArgumentException("environment variable " + name + " is not set");
        }
        return new Secret(reference, () -> value);
    }

    private Secret fromFile(String reference, String name) {
        Path file = Path.of(name);
        if (!file.isAbsolute()) {
            throw new IllegalArgumentException("secret file path must be absolute: " + name);
        }
        requireReadable(file, "secret file " + file);
        return new Secret(reference, reader(file, "secret file " + file));
    }

    private Secret fromCredential(String reference, String name) {
        String dir = env.get("CREDENTIALS_DIRECTORY");
        if (dir == null || dir.isEmpty()) {
            throw new IllegalArgumentException("credential " + name
                    + ": CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the systemd unit)");
        }
        if (name.contains("/") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("credential name must be a plain file name: " + name);
        }
        Path file = Path.of(dir).resolve(name);
        requireReadable(file, "credential " + name + " (" + file + ")");
        return new Secret(reference, reader(file, "credential " + name + " (" + file + ")"));
    }

    private static void requireReadable(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(what + " does not exist or is not a file");
        }
        if (!Files.isReadable(file)) {
            throw new IllegalArgumentException(what + " is not readable");
        }
    }

    private static Supplier<String> reader(Path file, String what) {
        return () -> {
            try {
                return stripTrailingNewlines(Files.readString(file, StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The exception's own message names only the path.
                throw new UncheckedIOException("cannot read " + what, e);
            }
        };
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }
}
