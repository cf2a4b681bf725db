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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped EQL rules written as Esper EPL, statement name = rule id, for the same events
 * ({@link EsperEvent}) on event time (external clock: the internal timer is off and the clock is
 * advanced to each event's time before it is sent, so {@code timer:within} is the rule's maxspan on
 * event time).
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
        // the rule's regex~, each backslash doubled for the EPL string literal
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

    static Configuration configuration() {
        Configuration config = new Configuration();
        config.getCommon().addEventType(E, EsperEvent.class);
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

    /** Matches per statement name (rule id) of one run over the events, on a fresh runtime. */
    static Map<String, Long> run(EPCompiled compiled, List<EsperEvent> events, String uri) throws Exception {
        EPRuntime runtime = EPRuntimeProvider.getRuntime(uri, configuration());
        try {
            runtime.initialize();
            EPEventService service = runtime.getEventService();
            long now = events.isEmpty() ? 0 : events.get(0).getTime();
            service.advanceTime(now);
            EPDeployment deployment = runtime.getDeploymentService().deploy(compiled);
            Map<String, AtomicLong> counts = new TreeMap<>();
            for (EPStatement st : deployment.getStatements()) {
                AtomicLong c = counts.computeIfAbsent(st.getName(), k -> new AtomicLong());
                st.addListener((newEvents, oldEvents, statement, rt) -> c.addAndGet(newEvents == null ? 0 : newEvents.length));
            }
            for (EsperEvent e : events) {
                if (e.getTime() > now) {
                    now = e.getTime();
                    service.advanceTime(now);
                }
                service.sendEventBean(e, E);
            }
            Map<String, Long> out = new TreeMap<>();
            counts.forEach((k, v) -> out.put(k, v.get()));
            return out;
        } finally {
            runtime.destroy();
        }
    }
}
