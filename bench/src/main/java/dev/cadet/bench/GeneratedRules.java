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
 * so a larger rule set covers more of the events. Three in ten are two-step sequences; the others
 * are event queries with the kinds of conditions real rules add (outcome, actor globs, CIDR, prefixes).
 */
final class GeneratedRules {
    private GeneratedRules() {
    }

    /** Writes {@code count} rules into a new folder under {@code parent} and returns it. */
    static Path write(Path parent, int count) throws IOException {
        Path dir = Files.createDirectories(parent.resolve("generated-" + count));
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
            String query = switch (i % 10) {
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
            Files.writeString(dir.resolve(String.format("generated-%04d.eql", i)), query);
        }
        return dir;
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
