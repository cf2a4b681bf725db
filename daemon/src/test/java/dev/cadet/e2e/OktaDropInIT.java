package dev.cadet.e2e;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.cadet.collector.SpiVersion;
import dev.cadet.plugin.TestPlugins;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drop-in plugins, proven with {@code examples/provider-okta}: built by its own pom against the
 * published SPI, its folder copied into {@code plugins/okta/} of a distribution installed in a temp
 * folder, the daemon started against an Okta stand-in, Okta events alerted. Broken plugin folders
 * next to it are skipped with their reason, and are an error only for a config that uses them.
 */
class OktaDropInIT {
    static final String TOKEN = "00okta-canary-token-7f3a9c";
    static final ObjectMapper JSON = new ObjectMapper();

    static Path oktaPluginFolder;

    @TempDir
    Path dir;
    Path home;
    WireMockServer okta;
    /** X-Rate-Limit-Reset of the first page, which leaves no requests: the second page must wait for it. */
    long pageOneReset;

    /**
     * Builds the example as its users would. The SPI must be in the local repository first: the
     * README's {@code ./mvnw -B verify} does not install, so the SPI (and the parent pom it names) is
     * installed from this checkout, then the example is packaged by its own pom.
     */
    @BeforeAll
    static void buildTheExample() throws Exception {
        Path root = BuildOutputs.projectRoot();
        maven(root, "install", "-DskipTests", "-pl", "collector-api", "-am");
        maven(root, "-f", "examples/provider-okta/pom.xml", "clean", "package");
        oktaPluginFolder = root.resolve("examples/provider-okta/target/okta");
        assertTrue(Files.isDirectory(oktaPluginFolder), "the example's plugin folder " + oktaPluginFolder);
        try (Stream<Path> s = Files.list(oktaPluginFolder)) {
            assertFalse(s.anyMatch(p -> p.getFileName().toString().startsWith("collector-api")), "the SPI is provided by cadet, not bundled");
        }
    }

    private static void maven(Path root, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-B", "-q"));
        if ("offline=true".equals(System.getProperty("cadet.maven.offline"))) {
            cmd.add("-o");
        }
        String repo = System.getProperty("cadet.maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            cmd.add("-Dmaven.repo.local=" + repo);
        }
        cmd.addAll(List.of(args));
        Path log = Files.createTempFile("okta-example-build", ".log");
        Process p = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(10, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " did not finish in 10 minutes\n" + Files.readString(log));
        }
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + Files.readString(log));
    }

    @BeforeEach
    void install() throws Exception {
        home = dir.resolve("cadet");
        copyTree(AwsPipeline.distDir(), home);
        copyTree(oktaPluginFolder, home.resolve("plugins/okta"));
        // Broken folders beside it: a jar that is no jar, and a plugin built for another SPI major version.
        Files.createDirectories(home.resolve("plugins/badjar"));
        Files.writeString(home.resolve("plugins/badjar/provider-badjar.jar"), "this is not a zip file");
        TestPlugins.build(home.resolve("plugins/future"), "future.jar",
                TestPlugins.factorySource("test.future", "future", SpiVersion.MAJOR + 1, "\"9.0.0\"", "future-marker"),
                "test.future.Factory", List.of());
        okta = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        okta.start();
    }

    @AfterEach
    void stopStandIn() {
        if (okta != null) {
            okta.stop();
        }
    }

    @Test
    void theOktaPluginDroppedIntoAnInstallationIsListedAndItsEventsAreAlerted() throws Exception {
        Path launcher = home.resolve("bin/cadet");
        Path work = Files.createDirectories(dir.resolve("work"));

        Cli.Run plugins = ChildDaemon.runToEnd(launcher, work, Map.of(), "plugins");
        assertEquals(0, plugins.exit(), plugins.toString());
        assertTrue(plugins.out().lines().anyMatch(l -> l.matches("okta\\s+0\\.1\\.0-SNAPSHOT\\s+" + SpiVersion.MAJOR + "\\s+.*plugins/okta")),
                plugins.toString());
        assertTrue(plugins.out().lines().anyMatch(l -> l.startsWith("broken: badjar") && l.contains("bad jar provider-badjar.jar")),
                plugins.toString());
        assertTrue(plugins.out().lines().anyMatch(l -> l.startsWith("broken: future")
                && l.contains("SPI major version " + (SpiVersion.MAJOR + 1)) && l.contains("SPI version " + SpiVersion.text())),
                "names both SPI versions: " + plugins);

        Instant created = Instant.now().minus(20, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.MILLIS);
        standInOkta(created);
        Path alerts = dir.resolve("alerts.jsonl");
        Path config = config(alerts, "okta");

        try (ChildDaemon d = ChildDaemon.start(launcher, work, Map.of(), "run", "--config", config.toString())) {
            d.await("two Okta alerts in " + alerts, Duration.ofSeconds(90), () -> alertsOf(alerts).size() >= 2);
            assertEquals(143, d.stop(Duration.ofSeconds(30)), d.output());
            String err = d.stderr();
            assertTrue(err.contains("plugin badjar") && err.contains("skipped"), "broken plugin logged: " + err);
            assertTrue(err.contains("plugin future") && err.contains("SPI major version"), err);
            assertFalse(err.contains(TOKEN) || d.stdout().contains(TOKEN), "the token never in the output");
        }

        List<JsonNode> got = alertsOf(alerts);
        assertFalse(Files.readString(alerts).contains(TOKEN));
        JsonNode single = got.stream().filter(a -> a.get("rule.id").asText().equals("okta-user-created")).findFirst().orElseThrow();
        assertEquals("new.hire@example.com", single.get("user.target.name").asText());
        assertEquals("admin@example.com", single.get("user.name").asText());
        assertEquals("198.51.100.7", single.get("source.ip").asText());
        assertEquals("okta.system", single.get("event.dataset").asText());
        assertEquals("127.0.0.1", single.get("cloud.account.id").asText(), "the org: host of org_url");
        JsonNode seq = got.stream().filter(a -> a.get("rule.id").asText().equals("okta-user-created-then-privileged")).findFirst().orElseThrow();
        assertEquals(List.of("okta-uuid-create-1", "okta-uuid-grant-1"),
                JSON.convertValue(seq.get("event_ids"), List.class), seq.toString());

        // The requests: SSWS token, since/until/limit on the first, the next link followed verbatim.
        List<LoggedRequest> requests = okta.findAll(getRequestedFor(urlPathEqualTo("/api/v1/logs")));
        assertTrue(requests.stream().allMatch(r -> ("SSWS " + TOKEN).equals(r.getHeader("Authorization"))));
        LoggedRequest first = requests.get(0);
        assertTrue(first.queryParameter("since").isPresent() && first.queryParameter("until").isPresent()
                && first.queryParameter("limit").firstValue().equals("1000"), first.getUrl());
        LoggedRequest second = requests.stream().filter(r -> r.getUrl().equals("/api/v1/logs?after=cursor%2F1&limit=1000&keep=Verbatim"))
                .findFirst().orElseThrow(() -> new AssertionError("next link not followed verbatim: "
                        + requests.stream().map(LoggedRequest::getUrl).toList()));
        assertTrue(second.getLoggedDate().getTime() >= pageOneReset * 1000, "waited for X-Rate-Limit-Reset before the next page");
        // The 429 came first and was retried (the scenario only opens after it).
        assertEquals(429, okta.getAllServeEvents().stream().min(java.util.Comparator.comparing(e -> e.getRequest().getLoggedDate()))
                .orElseThrow().getResponse().getStatus());
    }

    @Test
    void aConfigThatUsesABrokenPluginIsNotStartedAndSaysWhy() throws Exception {
        Path launcher = home.resolve("bin/cadet");
        Path work = Files.createDirectories(dir.resolve("work"));
        Cli.Run run = ChildDaemon.runToEnd(launcher, work, Map.of(), "run", "--config", config(dir.resolve("a.jsonl"), "future").toString());
        assertEquals(2, run.exit(), run.toString());
        String all = run.out() + run.err();
        assertTrue(all.contains("providers.future[0]") && all.contains("could not be loaded")
                && all.contains("SPI major version " + (SpiVersion.MAJOR + 1)), run.toString());
        assertTrue(all.contains("not started"), run.toString());

        Cli.Run bad = ChildDaemon.runToEnd(launcher, work, Map.of(), "run", "--config", config(dir.resolve("b.jsonl"), "badjar").toString());
        assertEquals(2, bad.exit(), bad.toString());
        assertTrue((bad.out() + bad.err()).contains("bad jar provider-badjar.jar"), bad.toString());
    }

    /** A config with one entry of provider {@code id} pointing at the stand-in, alerts to a file. */
    private Path config(Path alerts, String id) throws IOException {
        Path token = dir.resolve("okta-token");
        Files.writeString(token, TOKEN + "\n");
        Path config = dir.resolve(id + ".yaml");
        Files.writeString(config, """
                store:
                  path: %s
                detection:
                  rules: [%s]
                providers:
                  %s:
                    - name: acme
                      org_url: http://127.0.0.1:%d
                      token: ${file:%s}
                      schedule: 2s
                      settle_lag: 0s
                      initial_backfill: 1h
                outputs:
                  - type: file
                    name: file
                    path: %s
                """.formatted(dir.resolve(id + ".db"), BuildOutputs.projectRoot().resolve("examples/provider-okta/rules"),
                id, okta.port(), token, alerts));
        return config;
    }

    /**
     * The System Log: the first request is throttled (429 with the reset time), the first page has a
     * user created and a next link (and no requests left until the reset), the second page the
     * privilege grant to that user and no next link.
     */
    private void standInOkta(Instant created) {
        String base = "http://127.0.0.1:" + okta.port();
        long resetSoon = Instant.now().plusSeconds(1).getEpochSecond();
        pageOneReset = Instant.now().plusSeconds(8).getEpochSecond();
        okta.stubFor(get(urlPathEqualTo("/api/v1/logs")).inScenario("okta").whenScenarioStateIs(Scenario.STARTED)
                .withHeader("Authorization", equalTo("SSWS " + TOKEN))
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withHeader("X-Rate-Limit-Remaining", "0").withHeader("X-Rate-Limit-Reset", Long.toString(resetSoon))
                        .withBody("{\"errorCode\":\"E0000047\",\"errorSummary\":\"API call exceeded rate limit due to too many requests.\"}"))
                .willSetStateTo("open"));
        okta.stubFor(get(urlPathEqualTo("/api/v1/logs")).inScenario("okta").whenScenarioStateIs("open")
                .withHeader("Authorization", equalTo("SSWS " + TOKEN))
                .withQueryParam("since", matching(".+")).withQueryParam("until", matching(".+"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withHeader("Link", "<" + base + "/api/v1/logs?since=x>; rel=\"self\"")
                        .withHeader("Link", "<" + base + "/api/v1/logs?after=cursor%2F1&limit=1000&keep=Verbatim>; rel=\"next\"")
                        .withHeader("X-Rate-Limit-Remaining", "0")
                        .withHeader("X-Rate-Limit-Reset", Long.toString(pageOneReset))
                        .withBody("[" + event("okta-uuid-create-1", created, "user.lifecycle.create") + "]")));
        okta.stubFor(get(urlPathEqualTo("/api/v1/logs")).inScenario("okta").whenScenarioStateIs("open")
                .withHeader("Authorization", equalTo("SSWS " + TOKEN))
                .withQueryParam("after", equalTo("cursor/1")).withQueryParam("keep", equalTo("Verbatim"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withHeader("X-Rate-Limit-Remaining", "58")
                        .withBody("[" + event("okta-uuid-grant-1", created.plusSeconds(90), "user.account.privilege.grant") + "]")));
    }

    /** A System Log event as Okta writes it (fields trimmed to those that matter here). */
    private static String event(String uuid, Instant published, String eventType) {
        return """
                {"uuid":"%s","published":"%s","eventType":"%s","version":"0","severity":"INFO",
                 "displayMessage":"%s","legacyEventType":"core.user.config",
                 "actor":{"id":"00u1admin","type":"User","alternateId":"admin@example.com","displayName":"Admin"},
                 "client":{"ipAddress":"198.51.100.7","userAgent":{"rawUserAgent":"Mozilla/5.0","os":"Linux","browser":"FIREFOX"},
                           "zone":"null","device":"Computer"},
                 "outcome":{"result":"SUCCESS","reason":null},
                 "target":[{"id":"00u2newhire","type":"User","alternateId":"new.hire@example.com","displayName":"New Hire"}],
                 "transaction":{"type":"WEB","id":"tx-%s"},
                 "debugContext":{"debugData":{"requestUri":"/api/v1/users"}}}
                """.formatted(uuid, published, eventType, eventType, uuid).replace("\n", "");
    }

    private static List<JsonNode> alertsOf(Path file) {
        List<JsonNode> out = new ArrayList<>();
        try {
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        out.add(JSON.readTree(line));
                    }
                }
            }
        } catch (IOException e) {
            // being written: read again
        }
        return out;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
