package dev.cadet.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.ContextInitializer;
import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigCheck;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.daemon.Daemon;
import dev.cadet.detect.RuleSet;
import dev.cadet.forward.Output;
import dev.cadet.forward.Outputs;
import dev.cadet.plugin.PluginRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A canary secret in every secret field of a config (AWS static access key id, secret key and
 * session token; the syslog TLS client key password), given by each kind of reference
 * ({@code ${env:}}, {@code ${file:}}, {@code ${credential:}}), through the running daemon (the AWS
 * plugin against a LookupEvents stand-in, the drop folder, stdout, file and TLS syslog outputs, the
 * HTTP listener) with every logger at DEBUG: the canary is in none of the logs, {@code cadet status}
 * (table and JSON), {@code /metrics}, {@code /health}, the alerts (JSON and CEF) or
 * {@code check-config}'s output, including for a config that writes the secrets inline.
 */
class SecretCanaryE2ETest {
    static final String CANARY = "CANARY" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);

    @TempDir
    Path dir;

    @Test
    void theCanaryIsNowhere() throws Exception {
        Path creds = Files.createDirectories(dir.resolve("credentials"));
        Files.writeString(creds.resolve("session-token"), CANARY + "-token\n");
        Files.writeString(creds.resolve("key-password"), CANARY + "\n");
        Files.writeString(dir.resolve("secret-key"), CANARY + "-secret\n");
        Map<String, String> env = Map.of("CADET_TEST_KEY_ID", "AKID" + CANARY, "CREDENTIALS_DIRECTORY", creds.toString());
        tlsClientKey(CANARY);
        Files.createDirectories(dir.resolve("drop"));
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }

        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        List<String> texts = new ArrayList<>();
        PrintStream err = System.err;
        PrintStream out = System.out;
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        try (LookupEventsStandIn cloudTrail = new LookupEventsStandIn()) {
            cloudTrail.add(AwsPipeline.createUser("canary-1", Instant.now().minus(Duration.ofMinutes(10)), "alice", "mallory"));
            String yaml = """
                    store: {path: %1$s/cadet.db}
                    plugins: {dir: %2$s}
                    detection: {rules: [%3$s]}
                    http: {enabled: true, listen: "127.0.0.1:0"}
                    providers:
                      aws:
                        - name: canary
                          schedule: 2s
                          settle_lag: 1s
                          initial_backfill: 1h
                          accounts: [{id: "%4$s"}]
                          regions: [us-east-1]
                          endpoint: %5$s
                          credentials:
                            static:
                              access_key_id: ${env:CADET_TEST_KEY_ID}
                              secret_access_key: ${file:%1$s/secret-key}
                              session_token: ${credential:session-token}
                      file:
                        - name: drop
                          folder: %1$s/drop
                          schedule: 2s
                    outputs:
                      - {type: file, name: alerts, path: %1$s/alerts.jsonl}
                      - {type: stdout, name: cef, format: cef}
                      - type: syslog
                        name: siem
                        host: 127.0.0.1
                        port: %6$d
                        protocol: tls
                        tls:
                          ca_file: %1$s/client.pem
                          client_cert: %1$s/client.pem
                          client_key: %1$s/client.key
                          client_key_password: ${credential:key-password}
                    """.formatted(dir, AwsPipeline.distDir().resolve("plugins"), AwsPipeline.distDir().resolve("conf/rules"),
                    AwsPipeline.ACCOUNT, cloudTrail.endpoint(), closedPort);
            Path configFile = dir.resolve("cadet.yaml");
            Files.writeString(configFile, yaml);
            ConfigLoader loader = new ConfigLoader(dir, new SecretReferences(env));

            System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
            System.setOut(new PrintStream(stdout, true, StandardCharsets.UTF_8));
            everythingAtDebug(logging);

            // check-config, on this config and on one with the secrets written inline
            texts.add(checkConfig(loader.parse(yaml, "canary.yaml"), 0));
            String inline = yaml.replace("${env:CADET_TEST_KEY_ID}", CANARY).replace("${file:" + dir + "/secret-key}", CANARY)
                    .replace("${credential:session-token}", CANARY).replace("${credential:key-password}", CANARY);
            texts.add(checkConfig(loader.parse(inline, "inline.yaml"), 2));

            CadetConfig config = loader.parse(yaml, "canary.yaml");
            PluginRegistry plugins = PluginRegistry.load(config.pluginsDir());
            ConfigCheck.Result checked = ConfigCheck.check(config, plugins,
                    o -> Outputs.fromConfig(List.of(o)).forEach(Output::close));
            assertEquals(List.of(), checked.problems());
            Daemon daemon = Daemon.start(config, plugins, checked.providers(), RuleSet.load(config.detection().ruleDirs()));
            try {
                Path alerts = dir.resolve("alerts.jsonl");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!(Files.exists(alerts) && Files.readString(alerts).contains("mallory")) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                texts.add(Files.readString(alerts));
                assertTrue(texts.get(texts.size() - 1).contains("mallory"), "an alert from the AWS stream was written");
                String port = String.valueOf(daemon.httpAddress().orElseThrow().getPort());
                HttpClient client = HttpClient.newHttpClient();
                for (String path : List.of("/metrics", "/health")) {
                    HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                            HttpResponse.BodyHandlers.ofString());
                    texts.add(r.body());
                    assertTrue(r.body().contains("aws/" + AwsPipeline.ACCOUNT + "/us-east-1") || path.equals("/health"), r.body());
                }
                for (String[] args : List.of(new String[] {"status", "--config", configFile.toString()},
                        new String[] {"status", "--json", "--config", configFile.toString()})) {
                    Cli.Run status = Cli.run(args);
                    assertEquals(0, status.exit(), status.toString());
                    assertTrue(status.out().contains("aws/" + AwsPipeline.ACCOUNT + "/us-east-1"), status.toString());
                    texts.add(status.out());
                    texts.add(status.err());
                }
            } finally {
                daemon.close();
            }
        } finally {
            System.setErr(err);
            System.setOut(out);
            restore(logging);
        }
        String log = logs.toString(StandardCharsets.UTF_8);
        String cef = stdout.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains(" DEBUG "), "DEBUG lines were captured");
        assertTrue(log.contains("siem"), "the failing TLS output was logged: " + log);
        assertTrue(cef.contains("CEF:0|cadet|"), "CEF alerts went to stdout: " + cef);
        texts.add(log);
        texts.add(cef);
        for (String t : texts) {
            assertFalse(t.contains(CANARY), "the canary leaked:\n" + t);
        }
    }

    private static String checkConfig(CadetConfig config, int expectedExit) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int exit = ConfigCheck.run(config, o -> Outputs.fromConfig(List.of(o)).forEach(Output::close),
                new PrintStream(b, true, StandardCharsets.UTF_8));
        String text = b.toString(StandardCharsets.UTF_8);
        assertEquals(expectedExit, exit, text);
        return text;
    }

    /** The shipped logback.xml with cadet's loggers and the root at DEBUG (the stand-in's own server stays at INFO). */
    private static void everythingAtDebug(LoggerContext context) throws Exception {
        context.reset();
        context.putProperty("CADET_LOG_LEVEL", "DEBUG");
        JoranConfigurator c = new JoranConfigurator();
        c.setContext(context);
        c.doConfigure(SecretCanaryE2ETest.class.getClassLoader().getResource("logback.xml"));
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG);
        for (String standIn : List.of("org.eclipse.jetty", "wiremock", "com.github.tomakehurst", "WireMock")) {
            context.getLogger(standIn).setLevel(Level.INFO);
        }
    }

    private static void restore(LoggerContext context) {
        context.reset();
        try {
            new ContextInitializer(context).autoConfig();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** An encrypted PKCS#8 client key and its self-signed certificate, made with openssl. */
    private void tlsClientKey(String password) throws Exception {
        run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", dir.resolve("plain.key").toString());
        // OpenSSL 3's default encryption: PBES2 (AES-256-CBC, HMAC-SHA256)
        run("openssl", "pkcs8", "-topk8", "-in", dir.resolve("plain.key").toString(),
                "-passout", "file:" + dir.resolve("credentials/key-password"), "-out", dir.resolve("client.key").toString());
        Files.delete(dir.resolve("plain.key"));
        run("openssl", "req", "-new", "-x509", "-key", dir.resolve("client.key").toString(),
                "-passin", "file:" + dir.resolve("credentials/key-password"), "-subj", "/CN=cadet-canary", "-days", "1",
                "-out", dir.resolve("client.pem").toString());
        assertTrue(Files.readString(dir.resolve("client.key")).contains("ENCRYPTED PRIVATE KEY"));
        assertFalse(password.isEmpty());
    }

    private void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", command) + "\n" + output);
    }
}
