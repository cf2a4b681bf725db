package dev.cadet.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.poll.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * The host's real pipeline for one {@code providers.o365} entry (content type Audit.AzureActiveDirectory),
 * a {@link OneStreamPipeline} with the real o365 plugin of the distribution talking to an
 * {@link ActivityFeedStandIn} (API on http://127.0.0.1, token endpoint on https://localhost trusted
 * through the entry's {@code ca_file}). Pipeline time is a {@link FakeClock} that starts at the real
 * time (the plugin checks blob expiry and clock skew against the real clock).
 */
final class O365Pipeline extends OneStreamPipeline {
    static final String TENANT = ActivityFeedStandIn.TENANT;
    static final String CONTENT_TYPE = "Audit.AzureActiveDirectory";
    static final String STREAM = "o365/" + TENANT + "/" + CONTENT_TYPE;
    static final String CLIENT_SECRET = "o365-e2e-secret-never-shown-5e2a";
    private static final ObjectMapper JSON = new ObjectMapper();

    O365Pipeline(Path dir, ActivityFeedStandIn api) throws Exception {
        super(dir, providers(dir, api), "o365", STREAM, Instant.now().truncatedTo(ChronoUnit.SECONDS),
                List.of(seedRuleDir(dir)));
    }

    private static String providers(Path dir, ActivityFeedStandIn api) throws IOException {
        Path secret = dir.resolve("o365-secret");
        Files.writeString(secret, CLIENT_SECRET + "\n");
        return """
                providers:
                  o365:
                    - name: e2e
                      tenant_id: %s
                      credentials:
                        client_secret: {client_id: %s, secret: "${file:%s}"}
                      content_types: [%s]
                      api_base_url: %s
                      authority_host: %s
                      ca_file: %s
                      settle_lag: 1m
                      rescan_overlap: 30m
                      initial_backfill: 2h
                """.formatted(TENANT, ActivityFeedStandIn.CLIENT_ID, secret, CONTENT_TYPE, api.apiBaseUrl(),
                api.authorityHost(), api.caFile());
    }

    /**
     * A rule directory holding only the shipped seed rule, from this source tree's conf/rules: the
     * distribution's conf comes from the shared Maven repository, where other branches' rule packs
     * may be newer than this daemon.
     */
    static Path seedRuleDir(Path dir) throws java.io.IOException {
        Path tree = AwsPipeline.distDir().toAbsolutePath().getParent().getParent().getParent();
        Path seed = tree.resolve("conf/rules/cloud-account-created.eql");
        Path rules = Files.createDirectories(dir.resolve("rules"));
        Files.copy(seed, rules.resolve(seed.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return rules;
    }

    /** An Audit.AzureActiveDirectory record as the API writes it (CreationTime without zone). */
    static String aadRecord(String id, String operation, Instant time, String actor, String target, String status) {
        ObjectNode r = JSON.createObjectNode();
        r.put("CreationTime", LocalDateTime.ofInstant(time.truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC).toString());
        r.put("Id", id);
        r.put("Operation", operation);
        r.put("OrganizationId", TENANT);
        r.put("RecordType", 8);
        r.put("ResultStatus", status);
        r.put("UserKey", "10032000F2F9FD6B@contoso.onmicrosoft.com");
        r.put("UserType", 0);
        r.put("Version", 1);
        r.put("Workload", "AzureActiveDirectory");
        r.put("ClientIP", "203.0.113.9");
        r.put("ObjectId", target);
        r.put("UserId", actor);
        r.putArray("Actor").addObject().put("ID", actor).put("Type", 5);
        r.put("ActorContextId", TENANT);
        var targets = r.putArray("Target");
        targets.addObject().put("ID", "User_1b8e7b2a-6f4b-4d7e-9a53-2f7d1d3e8c11").put("Type", 2);
        targets.addObject().put("ID", target).put("Type", 5);
        r.put("TargetContextId", TENANT);
        return r.toString();
    }

    static String addUser(String id, Instant time, String actor, String target) {
        return aadRecord(id, "Add user.", time, actor, target, "Success");
    }
}
