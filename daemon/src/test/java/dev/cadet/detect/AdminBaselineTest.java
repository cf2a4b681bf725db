package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.collector.Event;
import dev.cadet.collector.RawView;
import dev.cadet.detect.Detector.Advance;
import dev.cadet.detect.Detector.Match;
import dev.cadet.detect.Detector.StepHit;
import dev.cadet.store.SqliteStore;
import dev.cadet.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped {@code admin-count-above-baseline} rule, loaded from conf/rules, through the engine and a real store. */
class AdminBaselineTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String ACCOUNT = "111122223333";
    static final String ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
    static final String GA = "62e90394-69f5-4237-9190-012177145e10";

    @TempDir
    Path dir;

    static RuleSet shipped() throws Exception {
        RuleSet all = RuleSet.load(List.of(Path.of("../conf/rules")));
        return RuleSet.of(all.rules().stream().filter(r -> r.id().equals("admin-count-above-baseline")).toList());
    }

    static Event aws(String id, Duration at, String action, String target, String policy, String group, String error) {
        return Event.builder(id, T0.plus(at), RawView.empty())
                .put(Event.DATASET, "aws.cloudtrail").put(Event.ACTION, action).put(Event.ACCOUNT_ID, ACCOUNT)
                .put(Event.TARGET_NAME, target).put(Event.USER_NAME, "ops")
                .put("aws.cloudtrail.request_parameters.policy_arn", policy)
                .put("aws.cloudtrail.request_parameters.group_name", group)
                .put(Event.ERROR_CODE, error).put(Event.OUTCOME, error == null ? "success" : "failure").build();
    }

    static Event attach(String id, Duration at, String user) {
        return aws(id, at, "AttachUserPolicy", user, ADMIN, null, null);
    }

    /** One poll: hits of the events in time order, then advance. */
    static List<Match> poll(DetectionEngine engine, Instant watermark, Event... events) {
        List<StepHit> hits = new ArrayList<>();
        for (Event e : events) {
            hits.addAll(engine.hits(e));
        }
        hits.sort(SequenceState.EVENT_TIME);
        return engine.advance(hits, watermark).matches();
    }

    static List<String> targets(List<Match> matches) {
        return matches.stream().map(m -> m.events().get(0).fields().get(Event.TARGET_NAME)).toList();
    }

    @Test
    void roleMembershipReadsEveryEntraAndO365SpellingOfAddingAndRemovingARoleMember() {
        assertEquals(Boolean.TRUE, AdminBaseline.roleMembership("Add member to role"));
        assertEquals(Boolean.TRUE, AdminBaseline.roleMembership("Add member to role."));
        assertEquals(Boolean.TRUE, AdminBaseline.roleMembership("Add eligible member to role in PIM completed (permanent)"));
        assertEquals(Boolean.TRUE, AdminBaseline.roleMembership("Add scoped member to role."));
        assertEquals(Boolean.FALSE, AdminBaseline.roleMembership("Remove member from role"));
        assertEquals(Boolean.FALSE, AdminBaseline.roleMembership("Remove eligible member from role in PIM completed (permanent)"));
        assertEquals(Boolean.FALSE, AdminBaseline.roleMembership("Remove scoped member from role."));
        assertNull(AdminBaseline.roleMembership("Add user"));
        assertNull(AdminBaseline.roleMembership("Add owner to group"));
        assertNull(AdminBaseline.roleMembership("Add member to group"));
        assertNull(AdminBaseline.roleMembership("Remove member to role"), "adding words with a removal verb");
        assertNull(AdminBaseline.roleMembership("Add member from role"));
        assertNull(AdminBaseline.roleMembership("Add eligible scoped member to role"));
        assertNull(AdminBaseline.roleMembership("add member to role"), "Entra and O365 spell it with a capital A");
    }

    @Test
    void learnedBaselineThenOneAlertPerNewHolderRemovalsAndFailuresCount() throws Exception {
        DetectionEngine engine = new DetectionEngine(shipped(), Duration.ofHours(1));
        Duration day = Duration.ofDays(1);
        // learning (14 days from the first change): two holders, no alerts; a third comes and goes
        assertEquals(List.of(), poll(engine, T0.plus(day.multipliedBy(3)),
                attach("e1", Duration.ZERO, "alice"),
                aws("e2", day, "AddUserToGroup", "bob", null, "Admins", null),
                attach("e3", day.multipliedBy(2), "carol"),
                aws("e4", day.multipliedBy(3), "DetachUserPolicy", "carol", ADMIN, null, null)));
        // after learning: baseline is 3 (the most at once), now 2 holders
        assertEquals(List.of(), poll(engine, T0.plus(day.multipliedBy(20)),
                attach("e5", day.multipliedBy(20), "dave")), "3 holders: at the baseline");
        assertEquals(List.of(), poll(engine, T0.plus(day.multipliedBy(21)),
                aws("e6", day.multipliedBy(21), "AttachUserPolicy", "mallory", ADMIN, null, "AccessDenied"),
                aws("e7", day.multipliedBy(21), "AttachUserPolicy", "mallory", "arn:aws:iam::aws:policy/ReadOnlyAccess", null, null),
                aws("e8", day.multipliedBy(21), "AddUserToGroup", "mallory", null, "Developers", null)),
                "failed calls and unprivileged grants are ignored");
        List<Match> over = poll(engine, T0.plus(day.multipliedBy(22)),
                attach("e9", day.multipliedBy(22), "mallory"),
                aws("e10", day.multipliedBy(22).plusSeconds(5), "AddUserToGroup", "mallory", null, "Admins", null),
                aws("e11", day.multipliedBy(22).plusSeconds(9), "AttachRolePolicy", "backdoor", ADMIN, null, null));
        assertEquals(List.of("user/mallory", "role/backdoor"), targets(over), "once per new holder, not per grant");
        Alert alert = new AlertFactory(engine).toAlert(over.get(0));
        assertEquals(Alert.idOf("admin-count-above-baseline", List.of("e9")), alert.id());
        assertEquals(ACCOUNT, alert.accountId());
        assertEquals("user/mallory", alert.targetName());

        // removals bring the count back; a new holder then fits again
        assertEquals(List.of(), poll(engine, T0.plus(day.multipliedBy(23)),
                aws("e12", day.multipliedBy(23), "DetachUserPolicy", "mallory", ADMIN, null, null),
                aws("e13", day.multipliedBy(23), "RemoveUserFromGroup", "mallory", null, "Admins", null),
                aws("e14", day.multipliedBy(23), "DetachRolePolicy", "backdoor", ADMIN, null, null),
                aws("e15", day.multipliedBy(23), "DetachUserPolicy", "dave", ADMIN, null, null),
                attach("e16", day.multipliedBy(23).plusSeconds(60), "erin")), "alice, bob, erin: at the baseline");
        assertEquals(List.of("user/frank"), targets(poll(engine, T0.plus(day.multipliedBy(24)),
                attach("e17", day.multipliedBy(24), "frank"))));
    }

    @Test
    void entraWorkspaceAndGcpGrants() throws Exception {
        DetectionEngine engine = new DetectionEngine(shipped(), Duration.ofHours(1));
        Instant later = T0.plus(Duration.ofDays(30));
        Event entraFirst = Event.builder("g0", T0, RawView.empty()).put(Event.DATASET, "azure.auditlogs")
                .put(Event.ACTION, "Add member to role").put(Event.ACCOUNT_ID, "tenant-1").put(Event.TARGET_NAME, "a@x")
                .put("azure.auditlogs.properties.role.template_id", "\"" + GA + "\"").build();
        assertEquals(List.of(), poll(engine, T0, entraFirst), "learning");
        Event helpdesk = Event.builder("g1", later, RawView.empty()).put(Event.DATASET, "azure.auditlogs")
                .put(Event.ACTION, "Add member to role").put(Event.ACCOUNT_ID, "tenant-1").put(Event.TARGET_NAME, "b@x")
                .put("azure.auditlogs.properties.role.template_id", "729827e3-9c14-49f7-bb1b-9608f156bbb8").build();
        Event ga = Event.builder("g2", later, RawView.empty()).put(Event.DATASET, "o365.audit")
                .put(Event.ACTION, "Add member to role.").put(Event.ACCOUNT_ID, "tenant-1").put(Event.TARGET_NAME, "c@x")
                .put("o365.audit.ModifiedProperties.Role_TemplateId.NewValue", GA).build();
        assertEquals(List.of("c@x"), targets(poll(engine, later, helpdesk, ga)), "Helpdesk Administrator is not in the list");

        Event gws = Event.builder("w1", T0, RawView.empty()).put(Event.DATASET, "google_workspace.admin")
                .put(Event.ACTION, "GRANT_ADMIN_PRIVILEGE").put(Event.ACCOUNT_ID, "C01").put(Event.TARGET_NAME, "x@corp").build();
        Event gwsRole = Event.builder("w2", later, RawView.empty()).put(Event.DATASET, "google_workspace.admin")
                .put(Event.ACTION, "ASSIGN_ROLE").put(Event.ACCOUNT_ID, "C01").put(Event.TARGET_NAME, "y@corp")
                .put("google_workspace.admin.role.name", "_USER_MANAGEMENT_ADMIN_ROLE").build();
        assertEquals(List.of(), poll(engine, T0, gws));
        assertEquals(List.of("y@corp"), targets(poll(engine, later, gwsRole)));

        RawView deltas = new RawView() {
            final Map<String, Object> v = Map.of(
                    "protoPayload.serviceData.policyDelta.bindingDeltas.0.action", "ADD",
                    "protoPayload.serviceData.policyDelta.bindingDeltas.0.role", "roles/owner",
                    "protoPayload.serviceData.policyDelta.bindingDeltas.0.member", "user:evil@gmail.com",
                    "protoPayload.serviceData.policyDelta.bindingDeltas.1.action", "ADD",
                    "protoPayload.serviceData.policyDelta.bindingDeltas.1.role", "roles/viewer",
                    "protoPayload.serviceData.policyDelta.bindingDeltas.1.member", "user:v@corp");

            public Object get(String p) {
                return v.get(p);
            }

            public String json() {
                return "{}";
            }
        };
        Event gcpFirst = Event.builder("p0", T0, deltasFor("user:owner@corp")).put(Event.DATASET, "gcp.audit")
                .put(Event.ACTION, "SetIamPolicy").put(Event.ACCOUNT_ID, "proj-1").build();
        Event gcp = Event.builder("p1", later, deltas).put(Event.DATASET, "gcp.audit")
                .put(Event.ACTION, "SetIamPolicy").put(Event.ACCOUNT_ID, "proj-1").build();
        assertEquals(List.of(), poll(engine, T0, gcpFirst));
        assertEquals(List.of("user:evil@gmail.com"), targets(poll(engine, later, gcp)));
    }

    static RawView deltasFor(String member) {
        return new RawView() {
            public Object get(String p) {
                return switch (p) {
                    case "protoPayload.serviceData.policyDelta.bindingDeltas.0.action" -> "ADD";
                    case "protoPayload.serviceData.policyDelta.bindingDeltas.0.role" -> "roles/owner";
                    case "protoPayload.serviceData.policyDelta.bindingDeltas.0.member" -> member;
                    default -> null;
                };
            }

            public String json() {
                return "{}";
            }
        };
    }

    @Test
    void stateSurvivesARestartThroughTheStore() throws Exception {
        String db = dir.resolve("cadet.db").toString();
        Duration day = Duration.ofDays(1);
        try (SqliteStore store = new SqliteStore(db)) {
            DetectionEngine engine = new DetectionEngine(shipped(), Duration.ofHours(1));
            engine.restore(store.loadSequenceState());
            List<StepHit> hits = new ArrayList<>(engine.hits(attach("e1", Duration.ZERO, "alice")));
            Advance a = engine.advance(hits, T0);
            store.commit(new Store.PollCommit("s", T0, T0, List.of(), List.of(), a.upserts(), a.deletes(), Map.of(),
                    List.of(), 0, 0, List.of()));
            assertEquals(Set.of(new Store.SequenceKey("admin-count-above-baseline", "[\"" + ACCOUNT + "\"]")),
                    store.loadSequenceState().keySet());
        }
        try (SqliteStore store = new SqliteStore(db)) {
            DetectionEngine engine = new DetectionEngine(shipped(), Duration.ofHours(1));
            engine.restore(store.loadSequenceState());
            // alice is remembered (re-granting her is no new holder); bob is one over the learned baseline of 1
            List<Match> m = poll(engine, T0.plus(day.multipliedBy(15)),
                    aws("e2", day.multipliedBy(15), "AddUserToGroup", "alice", null, "Admins", null),
                    attach("e3", day.multipliedBy(15).plusSeconds(1), "bob"));
            assertEquals(List.of("user/bob"), targets(m));
        }
    }

    @Test
    void badSettingsAreRuleLoadErrors() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("b.toml"), """
                [rule]
                rule_id = "b"
                type = "admin_baseline"
                [rule.admin_baseline]
                threshold = -1
                """);
        RuleLoadException e = org.junit.jupiter.api.Assertions.assertThrows(RuleLoadException.class,
                () -> RuleSet.load(List.of(dir)));
        assertTrue(e.problems().get(0).contains("b.toml:1:1: [rule.admin_baseline] threshold: must be an integer >= 0"),
                e.problems().toString());
    }
}
