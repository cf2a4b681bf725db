package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.detect.fixture.FixtureCase;
import dev.cadet.detect.fixture.FixtureFiles;
import dev.cadet.detect.fixture.FixtureRunner;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The rule pack of the distribution ({@code cadet.dist.dir}/conf/rules) against its own fixtures:
 * one dynamic test per fixture case, so a broken rule fails the build with the case's name.
 */
class ShippedRulePackTest {
    static final Path RULES = Path.of(System.getProperty("cadet.dist.dir", "target/cadet"), "conf", "rules");

    /** Alert consumers depend on these ids. */
    static final Set<String> SHIPPED_IDS = Set.of("cloud-account-created", "gws-user-created", "gcp-service-account-created",
            "aws-user-created-then-credentials", "aws-user-created-then-admin", "aws-role-created-then-admin",
            "entra-app-sp-credential-chain", "entra-user-created-then-privileged-role",
            "o365-user-created-then-privileged-role", "gws-user-created-then-admin", "gcp-service-account-created-then-key",
            "admin-count-above-baseline");

    static Map<String, Rule> rules() throws Exception {
        return RuleSet.load(List.of(RULES)).rules().stream().collect(Collectors.toMap(Rule::id, Function.identity()));
    }

    @TestFactory
    Stream<DynamicTest> everyFixtureCasePasses() throws Exception {
        Map<String, Rule> rules = rules();
        FixtureFiles.Result fixtures = FixtureFiles.readAll(RULES.resolve("tests"));
        assertEquals(List.of(), fixtures.problems());
        return fixtures.cases().stream().map(c -> DynamicTest.dynamicTest(c.toString(), () -> {
            Rule rule = rules.get(c.ruleId());
            assertTrue(rule != null, "no rule " + c.ruleId() + " for " + c.file());
            FixtureRunner.Outcome o = FixtureRunner.run(rule, c);
            assertTrue(o.passed(), o.detail());
        }));
    }

    @Test
    void theShippedIdsAreExactlyThePromisedOnes() throws Exception {
        assertEquals(new TreeSet<>(SHIPPED_IDS), new TreeSet<>(rules().keySet()));
    }

    @Test
    void everyRuleHasPositiveAndNegativeCasesAndEveryChainALateAndARestartCase() throws Exception {
        Map<String, Rule> rules = rules();
        List<FixtureCase> cases = FixtureFiles.readAll(RULES.resolve("tests")).cases();
        for (Rule r : rules.values()) {
            List<FixtureCase> mine = cases.stream().filter(c -> c.ruleId().equals(r.id())).toList();
            assertTrue(mine.stream().anyMatch(FixtureCase::positive), r.id() + ": no positive case");
            assertTrue(mine.stream().anyMatch(c -> !c.positive()), r.id() + ": no negative case");
            if (!r.isBuiltIn() && r.query().steps().size() > 1) {
                // The later record processed first: a positive case whose last event (in event time) comes in poll 1.
                Predicate late = c -> c.positive() && c.events().stream()
                        .max(java.util.Comparator.comparing(e -> e.event().timestamp())).orElseThrow().poll() == 1
                        && c.events().stream().anyMatch(e -> e.poll() > 1);
                assertTrue(mine.stream().anyMatch(c -> late.test(c) && !c.restart()), r.id() + ": no late-arrival case");
                assertTrue(mine.stream().anyMatch(c -> late.test(c) && c.restart()), r.id() + ": no late-arrival case across a restart");
                assertTrue(mine.stream().anyMatch(c -> !c.positive() && c.events().stream()
                        .anyMatch(e -> e.event().get("error.code") != null || "failure".equals(e.event().get("event.outcome"))
                                || "failure".equals(e.event().get("azure.auditlogs.result"))))
                        || r.id().startsWith("gws-"), r.id() + ": no failed-call case (Workspace logs no failures)");
            }
        }
    }

    private interface Predicate {
        boolean test(FixtureCase c);
    }

    @Test
    void chainsJoinOnTheNormalizedTargetOrInitiatorAndHaveTheIssuesWindows() throws Exception {
        Map<String, Rule> rules = rules();
        Map<String, String> windows = Map.of("aws-user-created-then-credentials", "PT15M", "aws-user-created-then-admin", "PT1H",
                "aws-role-created-then-admin", "PT1H", "entra-app-sp-credential-chain", "PT10M",
                "entra-user-created-then-privileged-role", "PT1H", "o365-user-created-then-privileged-role", "PT1H30M",
                "gws-user-created-then-admin", "PT1H", "gcp-service-account-created-then-key", "PT1H");
        windows.forEach((id, span) -> {
            Rule r = rules.get(id);
            assertEquals(span, String.valueOf(r.query().maxspan()), id);
            String join = r.query().sequenceBy().stream().map(k -> k.field()).toList().toString();
            assertEquals(id.startsWith("entra-app") ? "[cloud.account.id, user.name]" : "[cloud.account.id, user.target.name]", join, id);
            assertTrue(r.techniques().contains("T1136.003"), id);
            assertTrue(r.techniques().contains("T1098.001") || r.techniques().contains("T1098.003"), id);
        });
        assertNull(rules.get("gws-user-created").query().maxspan());
    }
}
