package dev.cadet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Generated EQL rules for the rule-count benchmark, written as {@code .eql} files so they go through
 * the real loader. Each rule has its own {@code event.action} literals (never shared with another
 * rule), taken from the long tail of write actions of one of the five datasets ({@link EngineEvents#TAIL}),
 * so a larger rule set is a candidate for more of the events (a few per cent for 1,000 rules). Three
 * in ten are two-step sequences; the others are event queries with the kinds of conditions real rules
 * add (outcome, actor, address range, user agent).
 *
 * <p>Two kinds of rule sets, the same index keys:
 * <ul>
 *   <li>{@link Kind#SELECTIVE}: as real rules, each also names what it is after (one actor, one
 *       address block), so about one candidate in twenty matches: what 1,000 rules cost against 10
 *       is then the cost of finding and testing candidates, which is what indexing is for;</li>
 *   <li>{@link Kind#ALERT_HEAVY}: most candidates match (a sequence's first step opens a partial
 *       for every candidate): 1,000 such rules raise about 12,000 alerts per million events, so
 *       their cost is mostly that of building alerts and sequence state.</li>
 * </ul>
 */
final class GeneratedRules {
    enum Kind { SELECTIVE, ALERT_HEAVY }

    private GeneratedRules() {
    }

    /** Writes {@code count} rules of this kind into a new folder under {@code parent} and returns it. */
    static Path write(Path parent, int count, Kind kind) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("generated-" + kind.name().toLowerCase() + "-" + count));
        Map<String, List<String>> unused = new HashMap<>();
        Random random = new Random(count);
        for (String ds : EngineEvents.DATASETS) {
            List<String> actions = new ArrayList<>(EngineEvents.TAIL.get(ds));
            Collections.shuffle(actions, random);
            unused.put(ds, actions);
        }
        for (int i = 0; i < count; i++) {
            String ds = EngineEvents.DATASETS.get(i % EngineEvents.DATASETS.size());
            List<String> pool = unused.get(ds);
            String query = kind == Kind.SELECTIVE ? selective(i, ds, pool) : alertHeavy(i, ds, pool);
            Files.writeString(dir.resolve(String.format("generated-%04d.eql", i)), query);
        }
        return dir;
    }

    /** One rule whose own conditions pass about one candidate in twenty: one actor of the twenty, one /29 of the addresses. */
    private static String selective(int i, String ds, List<String> pool) {
        // the bench's actors are user0..user19, with the provider's domain outside AWS
        String actor = "user.name : (\"user" + (i % 20) + "\", \"user" + (i % 20) + "@*\")";
        return switch (i % 10) {
            case 0, 1, 2 -> "sequence by cloud.account.id, user.name with maxspan=30m\n"
                    + "  [any where event.dataset == \"" + ds + "\" and event.action == " + take(pool, 1)
                    + " and event.outcome == \"success\" and " + actor + "]\n"
                    + "  [any where event.dataset == \"" + ds + "\" and event.action in (" + take(pool, 2) + ")"
                    + " and not user_agent.original : \"Terraform*\"]\n";
            case 3, 4, 5 -> "any where event.dataset == \"" + ds + "\" and event.action in (" + take(pool, 2) + ")\n"
                    + "  and not event.outcome : \"failure\" and " + actor + "\n";
            case 6, 7 -> "any where event.dataset == \"" + ds + "\" and event.action : " + take(pool, 1) + "\n"
                    + "  and source.ip != null and cidrMatch(source.ip, \"198.51.100." + (8 * (i % 31)) + "/29\")\n";
            default -> "any where event.action == " + take(pool, 1) + " and event.outcome == \"success\"\n"
                    + "  and " + actor + " and not startsWith(user_agent.original, \"Terraform\")\n";
        };
    }

    /** One rule whose own conditions pass nearly every candidate. */
    private static String alertHeavy(int i, String ds, List<String> pool) {
        return switch (i % 10) {
            case 0, 1, 2 -> "sequence by cloud.account.id, user.name with maxspan=30m\n"
                    + "  [any where event.dataset == \"" + ds + "\" and event.action == " + take(pool, 1)
                    + " and event.outcome == \"success\"]\n"
                    + "  [any where event.dataset == \"" + ds + "\" and event.action in (" + take(pool, 2) + ")"
                    + " and not user_agent.original : \"Terraform*\"]\n";
            case 3, 4, 5 -> "any where event.dataset == \"" + ds + "\" and event.action in (" + take(pool, 2) + ")\n"
                    + "  and not event.outcome : \"failure\" and not user.name : (\"svc-*\", \"terraform*\")\n";
            case 6, 7 -> "any where event.dataset == \"" + ds + "\" and event.action : " + take(pool, 1) + "\n"
                    + "  and source.ip != null and not cidrMatch(source.ip, \"10.0.0.0/8\", \"192.168.0.0/16\")\n";
            default -> "any where event.action == " + take(pool, 1) + " and event.outcome == \"success\"\n"
                    + "  and startsWith(user.name, \"user1\")\n";
        };
    }

    /** {@code n} unused actions as quoted EQL strings, comma-separated. */
    private static String take(List<String> pool, int n) {
        if (pool.size() < n) {
            throw new IllegalStateException("the action vocabulary is too small for this many rules");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("\"" + pool.remove(pool.size() - 1) + "\"");
        }
        return String.join(", ", out);
    }
}
