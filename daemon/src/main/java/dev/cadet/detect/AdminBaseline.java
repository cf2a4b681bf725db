package dev.cadet.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.detect.Detector.MatchedEvent;
import dev.cadet.detect.tuning.Glob;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The built-in stateful rule {@code type = "admin_baseline"} (MITRE T1136.003 DET0319: "accounts
 * assigned to admin roles that go over a certain threshold of known admins"): per cloud account, the
 * set of holders of privileged roles, from grants and removals seen in events; an alert when a grant
 * adds a new holder and the number of holders exceeds the baseline plus the threshold, once per new
 * holder (one alert per granting event).
 *
 * <p>Baseline: the size of {@code known_admins[account]} when declared (those holders are the
 * starting set); otherwise learned: the largest number of holders seen during {@code learning_period}
 * from the account's first privileged change (event time), with no alerts meanwhile. cadet sees only
 * changes, so a learned baseline counts holders granted while it watched.
 *
 * <p>Fields read (failed calls, {@code event.outcome: failure} or {@code error.code}, are ignored):
 * <ul>
 *   <li>all: {@code event.dataset}, {@code event.action}, {@code cloud.account.id}, {@code user.target.name}</li>
 *   <li>{@code aws.cloudtrail}: {@code Attach/DetachUserPolicy}, {@code Attach/DetachRolePolicy} with
 *       {@code aws.cloudtrail.request_parameters.policy_arn} matching {@code aws_admin_policies};
 *       {@code AddUserToGroup/RemoveUserFromGroup} with {@code aws.cloudtrail.request_parameters.group_name}
 *       matching {@code aws_admin_groups}. Holders {@code user/NAME}, {@code role/NAME}.</li>
 *   <li>{@code azure.auditlogs} and {@code o365.audit}: {@code Add [eligible|scoped] member to role} and
 *       {@code Remove ... from role} (O365 with the trailing period), role by template id from
 *       {@code azure.auditlogs.properties.role.template_id} /
 *       {@code o365.audit.ModifiedProperties.Role_TemplateId.NewValue}, else the raw
 *       {@code targetResources.0.modifiedProperties[displayName=Role.TemplateId]} (Graph) or
 *       {@code ModifiedProperties[Name=Role.TemplateId]} (O365), quotes stripped.</li>
 *   <li>{@code google_workspace.admin}: {@code GRANT/REVOKE_ADMIN_PRIVILEGE} (super admin),
 *       {@code ASSIGN/UNASSIGN_ROLE} with {@code google_workspace.admin.role.name} (else raw
 *       {@code events.0.parameters[name=ROLE_NAME]}) matching {@code gws_admin_roles}; holder
 *       {@code user.target.name}, else raw {@code USER_EMAIL}.</li>
 *   <li>{@code gcp.audit}: {@code *SetIamPolicy} with raw
 *       {@code protoPayload.serviceData.policyDelta.bindingDeltas[i].{action,role,member}}, roles in
 *       {@code gcp_admin_roles}; a non-zero {@code protoPayload.status.code} is a failure.</li>
 * </ul>
 */
final class AdminBaseline {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Settings(Duration learningPeriod, int threshold, Map<String, List<String>> knownAdmins,
                    List<Glob> awsPolicies, List<Glob> awsGroups, Set<String> entraRoles, List<Glob> gwsRoles,
                    Set<String> gcpRoles) {
    }

    /** One holder gaining or losing one privileged grant. */
    record Change(boolean add, String holder, String grant) {
    }

    private final Settings settings;

    AdminBaseline(Settings settings) {
        this.settings = settings;
    }

    Settings settings() {
        return settings;
    }

    // ---- reading events

    /**
     * A hit's alert fields together with the changes its event makes, carried as they are from
     * {@code hits} to {@code advance} (a hit is never stored). Reads as the alert fields.
     */
    static final class HitFields extends AbstractMap<String, String> {
        private final Map<String, String> fields;
        private final List<Change> changes;

        HitFields(Map<String, String> fields, List<Change> changes) {
            this.fields = fields;
            this.changes = List.copyOf(changes);
        }

        List<Change> changes() {
            return changes;
        }

        @Override
        public String get(Object key) {
            return fields.get(key);
        }

        @Override
        public Set<Map.Entry<String, String>> entrySet() {
            return fields.entrySet();
        }
    }

    /** False for an action the switch in {@link #changes} ignores whatever its fields (a superset test). */
    private static boolean mayChangeHolders(String dataset, String action) {
        return switch (dataset) {
            case "aws.cloudtrail" -> action.endsWith("UserPolicy") || action.endsWith("RolePolicy") || action.endsWith("Group");
            case "azure.auditlogs", "o365.audit" -> roleMembership(action) != null;
            case "google_workspace.admin" -> action.endsWith("ADMIN_PRIVILEGE") || action.endsWith("ASSIGN_ROLE");
            case "gcp.audit" -> action.endsWith("SetIamPolicy");
            default -> false;
        };
    }

    /**
     * TRUE for an Entra or O365 operation adding a member to a role ({@code Add member to role},
     * {@code Add eligible member to role in PIM completed (permanent)}, {@code Add scoped member to
     * role.}), FALSE for one removing a member, else null. Prefix tests, not a regex: this runs for
     * every Entra and O365 event.
     */
    static Boolean roleMembership(String action) {
        boolean add = action.startsWith("Add ");
        if (!add && !action.startsWith("Remove ")) {
            return null;
        }
        int at = add ? 4 : 7;
        if (action.startsWith("eligible ", at)) {
            at += 9;
        } else if (action.startsWith("scoped ", at)) {
            at += 7;
        }
        return action.startsWith(add ? "member to role" : "member from role", at) ? add : null;
    }

    /** The privileged changes the event makes; empty for almost every event and for failed calls. */
    List<Change> changes(Event e) {
        String dataset = text(e.get(Event.DATASET));
        String action = text(e.get(Event.ACTION));
        // the action first: it rules out almost every event without the raw-record lookups below
        if (dataset == null || action == null || !mayChangeHolders(dataset, action) || text(e.get(Event.ACCOUNT_ID)) == null
                || "failure".equals(text(e.get(Event.OUTCOME))) || e.get(Event.ERROR_CODE) != null) {
            return List.of();
        }
        String target = text(e.get(Event.TARGET_NAME));
        List<Change> out = new ArrayList<>();
        switch (dataset) {
            case "aws.cloudtrail" -> {
                String policy = text(e.get("aws.cloudtrail.request_parameters.policy_arn"));
                String group = text(e.get("aws.cloudtrail.request_parameters.group_name"));
                if (target == null) {
                    break;
                }
                switch (action) {
                    case "AttachUserPolicy", "DetachUserPolicy" -> {
                        if (any(settings.awsPolicies(), policy)) {
                            out.add(new Change(action.startsWith("Attach"), "user/" + target, "policy " + policy));
                        }
                    }
                    case "AttachRolePolicy", "DetachRolePolicy" -> {
                        if (any(settings.awsPolicies(), policy)) {
                            out.add(new Change(action.startsWith("Attach"), "role/" + target, "policy " + policy));
                        }
                    }
                    case "AddUserToGroup", "RemoveUserFromGroup" -> {
                        if (any(settings.awsGroups(), group)) {
                            out.add(new Change(action.startsWith("Add"), "user/" + target, "group " + group));
                        }
                    }
                    default -> { }
                }
            }
            case "azure.auditlogs", "o365.audit" -> {
                Boolean add = roleMembership(action);
                if (add == null || target == null) {
                    break;
                }
                String role = entraRole(e, dataset);
                if (role != null && settings.entraRoles().contains(role.toLowerCase(Locale.ROOT))) {
                    out.add(new Change(add, target, "role " + role.toLowerCase(Locale.ROOT)));
                }
            }
            case "google_workspace.admin" -> {
                String holder = target != null ? target : parameter(e, "USER_EMAIL");
                if (holder == null) {
                    break;
                }
                if (action.equals("GRANT_ADMIN_PRIVILEGE") || action.equals("REVOKE_ADMIN_PRIVILEGE")) {
                    out.add(new Change(action.startsWith("GRANT"), holder, "super admin"));
                } else if (action.equals("ASSIGN_ROLE") || action.equals("UNASSIGN_ROLE")) {
                    String role = text(e.get("google_workspace.admin.role.name"));
                    role = role != null ? role : parameter(e, "ROLE_NAME");
                    if (any(settings.gwsRoles(), role)) {
                        out.add(new Change(action.startsWith("ASSIGN"), holder, "role " + role));
                    }
                }
            }
            case "gcp.audit" -> {
                Object status = e.get("protoPayload.status.code");
                if (!action.endsWith("SetIamPolicy") || (status != null && !"0".equals(status.toString()))) {
                    break;
                }
                for (int i = 0; i < 1000; i++) {
                    String p = "protoPayload.serviceData.policyDelta.bindingDeltas." + i + ".";
                    String act = text(e.get(p + "action"));
                    if (act == null) {
                        break;
                    }
                    String role = text(e.get(p + "role"));
                    String member = text(e.get(p + "member"));
                    if (member != null && role != null && settings.gcpRoles().contains(role)) {
                        out.add(new Change("ADD".equals(act), member, "role " + role));
                    }
                }
            }
            default -> { }
        }
        return out;
    }

    /** The normalized role template id field of each dataset (docs/fields.md). */
    private static final Map<String, String> ROLE_TEMPLATE_FIELD = Map.of(
            "azure.auditlogs", "azure.auditlogs.properties.role.template_id",
            "o365.audit", "o365.audit.ModifiedProperties.Role_TemplateId.NewValue");

    private static String entraRole(Event e, String dataset) {
        String role = text(e.get(ROLE_TEMPLATE_FIELD.get(dataset)));
        if (role != null) {
            return unquote(role);
        }
        boolean graph = dataset.equals("azure.auditlogs");
        String base = graph ? "targetResources.0.modifiedProperties." : "ModifiedProperties.";
        for (int i = 0; i < 100; i++) {
            String name = text(e.get(base + i + (graph ? ".displayName" : ".Name")));
            if (name == null) {
                return null;
            }
            if (name.equals("Role.TemplateId")) {
                String v = text(e.get(base + i + (graph ? ".newValue" : ".NewValue")));
                if (v == null || unquote(v).isEmpty()) {
                    v = text(e.get(base + i + (graph ? ".oldValue" : ".OldValue")));
                }
                return v == null ? null : unquote(v);
            }
        }
        return null;
    }

    /** A Workspace activity parameter of the first event, by name. */
    private static String parameter(Event e, String name) {
        for (int i = 0; i < 100; i++) {
            String n = text(e.get("events.0.parameters." + i + ".name"));
            if (n == null) {
                return null;
            }
            if (n.equals(name)) {
                return text(e.get("events.0.parameters." + i + ".value"));
            }
        }
        return null;
    }

    private static String unquote(String s) {
        String t = s.trim();
        return t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"") ? t.substring(1, t.length() - 1) : t;
    }

    private static boolean any(List<Glob> globs, String value) {
        return value != null && globs.stream().anyMatch(g -> g.matches(value));
    }

    private static String text(Object v) {
        return v == null ? null : v.toString();
    }

    // ---- per-account state

    /**
     * Holders of one account: holder -> grant -> [1 present / 0 removed, event time ms of the last
     * change]. The last change by event time wins, so a removal read before its grant still ends
     * with the holder removed.
     */
    static final class State {
        long since;
        Integer baseline;
        boolean declared;
        TreeMap<String, TreeMap<String, long[]>> holders = new TreeMap<>();

        int count() {
            return (int) holders.values().stream().filter(State::holds).count();
        }

        private static boolean holds(Map<String, long[]> grants) {
            return grants.values().stream().anyMatch(g -> g[0] == 1);
        }

        boolean holds(String holder) {
            TreeMap<String, long[]> g = holders.get(holder);
            return g != null && holds(g);
        }

        /**
         * {@code {"since":ms,"baseline":n|null,"declared":bool,"holders":{holder:{grant:[1|0,ms]}}}},
         * written directly (it is written with every privileged change); {@link #fromJson} reads it.
         */
        String toJson() {
            StringBuilder out = new StringBuilder(96 + 64 * holders.size()).append("{\"since\":").append(since)
                    .append(",\"baseline\":").append(baseline).append(",\"declared\":").append(declared).append(",\"holders\":{");
            boolean firstHolder = true;
            for (Map.Entry<String, TreeMap<String, long[]>> h : holders.entrySet()) {
                out.append(firstHolder ? "" : ",");
                firstHolder = false;
                JsonText.quote(out, h.getKey());
                out.append(":{");
                boolean firstGrant = true;
                for (Map.Entry<String, long[]> g : h.getValue().entrySet()) {
                    out.append(firstGrant ? "" : ",");
                    firstGrant = false;
                    JsonText.quote(out, g.getKey());
                    out.append(":[").append(g.getValue()[0]).append(',').append(g.getValue()[1]).append(']');
                }
                out.append('}');
            }
            return out.append("}}").toString();
        }

        static State fromJson(String json) {
            try {
                var n = JSON.readTree(json);
                State s = new State();
                s.since = n.path("since").asLong();
                s.baseline = n.path("baseline").isNumber() ? n.path("baseline").asInt() : null;
                s.declared = n.path("declared").asBoolean();
                var hs = n.path("holders");
                hs.fieldNames().forEachRemaining(h -> {
                    TreeMap<String, long[]> grants = new TreeMap<>();
                    hs.path(h).fieldNames().forEachRemaining(g -> grants.put(g,
                            new long[] {hs.path(h).path(g).path(0).asLong(), hs.path(h).path(g).path(1).asLong()}));
                    s.holders.put(h, grants);
                });
                return s;
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("unreadable admin baseline state: " + e.getOriginalMessage());
            }
        }
    }

    State newState(String account, Instant firstEvent) {
        State s = new State();
        s.since = firstEvent.toEpochMilli();
        List<String> known = settings.knownAdmins().get(account);
        if (known != null) {
            s.declared = true;
            s.baseline = known.size();
            for (String h : known) {
                s.holders.computeIfAbsent(h, k -> new TreeMap<>()).put("declared", new long[] {1, 0});
            }
        }
        return s;
    }

    /**
     * Applies one hit's changes; returns the holders it newly added while the count is above
     * baseline + threshold (empty: no alert).
     */
    List<String> apply(State s, MatchedEvent event, List<Change> changes) {
        long t = event.timestamp().toEpochMilli();
        boolean learning = !s.declared && t < s.since + settings.learningPeriod().toMillis();
        List<String> added = new ArrayList<>();
        for (Change c : changes) {
            boolean before = s.holds(c.holder());
            TreeMap<String, long[]> grants = s.holders.computeIfAbsent(c.holder(), k -> new TreeMap<>());
            long[] g = grants.get(c.grant());
            if (g != null && g[1] > t) {
                continue; // a later change of this grant was already seen
            }
            grants.put(c.grant(), new long[] {c.add() ? 1 : 0, t});
            if (c.add() && !before) {
                added.add(c.holder());
            }
        }
        // holders with nothing left are forgotten, so state stays bounded by the grants in force
        s.holders.values().removeIf(grants -> grants.values().stream().allMatch(g -> g[0] == 0
                && g[1] < t - settings.learningPeriod().toMillis()));
        int count = s.count();
        if (learning) {
            s.baseline = Math.max(s.baseline == null ? 0 : s.baseline, count);
            return List.of();
        }
        if (s.baseline == null) {
            s.baseline = 0;
        }
        return count > s.baseline + settings.threshold() ? added : List.of();
    }
}
