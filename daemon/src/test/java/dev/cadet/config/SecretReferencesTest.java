package dev.cadet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.collector.Secret;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretReferencesTest {

    private static final String VALUE = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path dir;

    /** The entry as the config loader makes it, and the secret read as a plugin would. */
    private Optional<Secret> read(Map<String, String> env, String value, List<String> problems) {
        CadetConfig c = new ConfigLoader(dir, new SecretReferences(env)).parse("""
                providers:
                  aws:
                    - secret_access_key: "%s"
                """.formatted(value), "t.yaml");
        ProviderConfig entry = c.providers().get(0).config();
        Optional<Secret> s = entry.secret("secret_access_key");
        problems.addAll(entry.problems());
        for (String p : problems) {
            assertFalse(p.contains(VALUE), "secret value in a problem: " + p);
        }
        assertFalse(c.toString().contains(VALUE), "secret value in the config's toString");
        s.ifPresent(secret -> assertFalse(secret.toString().contains(VALUE)));
        return s;
    }

    @Test
    void fromTheEnvironment() {
        List<String> problems = new java.util.ArrayList<>();
        Secret s = read(Map.of("AWS_SECRET", VALUE), "${env:AWS_SECRET}", problems).orElseThrow();
        assertEquals(List.of(), problems);
        assertEquals(VALUE, s.reveal());
        assertEquals("${env:AWS_SECRET}", s.toString());

        List<String> unset = new java.util.ArrayList<>();
        assertTrue(read(Map.of(), "${env:AWS_SECRET}", unset).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: environment variable AWS_SECRET is not set"), unset);
    }

    @Test
    void fromAFileReadOnEveryRevealWithoutTheTrailingNewline() throws Exception {
        Path f = dir.resolve("key");
        Files.writeString(f, VALUE + "\n");
        List<String> problems = new java.util.ArrayList<>();
        Secret s = read(Map.of(), "${file:" + f + "}", problems).orElseThrow();
        assertEquals(List.of(), problems);
        assertEquals(VALUE, s.reveal());
        Files.writeString(f, "rotated\r\n");
        assertEquals("rotated", s.reveal());
        Files.delete(f);
        UncheckedIOException e = assertThrows(UncheckedIOException.class, s::reveal);
        assertEquals("cannot read secret file " + f, e.getMessage());

        List<String> missing = new java.util.ArrayList<>();
        assertTrue(read(Map.of(), "${file:" + f + "}", missing).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: secret file " + f + " does not exist or is not a file"), missing);

        List<String> relative = new java.util.ArrayList<>();
        assertTrue(read(Map.of(), "${file:keys/aws}", relative).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: secret file path must be absolute: keys/aws"), relative);
    }

    @Test
    void fromASystemdCredential() throws Exception {
        Files.writeString(dir.resolve("aws-key"), VALUE + "\n");
        List<String> problems = new java.util.ArrayList<>();
        Secret s = read(Map.of("CREDENTIALS_DIRECTORY", dir.toString()), "${credential:aws-key}", problems).orElseThrow();
        assertEquals(List.of(), problems);
        assertEquals(VALUE, s.reveal());

        List<String> noDir = new java.util.ArrayList<>();
        assertTrue(read(Map.of(), "${credential:aws-key}", noDir).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: credential aws-key: CREDENTIALS_DIRECTORY is not set (use LoadCredential= in the systemd unit)"),
                noDir);

        List<String> noFile = new java.util.ArrayList<>();
        assertTrue(read(Map.of("CREDENTIALS_DIRECTORY", dir.toString()), "${credential:other}", noFile).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: credential other (" + dir.resolve("other")
                + ") does not exist or is not a file"), noFile);

        List<String> escape = new java.util.ArrayList<>();
        assertTrue(read(Map.of("CREDENTIALS_DIRECTORY", dir.toString()), "${credential:../etc/shadow}", escape).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: credential name must be a plain file name: ../etc/shadow"), escape);
    }

    @Test
    void anInlineSecretIsRefusedWithoutRepeatingIt() {
        List<String> problems = new java.util.ArrayList<>();
        assertTrue(read(Map.of(), VALUE, problems).isEmpty());
        assertEquals(List.of("providers.aws[0].secret_access_key: secrets must be given by reference: ${env:NAME}, "
                + "${file:/path} or ${credential:NAME} (inline value not shown)"), problems);
    }
}
