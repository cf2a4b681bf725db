package dev.cadet.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;

/**
 * Generated CloudTrail records of the shape and size the service writes (about 1 to 1.5 KB each:
 * userIdentity with session context, request parameters, response elements, TLS details). Record
 * {@code index} of an account is always the same record, so a re-read window yields the same ids.
 * One record in {@link #CREATE_USER_EVERY} is an IAM {@code CreateUser}, which the shipped rule
 * alerts on; no other generated action is one the shipped rules look for.
 */
final class CloudTrailRecords {
    static final int CREATE_USER_EVERY = 1000;

    private static final JsonFactory JSON = new JsonFactory();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    private static final String[] IAM_READS = {"GetUser", "ListRoles", "GetRole", "ListAttachedRolePolicies",
        "GetPolicyVersion", "ListAccessKeys", "GetAccountAuthorizationDetails"};
    private static final String[] USER_AGENTS = {
        "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0-18-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython",
        "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2 exec-env/AWS_Lambda_python3.12",
        "aws-sdk-java/2.25.16 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/123.0.0.0 Safari/537.36",
    };

    private CloudTrailRecords() {
    }

    static boolean isCreateUser(long index) {
        return index % CREATE_USER_EVERY == CREATE_USER_EVERY / 2;
    }

    /** A UUID-shaped id, unique per account and index. */
    static String eventId(String account, long index) {
        long a = Long.parseLong(account);
        return String.format("%08x-%04x-4%03x-8%03x-%012x", (int) (a >>> 8), (int) (a & 0xffff), (int) ((index >>> 48) & 0xfff),
                (int) ((index >>> 36) & 0xfff), index & 0xffffffffffffL);
    }

    /** The IAM event name of record {@code index}: a CreateUser now and then, else IAM reads. */
    static String iamEventName(long index) {
        return isCreateUser(index) ? "CreateUser" : IAM_READS[(int) (index % IAM_READS.length)];
    }

    /** The record as JSON text. {@code iamOnly}: only iam.amazonaws.com events (what LookupEvents returns when filtered on it). */
    static String text(String account, long index, Instant time, boolean iamOnly) {
        StringWriter w = new StringWriter(1600);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            write(g, account, index, time, iamOnly);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** Writes record {@code index} of {@code account} at {@code time}. */
    static void write(JsonGenerator g, String account, long index, Instant time, boolean iamOnly) throws IOException {
        SplittableRandom r = new SplittableRandom(index * 31 + account.hashCode());
        int kind = isCreateUser(index) ? 0 : iamOnly ? 1 : 1 + (int) (index % 4);
        String session = "user" + r.nextInt(40);
        String ip = "198.51.100." + r.nextInt(1, 255);
        String when = TIME.format(time);

        g.writeStartObject();
        g.writeStringField("eventVersion", "1.09");
        g.writeObjectFieldStart("userIdentity");
        g.writeStringField("type", "AssumedRole");
        g.writeStringField("principalId", "AROA4EXAMPLEROLEID42:" + session);
        g.writeStringField("arn", "arn:aws:sts::" + account + ":assumed-role/PlatformOperators/" + session);
        g.writeStringField("accountId", account);
        g.writeStringField("accessKeyId", String.format("ASIA4EXAMPLE%08X", r.nextInt() & 0x7fffffff));
        g.writeObjectFieldStart("sessionContext");
        g.writeObjectFieldStart("sessionIssuer");
        g.writeStringField("type", "Role");
        g.writeStringField("principalId", "AROA4EXAMPLEROLEID42");
        g.writeStringField("arn", "arn:aws:iam::" + account + ":role/PlatformOperators");
        g.writeStringField("accountId", account);
        g.writeStringField("userName", "PlatformOperators");
        g.writeEndObject();
        g.writeObjectFieldStart("attributes");
        g.writeStringField("creationDate", TIME.format(time.minusSeconds(r.nextInt(60, 3600))));
        g.writeStringField("mfaAuthenticated", r.nextBoolean() ? "true" : "false");
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndObject();
        g.writeStringField("eventTime", when);
        switch (kind) {
            case 0, 1 -> iam(g, account, index, r, when);
            case 2 -> ec2(g, r);
            case 3 -> s3(g, account, r);
            default -> sts(g, account, r, session);
        }
        g.writeStringField("awsRegion", "us-east-1");
        g.writeStringField("sourceIPAddress", ip);
        g.writeStringField("userAgent", USER_AGENTS[r.nextInt(USER_AGENTS.length)]);
        g.writeStringField("requestID", eventId(account, index + 0x5000_0000_0000L));
        g.writeStringField("eventID", eventId(account, index));
        g.writeStringField("eventType", "AwsApiCall");
        g.writeBooleanField("managementEvent", kind != 3);
        g.writeStringField("recipientAccountId", account);
        g.writeStringField("eventCategory", kind == 3 ? "Data" : "Management");
        g.writeObjectFieldStart("tlsDetails");
        g.writeStringField("tlsVersion", "TLSv1.3");
        g.writeStringField("cipherSuite", "TLS_AES_128_GCM_SHA256");
        g.writeStringField("clientProvidedHostHeader", kind == 2 ? "ec2.us-east-1.amazonaws.com" : "iam.amazonaws.com");
        g.writeEndObject();
        g.writeStringField("sessionCredentialFromConsole", "false");
        g.writeEndObject();
    }

    private static void iam(JsonGenerator g, String account, long index, SplittableRandom r, String when) throws IOException {
        String name = iamEventName(index);
        boolean create = "CreateUser".equals(name);
        String target = "svc-" + Long.toString(index, 36);
        g.writeStringField("eventSource", "iam.amazonaws.com");
        g.writeStringField("eventName", name);
        g.writeObjectFieldStart("requestParameters");
        if (create) {
            g.writeStringField("userName", target);
            g.writeStringField("path", "/service-accounts/");
            g.writeArrayFieldStart("tags");
            g.writeStartObject();
            g.writeStringField("key", "owner");
            g.writeStringField("value", "team-" + r.nextInt(12));
            g.writeEndObject();
            g.writeEndArray();
        } else {
            g.writeStringField("roleName", "app-role-" + r.nextInt(200));
            g.writeNumberField("maxItems", 100);
        }
        g.writeEndObject();
        if (create) {
            g.writeObjectFieldStart("responseElements");
            g.writeObjectFieldStart("user");
            g.writeStringField("path", "/service-accounts/");
            g.writeStringField("userName", target);
            g.writeStringField("userId", String.format("AIDA4EXAMPLE%08X", r.nextInt() & 0x7fffffff));
            g.writeStringField("arn", "arn:aws:iam::" + account + ":user/service-accounts/" + target);
            g.writeStringField("createDate", when);
            g.writeEndObject();
            g.writeEndObject();
        } else {
            g.writeNullField("responseElements");
        }
        g.writeBooleanField("readOnly", !create);
    }

    private static void ec2(JsonGenerator g, SplittableRandom r) throws IOException {
        g.writeStringField("eventSource", "ec2.amazonaws.com");
        g.writeStringField("eventName", "DescribeInstances");
        g.writeObjectFieldStart("requestParameters");
        g.writeObjectFieldStart("instancesSet");
        g.writeArrayFieldStart("items");
        for (int i = 0; i < 2; i++) {
            g.writeStartObject();
            g.writeStringField("instanceId", String.format("i-%017x", r.nextLong() & 0xfffffffffffffffL));
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("filterSet");
        g.writeArrayFieldStart("items");
        g.writeStartObject();
        g.writeStringField("name", "instance-state-name");
        g.writeObjectFieldStart("valueSet");
        g.writeArrayFieldStart("items");
        g.writeStartObject();
        g.writeStringField("value", "running");
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
        g.writeEndArray();
        g.writeEndObject();
        g.writeEndObject();
        g.writeNullField("responseElements");
        g.writeBooleanField("readOnly", true);
    }

    private static void s3(JsonGenerator g, String account, SplittableRandom r) throws IOException {
        String bucket = "acme-logs-" + account;
        String key = "app/2026/11/20/part-" + r.nextInt(100000) + ".json.gz";
        g.writeStringField("eventSource", "s3.amazonaws.com");
        g.writeStringField("eventName", "GetObject");
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("bucketName", bucket);
        g.writeStringField("Host", bucket + ".s3.us-east-1.amazonaws.com");
        g.writeStringField("key", key);
        g.writeEndObject();
        g.writeNullField("responseElements");
        g.writeObjectFieldStart("additionalEventData");
        g.writeStringField("SignatureVersion", "SigV4");
        g.writeNumberField("bytesTransferredIn", 0);
        g.writeNumberField("bytesTransferredOut", r.nextInt(1, 5_000_000));
        g.writeStringField("AuthenticationMethod", "AuthHeader");
        g.writeEndObject();
        g.writeArrayFieldStart("resources");
        g.writeStartObject();
        g.writeStringField("type", "AWS::S3::Object");
        g.writeStringField("ARN", "arn:aws:s3:::" + bucket + "/" + key);
        g.writeEndObject();
        g.writeStartObject();
        g.writeStringField("accountId", account);
        g.writeStringField("type", "AWS::S3::Bucket");
        g.writeStringField("ARN", "arn:aws:s3:::" + bucket);
        g.writeEndObject();
        g.writeEndArray();
        g.writeBooleanField("readOnly", true);
    }

    private static void sts(JsonGenerator g, String account, SplittableRandom r, String session) throws IOException {
        String role = "arn:aws:iam::" + account + ":role/app-role-" + r.nextInt(200);
        g.writeStringField("eventSource", "sts.amazonaws.com");
        g.writeStringField("eventName", "AssumeRole");
        g.writeObjectFieldStart("requestParameters");
        g.writeStringField("roleArn", role);
        g.writeStringField("roleSessionName", session + "-" + r.nextInt(1000));
        g.writeNumberField("durationSeconds", 3600);
        g.writeEndObject();
        g.writeObjectFieldStart("responseElements");
        g.writeObjectFieldStart("credentials");
        g.writeStringField("accessKeyId", String.format("ASIA4EXAMPLE%08X", r.nextInt() & 0x7fffffff));
        g.writeStringField("sessionToken", "IQoJb3JpZ2luX2VjEXAMPLETOKEN" + Long.toHexString(r.nextLong()));
        g.writeStringField("expiration", "Nov 20, 2026, 11:00:00 AM");
        g.writeEndObject();
        g.writeObjectFieldStart("assumedRoleUser");
        g.writeStringField("assumedRoleId", "AROA4EXAMPLEAPPROLE:" + session);
        g.writeStringField("arn", "arn:aws:sts::" + account + ":assumed-role/app-role/" + session);
        g.writeEndObject();
        g.writeEndObject();
        g.writeArrayFieldStart("resources");
        g.writeStartObject();
        g.writeStringField("accountId", account);
        g.writeStringField("type", "AWS::IAM::Role");
        g.writeStringField("ARN", role);
        g.writeEndObject();
        g.writeEndArray();
        g.writeBooleanField("readOnly", true);
    }
}
