package dev.cadet.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.collector.Event;
import dev.cadet.collector.FieldPath;
import dev.cadet.collector.RawView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generated normalized events for the engine benchmark, as the five providers emit them (ECS fields
 * plus a raw view), in event-time order over one day. Each account belongs to one provider. The mix:
 * about 88.6% everyday read actions no rule looks at, 10% a long tail of write actions (which the
 * generated rules pick from), 1% creations of accounts (some failed), and follow-ups that complete or
 * nearly complete the shipped chains (some beyond the maxspan, some with a non-admin policy or role).
 *
 * <p>The raw record behind each event is a small JSON tree shared by the events of one kind (dataset,
 * action, variant): a rule's raw-path lookups cost what they cost on a provider's own tree, without a
 * million trees in the heap.
 */
final class EngineEvents {
    static final String AWS = "aws.cloudtrail";
    static final String AZURE = "azure.auditlogs";
    static final String O365 = "o365.audit";
    static final String GWS = "google_workspace.admin";
    static final String GCP = "gcp.audit";
    static final List<String> DATASETS = List.of(AWS, AZURE, O365, GWS, GCP);
    static final Instant START = Instant.parse("2026-11-20T00:00:00Z");
    static final long DAY_MILLIS = 24L * 3600 * 1000;

    static final String GLOBAL_ADMIN = "62e90394-69f5-4237-9190-012177145e10";
    static final String GLOBAL_READER = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
    static final String ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess";
    static final String READONLY_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess";
    static final String STAR_POLICY = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}";

    private static final Map<String, List<String>> HOT = Map.of(
            AWS, List.of("DescribeInstances", "GetObject", "ListBuckets", "AssumeRole", "GetCallerIdentity", "DescribeVolumes",
                    "ListUsers", "GetUser", "DescribeSecurityGroups", "LookupEvents", "Decrypt", "GenerateDataKey",
                    "DescribeLogGroups", "GetBucketAcl", "ListRoles", "DescribeSubnets", "GetParameter", "ConsoleLogin"),
            AZURE, List.of("Update user", "Update device", "Add registered owner to device", "Update application",
                    "Update service principal", "Change user password", "Reset user password", "Update policy",
                    "Add owner to group", "Update group"),
            O365, List.of("UserLoggedIn", "FileAccessed", "MailItemsAccessed", "FileModified", "Send", "FilePreviewed",
                    "Update user.", "Set-Mailbox", "SearchQueryPerformed", "MessageSent"),
            GWS, List.of("CHANGE_PASSWORD", "LOGIN_SUCCESS", "CHANGE_USER_ORGANIZATION", "SUSPEND_USER", "UPDATE_GROUP",
                    "CHANGE_APPLICATION_SETTING", "TOGGLE_SERVICE_ENABLED", "CREATE_GROUP", "ADD_GROUP_MEMBER"),
            GCP, List.of("GetIamPolicy", "ListInstances", "GetObject", "ListServiceAccounts", "GetBucket", "ListBuckets",
                    "compute.instances.list", "GetProject", "ListLogEntries"));

    private static final List<String> VERBS = List.of("Put", "Update", "Delete", "Modify", "Enable", "Disable", "Set", "Tag",
            "Untag", "Start", "Stop", "Register", "Deregister", "Associate", "Disassociate", "Reset", "Restore", "Replace",
            "Import", "Export");
    private static final List<String> NOUNS = List.of("Bucket", "Instance", "Volume", "Snapshot", "Vpc", "Subnet",
            "SecurityGroupRule", "RouteTable", "Gateway", "Endpoint", "LoadBalancer", "TargetGroup", "Listener", "Cluster",
            "Nodegroup", "Function", "Layer", "Queue", "Topic", "Subscription", "Table", "Stream", "Trail", "Detector",
            "Finding", "Key", "Alias", "Secret", "Parameter", "Certificate", "Distribution", "Cache", "Database",
            "DbSnapshot", "Repository", "Image", "Pipeline", "Build", "Deployment", "Stack", "Template", "Domain",
            "Record", "HostedZone", "Budget", "Dashboard", "Alarm", "Metric", "LogGroup", "LogStream", "Filter",
            "Rule", "Schedule", "Workflow", "Job", "Crawler", "Notebook", "Model", "Application", "Environment",
            "Workspace", "Directory", "Share", "FileSystem", "MountTarget", "Backup", "Vault", "Plan", "Selection",
            "Webhook", "Connection", "Peering", "Attachment", "Firewall");

    /** The tail of write actions of each dataset: 20 verbs x 75 nouns, spelled the provider's way. */
    static final Map<String, List<String>> TAIL = tails();

    final List<Event> events;
    /** How many events of each kind were generated (for the report). */
    final Map<String, Integer> kinds = new HashMap<>();

    private final SplittableRandom random;
    private final String[] accountIds;
    private final String[] accountDatasets;
    private final Map<String, RawView> raws = new HashMap<>();
    private final long[] times;
    private int serial;
    private long nextId;

    private EngineEvents(int count, int accounts, long seed) {
        random = new SplittableRandom(seed);
        accountIds = new String[accounts];
        accountDatasets = new String[accounts];
        for (int a = 0; a < accounts; a++) {
            double p = random.nextDouble();
            String ds = p < 0.40 ? AWS : p < 0.60 ? AZURE : p < 0.75 ? O365 : p < 0.85 ? GWS : GCP;
            accountDatasets[a] = ds;
            accountIds[a] = switch (ds) {
                case AWS -> String.format("%012d", 100_000_000_000L + a);
                case AZURE, O365 -> String.format("6f1c2a4e-%04x-4000-8000-%012x", a % 0x10000, (long) a);
                case GWS -> String.format("C0%07x", a);
                default -> "proj-" + Integer.toString(a, 36) + "-prod";
            };
        }
        times = new long[count];
        for (int i = 0; i < count; i++) {
            times[i] = random.nextLong(DAY_MILLIS);
        }
        Arrays.sort(times);
        events = new ArrayList<>(count);
    }

    /**
     * {@code count} events (exactly) over {@code accounts} accounts, in event-time order, always the
     * same for the same arguments.
     */
    static EngineEvents generate(int count, int accounts, long seed) {
        EngineEvents g = new EngineEvents(count, accounts, seed);
        g.fill(count);
        return g;
    }

    /**
     * {@code count} successful {@code CreateUser} events in AWS accounts, each for a different user,
     * {@code spacingMillis} apart: the first step of the AWS user chains, never completed.
     */
    static List<Event> creationsOnly(int count, int accounts, long spacingMillis) {
        EngineEvents g = new EngineEvents(0, accounts, 7);
        List<Event> out = new ArrayList<>(count);
        int[] aws = java.util.stream.IntStream.range(0, accounts).filter(a -> g.accountDatasets[a].equals(AWS)).toArray();
        for (int i = 0; i < count; i++) {
            out.add(g.event(aws[i % aws.length], i * spacingMillis, "CreateUser", "admin0", "partial-" + i, false, Map.of()));
        }
        return out;
    }

    private record Pending(long time, Event event) {
    }

    private void fill(int count) {
        // creations and their follow-ups first (their times drawn from the sorted times), then everyday noise
        List<Pending> all = new ArrayList<>(count);
        int creations = count / 100;
        for (int c = 0; c < creations && all.size() < count - 4; c++) {
            long t = times[random.nextInt(times.length)];
            creation(t, all);
        }
        while (all.size() < count) {
            long t = times[random.nextInt(times.length)];
            all.add(new Pending(t, noise(t)));
        }
        all.sort((a, b) -> Long.compare(a.time, b.time));
        for (int i = 0; i < count; i++) {
            events.add(inMemoryOrder(all.get(i).event));
        }
    }

    /**
     * The event built again, so that events lie in memory in the order they are processed, each with
     * its own String objects next to it, as a provider's normalizer allocates them record by record
     * while it parses a page (drawn in random order and sorted, they would be scattered over the heap
     * and every read a cache miss no poll pays). {@code new String(s)} shares the characters of
     * {@code s}: those of the generator's vocabulary (actions, actors, user agents) stay in the CPU
     * cache, as a page's characters are right after it was parsed, while the objects are read cold.
     * (With characters of their own as well, read cold too, reading memory dominates: see the bench
     * README for those figures.) The dataset and cloud provider stay shared: the normalizers set them
     * from constants.
     */
    private static Event inMemoryOrder(Event e) {
        Event.Builder b = Event.builder(new String(e.id()), e.timestamp(), e.raw());
        e.fields().forEach((name, value) -> {
            boolean constant = name.equals(Event.DATASET) || name.equals(Event.CLOUD_PROVIDER);
            b.put(name, constant ? value : ownCopy(value));
        });
        return b.build();
    }

    private static Object ownCopy(Object value) {
        if (value instanceof String s) {
            return new String(s);
        }
        if (value instanceof List<?> list) {
            return list.stream().map(EngineEvents::ownCopy).toList();
        }
        return value;
    }

    private Event noise(long t) {
        int a = random.nextInt(accountIds.length);
        String ds = accountDatasets[a];
        String action;
        if (random.nextDouble() < 0.10 / 0.986) {
            List<String> tail = TAIL.get(ds);
            action = tail.get(random.nextInt(tail.size()));
            count("tail");
        } else {
            List<String> hot = HOT.get(ds);
            // Zipf-like: the first few reads dominate
            action = hot.get((int) Math.min(hot.size() - 1, Math.floor(-Math.log(1 - random.nextDouble()) * 3)));
            count("read");
        }
        boolean failed = random.nextDouble() < 0.03;
        return event(a, t, action, "user" + random.nextInt(20), null, failed, Map.of());
    }

    private void count(String kind) {
        kinds.merge(kind, 1, Integer::sum);
    }

    /** One creation (1 in 20 failed) and, for some, the follow-ups of a chain within or beyond its maxspan. */
    private void creation(long t, List<Pending> out) {
        int a = random.nextInt(accountIds.length);
        String ds = accountDatasets[a];
        String actor = "admin" + random.nextInt(3);
        String target = "new-" + Integer.toString(serial++, 36);
        boolean failed = random.nextDouble() < 0.05;
        boolean follow = !failed && random.nextDouble() < 0.4;
        count(failed ? "creation_failed" : "creation");
        // follow-ups 10 s .. 25 min later: most inside the maxspan, some beyond the 10/15-minute ones
        long later = t + 10_000 + random.nextLong(25 * 60_000);
        double v = random.nextDouble();
        switch (ds) {
            case AWS -> {
                if (random.nextDouble() < 0.65) {
                    add(out, t, event(a, t, "CreateUser", actor, target, failed, Map.of()));
                    if (follow) {
                        count("follow_up");
                        if (v < 0.35) {
                            add(out, later, event(a, later, v < 0.2 ? "CreateAccessKey" : "CreateLoginProfile", actor, target, false, Map.of()));
                        } else if (v < 0.7) {
                            add(out, later, event(a, later, "AttachUserPolicy", actor, target, false,
                                    Map.of("aws.cloudtrail.request_parameters.policy_arn", v < 0.55 ? ADMIN_POLICY : READONLY_POLICY)));
                        } else if (v < 0.85) {
                            add(out, later, event(a, later, "AddUserToGroup", actor, target, false,
                                    Map.of("aws.cloudtrail.request_parameters.group_name", v < 0.78 ? "Admins" : "developers")));
                        } else {
                            add(out, later, event(a, later, "PutUserPolicy", actor, target, false, Map.of("policy", "star")));
                        }
                    }
                } else {
                    String role = random.nextDouble() < 0.8 ? "CreateRole" : "CreateServiceLinkedRole";
                    add(out, t, event(a, t, role, actor, target, failed, Map.of()));
                    if (follow && role.equals("CreateRole")) {
                        count("follow_up");
                        add(out, later, event(a, later, "AttachRolePolicy", actor, target, false,
                                Map.of("aws.cloudtrail.request_parameters.policy_arn", v < 0.6 ? ADMIN_POLICY : READONLY_POLICY)));
                    }
                }
            }
            case AZURE -> {
                if (random.nextDouble() < 0.6) {
                    add(out, t, event(a, t, "Add user", actor, target, failed, Map.of()));
                    if (follow) {
                        count("follow_up");
                        add(out, later, event(a, later, v < 0.7 ? "Add member to role" : "Add eligible member to role in PIM completed (permanent)",
                                actor, target, false, Map.of("azure.auditlogs.properties.role.template_id", v < 0.5 ? GLOBAL_ADMIN : GLOBAL_READER)));
                    }
                } else {
                    // the AADInternals chain: application, service principal, credentials, by one initiator
                    String app = "app-" + target;
                    add(out, t, event(a, t, "Add application", actor, app, failed, Map.of()));
                    if (follow) {
                        count("follow_up");
                        long sp = t + 2_000 + random.nextLong(60_000);
                        add(out, sp, event(a, sp, "Add service principal", actor, app, false, Map.of()));
                        long cred = sp + (later - t) / 2;
                        add(out, cred, event(a, cred, v < 0.5 ? "Add service principal credentials"
                                : "Update application \u2013 Certificates and secrets management ", actor, app, false, Map.of()));
                    }
                }
            }
            case O365 -> {
                add(out, t, event(a, t, "Add user.", actor, target, failed, Map.of()));
                if (follow) {
                    count("follow_up");
                    add(out, later, event(a, later, "Add member to role.", actor, target, false,
                            Map.of("o365.audit.ModifiedProperties.Role_TemplateId.NewValue", v < 0.6 ? GLOBAL_ADMIN : GLOBAL_READER)));
                }
            }
            case GWS -> {
                if (failed) {
                    // Workspace logs no failed creations: a plain noise event instead
                    add(out, t, event(a, t, "CHANGE_PASSWORD", actor, target, false, Map.of()));
                    return;
                }
                add(out, t, event(a, t, "CREATE_USER", actor, target, false, Map.of()));
                if (follow) {
                    count("follow_up");
                    add(out, later, event(a, later, v < 0.7 ? "ASSIGN_ROLE" : "GRANT_ADMIN_PRIVILEGE", actor, target, false,
                            Map.of("google_workspace.admin.role.name", "_SEED_ADMIN_ROLE")));
                }
            }
            default -> {
                String sa = target + "@" + accountIds[a] + ".iam.gserviceaccount.com";
                add(out, t, event(a, t, "CreateServiceAccount", actor, sa, failed, Map.of()));
                if (follow) {
                    count("follow_up");
                    add(out, later, event(a, later, v < 0.8 ? "CreateServiceAccountKey" : "UploadServiceAccountKey", actor, sa, false, Map.of()));
                }
            }
        }
    }

    private static void add(List<Pending> out, long time, Event e) {
        out.add(new Pending(time, e));
    }

    /** One normalized event of account {@code a}, as that account's provider would emit it. */
    Event event(int a, long t, String action, String actor, String target, boolean failed, Map<String, String> extra) {
        String ds = accountDatasets[a];
        String account = accountIds[a];
        Instant ts = START.plusMillis(t);
        String id = String.format("%08x-%s", nextId++, Long.toString(t, 36));
        boolean star = "star".equals(extra.get("policy"));
        Event.Builder b = Event.builder(id, ts, raw(ds, action, failed, star))
                .put(Event.DATASET, ds)
                .put(Event.ACTION, action)
                .put(Event.ACCOUNT_ID, account)
                .put(Event.OUTCOME, failed ? "failure" : "success")
                .put(Event.SOURCE_IP, "198.51.100." + (t % 250))
                .put(Event.TARGET_NAME, target);
        switch (ds) {
            case AWS -> {
                b.put(Event.CLOUD_PROVIDER, "aws").put(Event.PROVIDER, awsProvider(action)).put(Event.REGION, "us-east-1")
                        .put(Event.USER_NAME, actor).put(Event.USER_ID, "AIDA" + account.substring(4) + actor)
                        .put(Event.USER_AGENT, "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64")
                        .put("aws.cloudtrail.user_identity.type", "IAMUser")
                        .put("aws.cloudtrail.event_type", "AwsApiCall");
                if (failed) {
                    b.put(Event.ERROR_CODE, "AccessDenied").put("error.message", "User is not authorized to perform this operation");
                }
            }
            case AZURE -> b.put(Event.CLOUD_PROVIDER, "azure").put(Event.PROVIDER, "Core Directory")
                    .put(Event.USER_NAME, actor + "@contoso.onmicrosoft.com")
                    .put("azure.auditlogs.operation_name", action)
                    .put("azure.auditlogs.result", failed ? "failure" : "success")
                    .put(Event.USER_AGENT, "Mozilla/5.0 (Windows NT 10.0; Win64; x64)");
            case O365 -> b.put(Event.CLOUD_PROVIDER, "azure").put(Event.PROVIDER, "AzureActiveDirectory")
                    .put(Event.USER_NAME, actor + "@contoso.onmicrosoft.com")
                    .put("o365.audit.workload", "AzureActiveDirectory")
                    .put("o365.audit.result_status", failed ? "Failure" : "Success");
            case GWS -> b.put(Event.CLOUD_PROVIDER, "google_workspace").put(Event.PROVIDER, "admin")
                    .put(Event.USER_NAME, actor + "@example.com")
                    .put("google_workspace.actor.type", "USER")
                    .put("google_workspace.event.type", "USER_SETTINGS");
            default -> b.put(Event.CLOUD_PROVIDER, "gcp").put(Event.PROVIDER, "iam.googleapis.com")
                    .put(Event.USER_NAME, actor + "@example.com")
                    .put("gcp.audit.method_name", "google.iam.admin.v1." + action)
                    .put("gcp.audit.service_name", "iam.googleapis.com")
                    .put("cloud.project.id", account);
        }
        extra.forEach((k, v) -> {
            if (!k.equals("policy")) {
                b.put(k, v);
            }
        });
        return b.build();
    }

    private static String awsProvider(String action) {
        if (action.contains("User") || action.contains("Role") || action.contains("AccessKey")
                || action.contains("LoginProfile") || action.contains("Group") || action.contains("MFA")) {
            return "iam.amazonaws.com";
        }
        if (action.contains("Bucket") || action.equals("GetObject")) {
            return "s3.amazonaws.com";
        }
        return "ec2.amazonaws.com";
    }

    /** The shared raw tree of a kind of record: what a provider's own view would answer for its paths. */
    private RawView raw(String ds, String action, boolean failed, boolean starPolicy) {
        return raws.computeIfAbsent(ds + "|" + action + "|" + failed + "|" + starPolicy, k -> {
            ObjectNode root = Report.JSON.createObjectNode();
            switch (ds) {
                case AWS -> {
                    root.put("eventVersion", "1.09").put("eventSource", awsProvider(action)).put("eventName", action)
                            .put("awsRegion", "us-east-1");
                    root.putObject("userIdentity").put("type", "IAMUser").put("arn", "arn:aws:iam::111122223333:user/admin");
                    ObjectNode params = root.putObject("requestParameters").put("userName", "target");
                    if (starPolicy) {
                        params.put("policyName", "inline").put("policyDocument", STAR_POLICY);
                    }
                    if (failed) {
                        root.put("errorCode", "AccessDenied");
                    }
                }
                case AZURE -> {
                    root.put("activityDisplayName", action).put("category", "UserManagement").put("result", failed ? "failure" : "success");
                    root.putObject("initiatedBy").putObject("user").put("userPrincipalName", "admin@contoso.onmicrosoft.com");
                    root.putArray("targetResources").addObject().put("type", "User");
                }
                case O365 -> root.put("Operation", action).put("Workload", "AzureActiveDirectory").put("RecordType", 8)
                        .put("ResultStatus", failed ? "Failure" : "Success");
                case GWS -> {
                    root.putObject("id").put("applicationName", "admin");
                    root.putArray("events").addObject().put("type", "USER_SETTINGS").put("name", action);
                }
                default -> {
                    ObjectNode p = root.putObject("protoPayload");
                    p.put("methodName", "google.iam.admin.v1." + action).put("serviceName", "iam.googleapis.com");
                    p.putObject("status").put("code", failed ? 7 : 0);
                }
            }
            return new TreeRawView(root);
        });
    }

    private static Map<String, List<String>> tails() {
        Map<String, List<String>> out = new HashMap<>();
        for (String ds : DATASETS) {
            List<String> names = new ArrayList<>(VERBS.size() * NOUNS.size());
            for (String verb : VERBS) {
                for (String noun : NOUNS) {
                    names.add(switch (ds) {
                        case AWS -> verb + noun;
                        case AZURE -> verb + " " + noun.toLowerCase();
                        case O365 -> verb + "-" + noun;
                        case GWS -> (verb + "_" + noun).toUpperCase();
                        default -> "google.cloud.v1." + verb + noun;
                    });
                }
            }
            out.put(ds, List.copyOf(names));
        }
        return Map.copyOf(out);
    }

    /** Read access by dotted path over a JSON tree, with the providers' answers (scalars, lists of scalars, null), paths split once as the providers' views do. */
    static final class TreeRawView implements RawView {
        private final JsonNode root;

        TreeRawView(JsonNode root) {
            this.root = root;
        }

        @Override
        public Object get(String dottedPath) {
            return get(FieldPath.of(dottedPath));
        }

        @Override
        public Object get(FieldPath path) {
            JsonNode node = root;
            for (int i = 0; i < path.size(); i++) {
                if (node == null) {
                    return null;
                }
                String step = path.step(i);
                node = node.isObject() ? node.get(step)
                        : node.isArray() && !step.isEmpty() && step.chars().allMatch(Character::isDigit) ? node.get(Integer.parseInt(step))
                        : null;
            }
            if (node == null || node.isContainerNode() || node.isNull()) {
                return null;
            }
            return node.isTextual() ? node.textValue() : node.isIntegralNumber() ? (Object) node.longValue()
                    : node.isNumber() ? (Object) node.doubleValue() : node.isBoolean() ? (Object) node.booleanValue() : null;
        }

        @Override
        public String json() {
            return root.toString();
        }
    }
}
