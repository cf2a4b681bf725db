package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cadet check-config} on config files, against the distribution's real plugins. */
class CheckConfigCliE2ETest {
    static final String INLINE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

    @TempDir
    Path dir;

    private Path write(String name, String yaml) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, yaml);
        return f;
    }

    private String common() throws Exception {
        Path keyId = write("key-id", "AKIDE2ECHECKCONFIG01\n");
        Path secret = write("secret", "secret-from-file-1234\n");
        return """
                store:
                  path: %s
                plugins:
                  dir: %s
                providers:
                  aws:
                    - name: prod
                      accounts: [{id: "111122223333"}]
                      endpoint: http://127.0.0.1:9
                      credentials:
                        static:
                          access_key_id: ${file:%s}
                          secret_access_key: ${file:%s}
                """.formatted(dir.resolve("cadet.db"), AwsPipeline.distDir().resolve("plugins"), keyId, secret);
    }

    @Test
    void everyProblemWithItsPathAndExitTwo() throws Exception {
        Path config = write("bad.yaml", """
                store:
                  path: %s
                plugins:
                  dir: %s
                providers:
                  aws:
                    - name: prod
                      accounts: [{id: "111122223333"}]
                      regions: [us-east-1, us-est-1]
                      schedule: 5 parsecs
                      colour: red
                      credentials:
                        static:
                          access_key_id: ${file:%s}
                          secret_access_key: %s
                  gcp:
                    - name: workspace
                  okta:
                    - name: idp
                """.formatted(dir.resolve("cadet.db"), AwsPipeline.distDir().resolve("plugins"), write("key-id", "AKID\n"),
                INLINE_SECRET));

        Cli.Run run = Cli.run("check-config", "--config", config.toString());

        assertEquals(2, run.exit(), run.toString());
        List<String> lines = run.outLines();
        assertHas(lines, "providers.aws[0].regions[1]: unknown region \"us-est-1\"");
        assertHas(lines, "providers.aws[0].colour: unknown key");
        assertHas(lines, "providers.aws[0].schedule: ");
        assertHas(lines, "providers.aws[0].credentials.static.secret_access_key: secrets must be given by reference");
        assertHas(lines, "providers.gcp[0].credentials_json: missing");
        assertHas(lines, "providers.okta[0]: no plugin provides \"okta\"");
        assertFalse(run.out().contains(INLINE_SECRET), run.toString());
        assertFalse(run.err().contains(INLINE_SECRET), run.toString());
        assertFalse(run.out().contains(": OK"), run.toString());
    }

    @Test
    void aBadDurationInTheDaemonsOwnSectionsAndAnUnknownTopLevelKey() throws Exception {
        Path config = write("bad2.yaml", common() + """
                detection:
                  allowed_lateness: a while
                colour: blue
                """);

        Cli.Run run = Cli.run("check-config", "--config", config.toString());

        assertEquals(2, run.exit(), run.toString());
        assertHas(run.outLines(), "detection.allowed_lateness: ");
        assertHas(run.outLines(), "colour: unknown key");
    }

    @Test
    void aGoodConfigExitsZero() throws Exception {
        Path config = write("good.yaml", common() + """
                      regions: [us-east-1, eu-west-1]
                      settle_lag: 5m
                """);

        Cli.Run run = Cli.run("check-config", "--config", config.toString());

        assertEquals(0, run.exit(), run.toString());
        assertEquals(List.of(config + ": OK (1 provider entries, 0 outputs)"), run.outLines());
        assertFalse(run.out().contains("secret-from-file-1234"));
    }

    private static void assertHas(List<String> lines, String start) {
        assertTrue(lines.stream().anyMatch(l -> l.startsWith(start)), "no line starting with [" + start + "] in\n"
                + String.join("\n", lines));
    }
}
