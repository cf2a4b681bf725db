package dev.cadet.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.poll.FakeClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * The host's real pipeline for one {@code providers.aws} entry ({@link OneStreamPipeline}) with the
 * shipped rules ({@code cadet.dist.dir}/conf/rules). The AWS plugin's real SDK client talks to a
 * {@link LookupEventsStandIn}. The {@link FakeClock} stands for the server's clock as well: the
 * CloudTrail source does not measure skew, so its {@code serverNow} is plain "now".
 */
final class AwsPipeline extends OneStreamPipeline {
    static final String ACCOUNT = "111122223333";
    static final String STREAM = "aws/" + ACCOUNT + "/us-east-1";
    static final String RULE = "cloud-account-created";
    static final String ACCESS_KEY_ID = "AKIDE2ESTANDIN00001";
    static final String SECRET_ACCESS_KEY = "e2e-secret-never-shown-8c1d";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** @param dir a temp directory: the store file and the secret files go there */
    AwsPipeline(Path dir, LookupEventsStandIn cloudTrail, Instant start) throws Exception {
        super(dir, providers(dir, cloudTrail), "aws", STREAM, start, List.of(distDir().resolve("conf/rules")));
    }

    private static String providers(Path dir, LookupEventsStandIn cloudTrail) throws IOException {
        Path keyId = dir.resolve("aws-key-id");
        Path secret = dir.resolve("aws-secret");
        Files.writeString(keyId, ACCESS_KEY_ID + "\n");
        Files.writeString(secret, SECRET_ACCESS_KEY + "\n");
        return """
                providers:
                  aws:
                    - name: e2e
                      accounts: [{id: "%s"}]
                      regions: [us-east-1]
                      endpoint: %s
                      credentials:
                        static:
                          access_key_id: ${file:%s}
                          secret_access_key: ${file:%s}
                      settle_lag: 1m
                      rescan_overlap: 30m
                      max_window: 6h
                      initial_backfill: 2h
                """.formatted(ACCOUNT, cloudTrail.endpoint(), keyId, secret);
    }

    /** A CloudTrail IAM record by IAM user {@code actor} on {@code target}, as LookupEvents embeds it. */
    static LookupEventsStandIn.TrailEvent iamEvent(String id, String name, Instant time, String actor, String target,
                                                   String errorCode) {
        ObjectNode r = JSON.createObjectNode();
        r.put("eventVersion", "1.09");
        r.putObject("userIdentity").put("type", "IAMUser").put("principalId", "AIDA" + actor.hashCode())
                .put("arn", "arn:aws:iam::" + ACCOUNT + ":user/" + actor).put("accountId", ACCOUNT).put("userName", actor);
        r.put("eventTime", time.toString());
        r.put("eventSource", "iam.amazonaws.com");
        r.put("eventName", name);
        r.put("awsRegion", "us-east-1");
        r.put("sourceIPAddress", "198.51.100.7");
        r.put("userAgent", "aws-cli/2.15.0");
        r.putObject("requestParameters").put("userName", target);
        if (errorCode != null) {
            r.put("errorCode", errorCode);
            r.put("errorMessage", "failed");
            r.putNull("responseElements");
        } else {
            r.putObject("responseElements").putObject("user").put("userName", target).put("userId", "AIDA" + id.hashCode());
        }
        r.put("eventID", id);
        r.put("eventType", "AwsApiCall");
        r.put("recipientAccountId", ACCOUNT);
        return new LookupEventsStandIn.TrailEvent(id, name, "iam.amazonaws.com", time, r.toString());
    }

    /**
     * A record of Atomic Red Team's T1136.003 test 3 as the seed card describes its signal: an assumed
     * role creates {@code df00tech-atomic-test-user} ({@code CreateUser}, the new user's ARN in the
     * response) or an access key for it ({@code CreateAccessKey}), from one source address.
     */
    static LookupEventsStandIn.TrailEvent atomicTest3(String id, String name, Instant time) {
        String user = "df00tech-atomic-test-user";
        ObjectNode r = JSON.createObjectNode();
        r.put("eventVersion", "1.09");
        ObjectNode identity = r.putObject("userIdentity").put("type", "AssumedRole").put("principalId", "AROAE2EATOMIC:atomic")
                .put("arn", "arn:aws:sts::" + ACCOUNT + ":assumed-role/AtomicRunner/atomic").put("accountId", ACCOUNT);
        identity.putObject("sessionContext").putObject("sessionIssuer").put("type", "Role").put("principalId", "AROAE2EATOMIC")
                .put("arn", "arn:aws:iam::" + ACCOUNT + ":role/AtomicRunner").put("accountId", ACCOUNT).put("userName", "AtomicRunner");
        r.put("eventTime", time.toString());
        r.put("eventSource", "iam.amazonaws.com");
        r.put("eventName", name);
        r.put("awsRegion", "us-east-1");
        r.put("sourceIPAddress", "203.0.113.9");
        r.put("userAgent", "aws-cli/2.15.0 md/command#iam." + name);
        r.putObject("requestParameters").put("userName", user);
        if (name.equals("CreateUser")) {
            r.putObject("responseElements").putObject("user").put("userName", user).put("userId", "AIDAE2EATOMIC3")
                    .put("arn", "arn:aws:iam::" + ACCOUNT + ":user/" + user).put("path", "/");
        } else {
            r.putObject("responseElements").putObject("accessKey").put("userName", user).put("accessKeyId", "AKIAE2EATOMIC3")
                    .put("status", "Active");
        }
        r.put("eventID", id);
        r.put("eventType", "AwsApiCall");
        r.put("recipientAccountId", ACCOUNT);
        return new LookupEventsStandIn.TrailEvent(id, name, "iam.amazonaws.com", time, r.toString());
    }

    static LookupEventsStandIn.TrailEvent createUser(String id, Instant time, String actor, String target) {
        return iamEvent(id, "CreateUser", time, actor, target, null);
    }
}
