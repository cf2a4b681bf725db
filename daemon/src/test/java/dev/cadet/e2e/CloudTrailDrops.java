package dev.cadet.e2e;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.cadet.alert.Alert;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

/**
 * Generated CloudTrail S3 log files ({@code {"Records":[...]}}) dropped into the daemon's drop
 * folder, and the alerts they must give. Three records in ten are a successful {@code CreateUser}
 * (one alert of the shipped {@value #RULE_ID} rule, a sequence of one, so its alert id is
 * {@code Alert.idOf(rule, [eventID])}); one in ten a {@code CreateUser} denied with an error code
 * (no alert); the rest read-only calls (no alert). Every record has its own eventID. (Far more
 * account creations than real trails have: the forwarder must have plenty to do when a kill comes.)
 *
 * <p>A file is written under a dot-name, which the drop folder never reads, and renamed into place,
 * as rsync and S3 sync tools do, so the daemon never sees half a file.
 */
final class CloudTrailDrops {
    static final String RULE_ID = "cloud-account-created";
    static final String ACCOUNT = "111122223333";
    private static final String[][] READ_ONLY = {
            {"iam.amazonaws.com", "ListUsers"},
            {"iam.amazonaws.com", "GetUser"},
            {"ec2.amazonaws.com", "DescribeInstances"},
            {"sts.amazonaws.com", "GetCallerIdentity"},
            {"s3.amazonaws.com", "ListBuckets"},
    };

    private final Path folder;
    private final Random random;
    private final JsonFactory json = new JsonFactory();
    private final Instant baseTime = Instant.now().minus(30, ChronoUnit.MINUTES).truncatedTo(ChronoUnit.SECONDS);
    /** alert id -> the CreateUser eventID it must carry. */
    private final Map<String, String> expected = new LinkedHashMap<>();
    /** alert id -> the created user's name. */
    private final Map<String, String> createdUser = new LinkedHashMap<>();
    private int files;
    private long records;

    CloudTrailDrops(Path folder, Random random) {
        this.folder = folder;
        this.random = random;
    }

    /** Writes one file of {@code count} records and renames it into the drop folder. */
    Path drop(int count) throws IOException {
        int fileNo = files++;
        String name = String.format("%s_CloudTrail_us-east-1_%04d.json", ACCOUNT, fileNo);
        Path partial = folder.resolve("." + name + ".part");
        try (OutputStream out = Files.newOutputStream(partial); JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("Records");
            for (int i = 0; i < count; i++) {
                record(g, fileNo, i);
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        Path target = folder.resolve(name);
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }

    private void record(JsonGenerator g, int fileNo, int i) throws IOException {
        String eventId = new UUID(random.nextLong(), random.nextLong()).toString();
        Instant time = baseTime.plusMillis(records++ * 37);
        boolean denied = i % 10 == 5;
        boolean createUser = denied || i % 10 == 0 || i % 10 == 3 || i % 10 == 7;
        String target = "crash-" + fileNo + "-" + i;
        g.writeStartObject();
        g.writeStringField("eventVersion", "1.09");
        g.writeObjectFieldStart("userIdentity");
        g.writeStringField("type", "IAMUser");
        g.writeStringField("principalId", "AIDAEXAMPLEADMIN0001");
        g.writeStringField("arn", "arn:aws:iam::" + ACCOUNT + ":user/admin");
        g.writeStringField("accountId", ACCOUNT);
        g.writeStringField("userName", "admin");
        g.writeEndObject();
        g.writeStringField("eventTime", time.toString());
        if (createUser) {
            g.writeStringField("eventSource", "iam.amazonaws.com");
            g.writeStringField("eventName", "CreateUser");
        } else {
            String[] call = READ_ONLY[random.nextInt(READ_ONLY.length)];
            g.writeStringField("eventSource", call[0]);
            g.writeStringField("eventName", call[1]);
        }
        g.writeStringField("awsRegion", "us-east-1");
        g.writeStringField("sourceIPAddress", "203.0.113." + (1 + random.nextInt(250)));
        g.writeStringField("userAgent", "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64");
        if (createUser) {
            g.writeObjectFieldStart("requestParameters");
            g.writeStringField("userName", target);
            g.writeEndObject();
            if (denied) {
                g.writeStringField("errorCode", "AccessDenied");
                g.writeStringField("errorMessage", "User: arn:aws:iam::" + ACCOUNT
                        + ":user/admin is not authorized to perform: iam:CreateUser");
                g.writeNullField("responseElements");
            } else {
                g.writeObjectFieldStart("responseElements");
                g.writeObjectFieldStart("user");
                g.writeStringField("path", "/");
                g.writeStringField("userName", target);
                g.writeStringField("arn", "arn:aws:iam::" + ACCOUNT + ":user/" + target);
                g.writeEndObject();
                g.writeEndObject();
            }
        } else {
            g.writeNullField("requestParameters");
            g.writeNullField("responseElements");
        }
        g.writeStringField("requestID", new UUID(random.nextLong(), random.nextLong()).toString());
        g.writeStringField("eventID", eventId);
        g.writeBooleanField("readOnly", !createUser);
        g.writeStringField("eventType", "AwsApiCall");
        g.writeBooleanField("managementEvent", true);
        g.writeStringField("recipientAccountId", ACCOUNT);
        g.writeEndObject();
        if (createUser && !denied) {
            String alertId = Alert.idOf(RULE_ID, List.of(eventId));
            expected.put(alertId, eventId);
            createdUser.put(alertId, target);
        }
    }

    /** Alert id -> the eventID of its CreateUser record, for every file dropped so far. */
    Map<String, String> expectedAlerts() {
        return Collections.unmodifiableMap(expected);
    }

    String createdUser(String alertId) {
        return createdUser.get(alertId);
    }

    int files() {
        return files;
    }

    long records() {
        return records;
    }
}
