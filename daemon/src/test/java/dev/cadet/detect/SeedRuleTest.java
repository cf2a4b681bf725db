package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Severity;
import dev.cadet.collector.Event;
import dev.cadet.detect.eql.Query;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The seed rule (conf/rules/cloud-account-created.eql, the user's query verbatim) loads and detects. */
class SeedRuleTest {
    static final Path RULES = Path.of("..", "conf", "rules");

    static Rule seedRule() throws Exception {
        RuleSet set = RuleSet.load(List.of(RULES));
        return set.rules().stream().filter(r -> r.id().equals("cloud-account-created")).findFirst().orElseThrow();
    }

    @Test
    void loadsVerbatimWithExactlyOneWarning() throws Exception {
        Path seedCopy = RULES.resolve("cloud-account-created.eql");
        Path shared = Path.of(System.getProperty("cadet.shared.dir", "/nonexistent"), "seeds", "seed-rule.eql");
        if (Files.exists(shared)) {
            assertEquals(Files.readString(shared), Files.readString(seedCopy), "conf copy must be the seed verbatim");
        }
        RuleSet set = RuleSet.load(List.of(RULES));
        List<String> seedWarnings = set.warnings().stream().filter(w -> w.contains("cloud-account-created.eql")).toList();
        assertEquals(1, seedWarnings.size(), set.warnings().toString());
        assertTrue(seedWarnings.get(0).contains("single query") && seedWarnings.get(0).contains(":1:1:"), seedWarnings.get(0));

        Rule rule = seedRule();
        assertEquals("cloud-account-created", rule.name());
        assertEquals(Severity.MEDIUM, rule.severity());
        assertEquals(47, rule.riskScore());
        assertEquals(List.of("T1136.003"), rule.techniques());
        Query q = rule.query();
        assertTrue(q.sequence());
        assertEquals(1, q.steps().size());
        assertEquals(Duration.ofMinutes(5), q.maxspan());
    }

    @Test
    void atomicTestsOneToFourMatch() throws Exception {
        Query.Step step = seedRule().query().steps().get(0);
        for (Event e : List.of(AtomicFixtures.test1AddUser(), AtomicFixtures.test2AddApplication(),
                AtomicFixtures.test2AddServicePrincipal(), AtomicFixtures.test2AddCredentials(),
                AtomicFixtures.test3CreateUser(), AtomicFixtures.test4AddUser())) {
            assertTrue(step.matches(e), "should match: " + e);
        }
    }

    @Test
    void failuresAndOtherOperationsDoNotMatch() throws Exception {
        Query.Step step = seedRule().query().steps().get(0);
        for (Event e : List.of(AtomicFixtures.failedAwsCreateUser(), AtomicFixtures.failedAzureAddUser(),
                AtomicFixtures.azureOtherOperation(), AtomicFixtures.awsOtherOperation(),
                AtomicFixtures.test3CreateAccessKey())) {
            assertFalse(step.matches(e), "should not match: " + e);
        }
    }
}
