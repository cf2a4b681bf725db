package dev.cadet.detect;

import dev.cadet.collector.ProviderConfig;
import dev.cadet.detect.tuning.Glob;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads {@code [rule.admin_baseline]} of a rule file:
 *
 * <pre>
 * [rule.admin_baseline]
 * learning_period = "14d"       # learn each account's holder count this long from its first change
 * threshold = 0                 # holders tolerated above the baseline before alerting
 * aws_admin_policies = ["arn:aws:iam::aws:policy/AdministratorAccess", ...]   # globs on the policy ARN
 * aws_admin_groups = ["Admins", "*Administrators"]                             # globs on the group name
 * entra_admin_role_template_ids = ["62e90394-69f5-4237-9190-012177145e10", ...]
 * gws_admin_roles = ["_SEED_ADMIN_ROLE", "*_ADMIN_ROLE"]                       # globs on the role name
 * gcp_admin_roles = ["roles/owner", "roles/editor"]
 * [rule.admin_baseline.known_admins]   # optional declared baseline: the known holders per account
 * "111122223333" = ["user/alice", "role/OrganizationAccountAccessRole"]
 * </pre>
 */
final class AdminBaselineSettings {
    static final String TYPE = "admin_baseline";
    private static final Set<String> KEYS = Set.of("learning_period", "threshold", "aws_admin_policies", "aws_admin_groups",
            "entra_admin_role_template_ids", "gws_admin_roles", "gcp_admin_roles", "known_admins");

    private AdminBaselineSettings() {
    }

    /** @throws IllegalArgumentException naming the key that is wrong */
    @SuppressWarnings("unchecked")
    static AdminBaseline.Settings read(Map<String, Object> t) {
        if (t == null) {
            throw new IllegalArgumentException("missing: the rule's settings table");
        }
        for (String k : t.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException(k + ": unknown key (expected one of " + String.join(", ", KEYS.stream().sorted().toList()) + ")");
            }
        }
        Duration learning = ProviderConfig.parseDuration(String.valueOf(t.getOrDefault("learning_period", "14d")));
        Object th = t.getOrDefault("threshold", 0L);
        if (!(th instanceof Long l) || l < 0) {
            throw new IllegalArgumentException("threshold: must be an integer >= 0, got " + th);
        }
        Map<String, List<String>> known = new LinkedHashMap<>();
        Object k = t.get("known_admins");
        if (k instanceof Map<?, ?> m) {
            m.forEach((account, holders) -> known.put(String.valueOf(account), strings(holders, "known_admins." + account)));
        } else if (k != null) {
            throw new IllegalArgumentException("known_admins: expected a table of account = [holders]");
        }
        Set<String> entra = new LinkedHashSet<>();
        strings(t.get("entra_admin_role_template_ids"), "entra_admin_role_template_ids")
                .forEach(s -> entra.add(s.toLowerCase(Locale.ROOT)));
        return new AdminBaseline.Settings(learning, l(th), known,
                globs(t.get("aws_admin_policies"), "aws_admin_policies"), globs(t.get("aws_admin_groups"), "aws_admin_groups"),
                entra, globs(t.get("gws_admin_roles"), "gws_admin_roles"),
                new LinkedHashSet<>(strings(t.get("gcp_admin_roles"), "gcp_admin_roles")));
    }

    private static int l(Object th) {
        return ((Long) th).intValue();
    }

    private static List<Glob> globs(Object v, String key) {
        return strings(v, key).stream().map(Glob::of).toList();
    }

    private static List<String> strings(Object v, String key) {
        if (v == null) {
            return List.of();
        }
        if (!(v instanceof List<?> list) || list.stream().anyMatch(x -> !(x instanceof String))) {
            throw new IllegalArgumentException(key + ": expected a list of strings");
        }
        return list.stream().map(String.class::cast).toList();
    }
}
