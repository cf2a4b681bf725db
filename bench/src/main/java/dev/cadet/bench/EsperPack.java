package dev.cadet.bench;

import com.espertech.esper.common.client.EPCompiled;
import com.espertech.esper.common.client.configuration.Configuration;
import com.espertech.esper.common.client.configuration.compiler.ConfigurationCompilerExecution;
import com.espertech.esper.compiler.client.CompilerArguments;
import com.espertech.esper.compiler.client.EPCompilerProvider;
import com.espertech.esper.runtime.client.EPDeployment;
import com.espertech.esper.runtime.client.EPEventService;
import com.espertech.esper.runtime.client.EPRuntime;
import com.espertech.esper.runtime.client.EPRuntimeProvider;
import com.espertech.esper.runtime.client.EPStatement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.cadet.collector.Event;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped EQL rules written as Esper EPL, statement name = rule id, on event time (external
 * clock: the internal timer is off and the clock is advanced to each event's time before it is sent,
 * so {@code timer:within} is the rule's maxspan on event time). Two runners over the same events:
 * <ul>
 * <li>{@link Runtime#runMaps}, the faithful one: the normalized {@link Event}s the engine reads, each sent as
 * its own unmodifiable {@link Event#fields()} map to the Map event type {@value #ECS}, whose properties
 * are the ECS field names (written {@code event\.action} in EPL: Esper 9 resolves a Map property whose
 * name holds dots only with the dots backslash-escaped, a backtick-quoted {@code `event.action`} is not
 * found). The one raw path a rule reads ({@code requestParameters.policyDocument}, not an ECS field)
 * is read as the engine reads it, by {@link Event#get} ({@link EsperFieldLookup}).
 * <li>{@link Runtime#runBeans}: compact {@link EsperEvent} beans built before timing (conversion excluded).
 * </ul>
 * The EPL is written once, for the beans; {@link #forMap} renames its properties for the Map type.
 *
 * <p>Single-event rules are filters. A chain is a pattern inside a context partitioned by the rule's
 * join keys, {@code every a -> (b and not a') where timer:within(maxspan)}: the {@code not} ends a
 * partial when a newer first step for the same key arrives, which is Elastic's "one partial match per
 * key per step" for the first step. (The 3-step Entra chain keeps it at every step; for it the
 * semantics differ only when a second "Add service principal" arrives before the credentials.)
 * {@code :} (case-insensitive, wildcards) becomes {@code regexp} with {@code (?i)} or a lower-cased
 * {@code in}. The built-in {@code admin-count-above-baseline} rule has no EPL counterpart.
 */
final class EsperPack {
    private static final String E = "EsperEvent";
    /** The Map event type of the faithful runner: properties are the ECS field names the EPL reads. */
    static final String ECS = "EcsEvent";
    private static final String RAW_POLICY_DOCUMENT = "requestParameters.policyDocument";
    /** Bean property name to ECS field name, for every property the EPL reads but the raw path. */
    private static final Map<String, String> ECS_FIELDS = Map.ofEntries(
            Map.entry("dataset", Event.DATASET),
            Map.entry("provider", Event.PROVIDER),
            Map.entry("action", Event.ACTION),
            Map.entry("outcome", Event.OUTCOME),
            Map.entry("errorCode", Event.ERROR_CODE),
            Map.entry("account", Event.ACCOUNT_ID),
            Map.entry("userName", Event.USER_NAME),
            Map.entry("target", Event.TARGET_NAME),
            Map.entry("policyArn", "aws.cloudtrail.request_parameters.policy_arn"),
            Map.entry("azOperation", "azure.auditlogs.operation_name"),
            Map.entry("azResult", "azure.auditlogs.result"),
            Map.entry("azRoleTemplateId", "azure.auditlogs.properties.role.template_id"),
            Map.entry("o365RoleTemplateId", "o365.audit.ModifiedProperties.Role_TemplateId.NewValue"),
            Map.entry("gcpMethod", "gcp.audit.method_name"));
    /** An EPL string literal (kept as is) or an identifier (maybe a bean property). */
    private static final Pattern TOKEN = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|[A-Za-z_][A-Za-z0-9_]*");
    private static final String NOT_FAILED = "(outcome is null or not outcome.equalsIgnoreCase('failure'))";
    private static final Pattern GUID = Pattern.compile("\"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\"");

    static final String SEED = "@name('cloud-account-created') select * from " + E + "("
            + "dataset in ('azure.auditlogs', 'aws.cloudtrail', 'o365.audit') and ("
            + "(dataset = 'azure.auditlogs' and azOperation in ('Add user', 'Add service principal', 'Add application', "
            + "'Add service principal credentials') and azResult = 'success')"
            + " or (dataset = 'aws.cloudtrail' and action in ('CreateUser', 'CreateRole', 'CreateServiceLinkedRole', "
            + "'CreateVirtualMFADevice') and errorCode is null)"
            + " or (dataset = 'o365.audit' and action in ('Add user.', 'New-MsolUser', 'New-AzureADUser'))));\n";

    private EsperPack() {
    }

    /** The EPL of the pack's EQL rules; the privileged role template ids are read from the rule files. */
    static String pack(Path rulesDir) throws IOException {
        String entraRoles = guids(rulesDir.resolve("entra-user-created-then-privileged-role.toml"));
        String o365Roles = guids(rulesDir.resolve("o365-user-created-then-privileged-role.toml"));
        String iam = "dataset = 'aws.cloudtrail' and provider = 'iam.amazonaws.com' and errorCode is null and ";
        String adminArn = "policyArn regexp '(?i)arn:aws.*:iam::.*:policy/(AdministratorAccess|IAMFullAccess|PowerUserAccess)'";
        // the rule's regex~ (Lucene syntax there) in Java's, each backslash doubled for the EPL string literal
        String starDoc = "policyDocument regexp '(?i)(?s).*\"Action\"\\\\s*:\\\\s*(\\\\[[^\\\\]]*)?\"(\\\\*|iam:\\\\*)\".*'";
        String az = "dataset = 'azure.auditlogs' and azResult = 'success' and ";
        StringBuilder epl = new StringBuilder(SEED);
        epl.append("@name('gws-user-created') select * from ").append(E)
                .append("(dataset = 'google_workspace.admin' and action = 'CREATE_USER');\n");
        epl.append("@name('gcp-service-account-created') select * from ").append(E)
                .append("(dataset = 'gcp.audit' and action = 'CreateServiceAccount' and gcpMethod regexp "
                        + "'(?i)google[.]iam[.]admin[.]v.*[.]CreateServiceAccount' and ").append(NOT_FAILED).append(");\n");
        chain(epl, "aws-user-created-then-credentials", "account and target", 15,
                iam + "action = 'CreateUser'",
                iam + "action in ('CreateAccessKey', 'CreateLoginProfile')");
        chain(epl, "aws-user-created-then-admin", "account and target", 60,
                iam + "action = 'CreateUser'",
                iam + "action in ('AttachUserPolicy', 'PutUserPolicy', 'AddUserToGroup') and (action = 'AddUserToGroup' or "
                        + adminArn + " or " + starDoc + ")");
        chain(epl, "aws-role-created-then-admin", "account and target", 60,
                iam + "action = 'CreateRole'",
                iam + "action in ('AttachRolePolicy', 'PutRolePolicy') and (" + adminArn + " or " + starDoc + ")");
        chain(epl, "entra-app-sp-credential-chain", "account and userName", 10,
                az + "azOperation = 'Add application'",
                az + "azOperation = 'Add service principal'",
                az + "(azOperation.toLowerCase() = 'add service principal credentials' or azOperation regexp "
                        + "'(?i)Update application.*Certificates and secrets management.*')");
        chain(epl, "entra-user-created-then-privileged-role", "account and target", 60,
                az + "azOperation = 'Add user'",
                az + "azOperation regexp '(?i)(Add member to role|Add eligible member to role|Add scoped member to role).*'"
                        + " and not azOperation regexp '(?i).*request.*' and azRoleTemplateId.toLowerCase() in (" + entraRoles + ")");
        chain(epl, "o365-user-created-then-privileged-role", "account and target", 90,
                "dataset = 'o365.audit' and action.toLowerCase() = 'add user.' and " + NOT_FAILED,
                "dataset = 'o365.audit' and " + NOT_FAILED + " and action.toLowerCase() in ('add member to role.', "
                        + "'add eligible member to role.', 'add scoped member to role.') and o365RoleTemplateId.toLowerCase() in ("
                        + o365Roles + ")");
        chain(epl, "gws-user-created-then-admin", "account and target", 60,
                "dataset = 'google_workspace.admin' and action = 'CREATE_USER'",
                "dataset = 'google_workspace.admin' and action in ('ASSIGN_ROLE', 'GRANT_ADMIN_PRIVILEGE')");
        chain(epl, "gcp-service-account-created-then-key", "account and target", 60,
                "dataset = 'gcp.audit' and action = 'CreateServiceAccount' and gcpMethod regexp "
                        + "'(?i)google[.]iam[.]admin[.]v.*[.]CreateServiceAccount' and " + NOT_FAILED,
                "dataset = 'gcp.audit' and action in ('CreateServiceAccountKey', 'UploadServiceAccountKey') and gcpMethod regexp "
                        + "'(?i)google[.]iam[.]admin[.]v.*[.](CreateServiceAccountKey|UploadServiceAccountKey)' and " + NOT_FAILED);
        return epl.toString();
    }

    /**
     * A chain rule: a pattern partitioned by the join keys (every later filter requires the first
     * event's key values, which Esper's filter index looks up), where each step waits for its event,
     * ended by a newer event of the step before for the same key (the partial it extends is replaced),
     * all within the maxspan from the first event.
     */
    private static void chain(StringBuilder epl, String id, String keys, int maxspanMinutes, String... steps) {
        StringBuilder sameKey = new StringBuilder();
        for (String k : keys.split(" and ")) {
            sameKey.append(" and ").append(k).append(" = s0.").append(k);
        }
        StringBuilder rest = new StringBuilder();
        for (int i = steps.length - 1; i >= 1; i--) {
            String waitFor = "(s" + i + "=" + E + "(" + steps[i] + sameKey + ") and not " + E + "(" + steps[i - 1] + sameKey + "))";
            rest.insert(0, i == steps.length - 1 ? waitFor : waitFor + " -> (");
            if (i != steps.length - 1) {
                rest.append(")");
            }
        }
        epl.append("@name('").append(id).append("') select * from pattern [every s0=").append(E)
                .append("(").append(steps[0]).append(") -> ((").append(rest).append(") where timer:within(")
                .append(maxspanMinutes).append(" min))];\n");
    }

    private static String guids(Path ruleFile) throws IOException {
        String text = Files.readString(ruleFile);
        Matcher m = GUID.matcher(text.substring(text.indexOf("query")));
        List<String> ids = new ArrayList<>();
        while (m.find()) {
            ids.add("'" + m.group(1) + "'");
        }
        if (ids.isEmpty()) {
            throw new IllegalStateException(ruleFile + ": no role template ids in the query");
        }
        return String.join(", ", ids);
    }

    /**
     * The same EPL for the Map runner: every bean property becomes its ECS field name, escaped with
     * backticks because it contains dots ({@code action} is {@code `event.action`}, {@code s0.account} is
     * {@code s0.`cloud.account.id`}), the raw path becomes {@code eventGet('requestParameters.policyDocument')},
     * and the type is the Map type {@value #ECS}. String literals are left as they are.
     */
    static String forMap(String beanEpl) {
        Matcher m = TOKEN.matcher(beanEpl);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String token = m.group();
            String replacement = token;
            if (token.equals(E)) {
                replacement = ECS;
            } else if (token.equals("policyDocument")) {
                replacement = "eventGet('" + RAW_POLICY_DOCUMENT + "')";
            } else if (ECS_FIELDS.containsKey(token)) {
                replacement = ECS_FIELDS.get(token).replace(".", "\\.");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    static Configuration configuration() {
        Configuration config = new Configuration();
        config.getCommon().addEventType(E, EsperEvent.class);
        Map<String, Object> ecsType = new LinkedHashMap<>();
        ECS_FIELDS.values().forEach(field -> ecsType.put(field, String.class));
        config.getCommon().addEventType(ECS, ecsType);
        config.getCompiler().addPlugInSingleRowFunction("eventGet", EsperFieldLookup.class.getName(), "eventGet");
        config.getRuntime().getThreading().setInternalTimerEnabled(false);
        // Esper 9.0.0's advanced filter-index planning (regexp and boolean expressions in the filter
        // index) fails to remove pattern filters of ended partials ("Could not find the filterCallback
        // to be removed") and then misses matches; the basic planning indexes equality and in-lists only.
        config.getCompiler().getExecution().setFilterIndexPlanning(ConfigurationCompilerExecution.FilterIndexPlanning.BASIC);
        return config;
    }

    static EPCompiled compile(String epl) throws Exception {
        return EPCompilerProvider.getCompiler().compile(epl, new CompilerArguments(configuration()));
    }

    /**
     * One Esper runtime with the EPL deployed, run over the events again and again, as a long-running
     * Esper would be: its generated classes are loaded and compiled by the JIT once, not per round (a
     * fresh runtime per round would charge every round with class loading and compilation). Each run
     * starts its clock {@link #ROUND_GAP} after the previous run's last event, so no partial match
     * carries over, and counts the matches of that run only.
     */
    static final class Runtime implements AutoCloseable {
        /** Longer than any rule's maxspan: partials of one run have expired when the next begins. */
        static final long ROUND_GAP = 10L * 24 * 3600 * 1000;

        private final EPRuntime runtime;
        private final EPEventService service;
        private final Map<String, AtomicLong> counts = new TreeMap<>();
        private long offset;
        private long now;

        Runtime(EPCompiled compiled, String uri) throws Exception {
            runtime = EPRuntimeProvider.getRuntime(uri, configuration());
            runtime.initialize();
            service = runtime.getEventService();
            service.advanceTime(0);
            EPDeployment deployment = runtime.getDeploymentService().deploy(compiled);
            for (EPStatement st : deployment.getStatements()) {
                AtomicLong c = counts.computeIfAbsent(st.getName(), k -> new AtomicLong());
                st.addListener((newEvents, oldEvents, statement, rt) -> c.addAndGet(newEvents == null ? 0 : newEvents.length));
            }
        }

        /** Matches per statement name (rule id) of one run over the pre-built beans ({@link EsperEvent}). */
        Map<String, Long> runBeans(List<EsperEvent> events) {
            return run(events, EsperEvent::getTime, e -> service.sendEventBean(e, E));
        }

        /**
         * Matches per statement name of one run over the normalized events themselves: each event's own
         * {@link Event#fields()} map is sent as it is (no copy), its time read from {@link Event#timestamp()}.
         */
        Map<String, Long> runMaps(List<Event> events) {
            try {
                return run(events, e -> e.timestamp().toEpochMilli(), e -> {
                    EsperFieldLookup.current = e;
                    service.sendEventMap(e.fields(), ECS);
                });
            } finally {
                EsperFieldLookup.current = null;
            }
        }

        private <T> Map<String, Long> run(List<T> events, ToLongFunction<T> time, java.util.function.Consumer<T> send) {
            counts.values().forEach(c -> c.set(0));
            if (events.isEmpty()) {
                return Map.of();
            }
            offset = now + ROUND_GAP - time.applyAsLong(events.get(0));
            for (T e : events) {
                long t = time.applyAsLong(e) + offset;
                if (t > now) {
                    now = t;
                    service.advanceTime(now);
                }
                send.accept(e);
            }
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.get()));
            return out;
        }

        @Override
        public void close() {
            runtime.destroy();
        }
    }
}
