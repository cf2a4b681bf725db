package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Severity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuleSetTest {
    @TempDir
    Path dir;

    static final String TOML_RULE = """
            [metadata]
            creation_date = "2024/05/01"
            maturity = "production"

            [rule]
            author = ["cadet"]
            description = \"\"\"
            Identifies an IAM user created \\
            and then given an access key.\"\"\"
            false_positives = ['Onboarding scripts', "IaC runs"]
            language = "eql"
            name = "IAM user created then keyed"
            references = [
              "https://attack.mitre.org/techniques/T1136/003/", # trailing comment
            ]
            risk_score = 73
            rule_id = "4a1c9d2e-aaaa-bbbb-cccc-000000000001"
            severity = "high"
            type = "eql"
            query = '''
            sequence by cloud.account.id with maxspan=10m
              [any where event.action == "CreateUser"] by user.target.name
              [any where event.action == "CreateAccessKey"] by user.target.name
            '''

            [[rule.threat]]
            framework = "MITRE ATT&CK"
            [[rule.threat.technique]]
            id = "T1136"
            name = "Create Account"
            [[rule.threat.technique.subtechnique]]
            id = "T1136.003"
            name = "Cloud Account"
            [rule.threat.tactic]
            id = "TA0003"

            [[rule.threat]]
            framework = "MITRE ATT&CK"
            [[rule.threat.technique]]
            id = "T1098"
            """;

    @Test
    void readsElasticStyleToml() throws Exception {
        Files.writeString(dir.resolve("iam_user_keyed.toml"), TOML_RULE);
        RuleSet set = RuleSet.load(List.of(dir));
        assertEquals(1, set.rules().size());
        Rule r = set.rules().get(0);
        assertEquals("4a1c9d2e-aaaa-bbbb-cccc-000000000001", r.id());
        assertEquals("IAM user created then keyed", r.name());
        assertEquals("Identifies an IAM user created and then given an access key.", r.description());
        assertEquals(Severity.HIGH, r.severity());
        assertEquals(73, r.riskScore());
        assertEquals(List.of("T1136", "T1136.003", "T1098"), r.techniques());
        assertEquals(List.of("https://attack.mitre.org/techniques/T1136/003/"), r.references());
        assertEquals(List.of("Onboarding scripts", "IaC runs"), r.falsePositives());
        assertEquals(2, r.query().steps().size());
        assertEquals(List.of(), set.warnings(), "dates, maturity and author are the rule's paperwork, not unused keys");
        assertNull(r.allowedLateness(), "no allowed_lateness of its own: the daemon decides");
    }

    @Test
    void elasticDetectionRuleLoadsUnmodifiedWithOneWarningForTheKeysCadetDoesNotUse() throws Exception {
        Path rule = copyElasticRule(dir);
        RuleSet set = RuleSet.load(List.of(dir));
        Rule r = set.rules().get(0);
        assertEquals("6f3e2b1a-9c4d-4e8f-a7b2-5d1c0e9f8a34", r.id());
        assertEquals("AWS IAM User Created Then Given Console Access", r.name());
        assertEquals(Severity.MEDIUM, r.severity());
        assertEquals(47, r.riskScore());
        assertEquals(List.of("T1136", "T1136.003", "T1098"), r.techniques());
        assertEquals(2, r.references().size());
        assertEquals(1, r.falsePositives().size());
        assertEquals(2, r.query().steps().size());
        assertNull(r.allowedLateness());
        assertEquals(List.of(rule + ": keys cadet does not use: metadata.integration,"
                + " metadata.min_stack_comments, metadata.min_stack_version,"
                + " rule.building_block_type, rule.from, rule.index, rule.interval,"
                + " rule.max_signals, rule.note, rule.setup, rule.timestamp_override,"
                + " rule.investigation_fields.field_names"), set.warnings());
        assertEquals(List.of("warning: " + set.warnings().get(0)), RuleSet.check(dir), "check: no problem, the warning once");
    }

    @Test
    void typosAndMisplacedTablesAreNamedButABuiltInRuleSettingsTableIsNot() throws Exception {
        Files.writeString(dir.resolve("baseline.toml"), """
                [rule]
                rule_id = "b"
                type = "admin_baseline"
                severty = "high"
                [rule.admin_baseline]
                threshold = 1
                """);
        Files.writeString(dir.resolve("eql.toml"), """
                top = 1
                [rule]
                rule_id = "e"
                query = "any where true"
                [rule.admin_baseline]
                threshold = 1
                [[rule.threat]]
                framework = "MITRE ATT&CK"
                [[rule.threat.technique]]
                id = "T1136"
                [[rule.threat.technique.subtechnique]]
                idd = "T1136.003"
                """);
        assertEquals(List.of(dir.resolve("baseline.toml") + ": keys cadet does not use: rule.severty",
                dir.resolve("eql.toml") + ": keys cadet does not use: top, rule.admin_baseline.threshold,"
                + " rule.threat.technique.subtechnique.idd"),
                RuleSet.load(List.of(dir)).warnings());
    }

    /** The Elastic-style AWS rule of the test resources, copied unmodified into {@code target}. */
    static Path copyElasticRule(Path target) throws Exception {
        String name = "persistence_iam_user_created_with_console_login.toml";
        try (var in = RuleSetTest.class.getResourceAsStream("/elastic-rules/" + name)) {
            Path file = target.resolve(name);
            Files.copy(in, file);
            return file;
        }
    }

    @Test
    void queryErrorsInTomlPointAtTheFileLine() throws Exception {
        Files.writeString(dir.resolve("bad.toml"), TOML_RULE.replace("[any where event.action == \"CreateAccessKey\"]",
                "[any where event.action = \"CreateAccessKey\"]"));
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> RuleSet.load(List.of(dir)));
        assertEquals(1, e.problems().size());
        // The query starts on line 21 of the file; its third line holds the bad '='.
        assertTrue(e.problems().get(0).startsWith(dir.resolve("bad.toml") + ":23:27: "), e.problems().get(0));
        assertTrue(e.problems().get(0).contains("=="), e.problems().get(0));
    }

    @Test
    void bareEqlDefaultsAndErrors() throws Exception {
        Files.writeString(dir.resolve("good.eql"), "any where event.action == \"CreateUser\"\n");
        Files.writeString(dir.resolve("piped.eql"), "any where true\n  | head 5\n");
        Files.writeString(dir.resolve("notes.txt"), "ignored");
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> RuleSet.load(List.of(dir)));
        assertEquals(List.of(dir.resolve("piped.eql") + ":2:3: unsupported: pipes (| head, | tail, | filter, ...) are not"
                + " supported (hint: remove the pipe; alerting needs every match)"), e.problems());

        Files.delete(dir.resolve("piped.eql"));
        Rule r = RuleSet.load(List.of(dir)).rules().get(0);
        assertEquals("good", r.id());
        assertEquals("good", r.name());
        assertEquals(Severity.MEDIUM, r.severity());
        assertEquals(47, r.riskScore());
        assertEquals(List.of("T1136.003"), r.techniques());
    }

    @Test
    void checkReportsProblemsAndWarningsPerFile() throws Exception {
        Files.writeString(dir.resolve("a-single.eql"), "sequence [any where true]");
        Files.writeString(dir.resolve("b-broken.toml"), "[rule]\nrule_id = \"x\"\nquery = \"any where\" junk\n");
        Files.writeString(dir.resolve("c-nolang.toml"), "[rule]\nrule_id = \"y\"\nlanguage = \"kuery\"\nquery = \"a: b\"\n");
        List<String> messages = RuleSet.check(dir);
        assertEquals(3, messages.size(), messages.toString());
        assertTrue(messages.get(0).startsWith(dir.resolve("b-broken.toml") + ":3:21: "), messages.get(0));
        assertTrue(messages.get(1).contains("c-nolang.toml") && messages.get(1).contains("kuery"), messages.get(1));
        assertTrue(messages.get(2).startsWith("warning: " + dir.resolve("a-single.eql") + ":1:1: "), messages.get(2));
        assertEquals(List.of(), RuleSet.check(SeedRuleTest.RULES).stream().filter(m -> !m.startsWith("warning:")).toList());
    }

    @Test
    void duplicateIdsAreRejected() throws Exception {
        Path other = Files.createDirectory(dir.resolve("other"));
        Files.writeString(dir.resolve("same.eql"), "any where true");
        Files.writeString(other.resolve("same.eql"), "any where true");
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> RuleSet.load(List.of(dir, other)));
        assertTrue(e.getMessage().contains("already used"), e.getMessage());
    }

    @Test
    void allowedLatenessIsCadetsOwnRuleKeyInTheConfigsDurationSyntax() throws Exception {
        Files.writeString(dir.resolve("late.toml"), TOML_RULE.replace("severity = \"high\"\n",
                "severity = \"high\"\nallowed_lateness = \"3h\"\n"));
        Files.writeString(dir.resolve("iso.toml"), TOML_RULE.replace("4a1c9d2e-aaaa-bbbb-cccc-000000000001", "iso")
                .replace("severity = \"high\"\n", "severity = \"high\"\nallowed_lateness = \"PT90M\"\n"));
        RuleSet set = RuleSet.load(List.of(dir));
        assertEquals(Duration.ofMinutes(90), set.rules().get(0).allowedLateness());
        assertEquals(Duration.ofHours(3), set.rules().get(1).allowedLateness());
        assertEquals(List.of(), set.warnings(), "allowed_lateness is a key cadet uses");
    }

    @Test
    void aBadAllowedLatenessNamesTheFileTheKeyAndTheValue() throws Exception {
        Path file = dir.resolve("late.toml");
        Files.writeString(file, TOML_RULE.replace("severity = \"high\"\n", "severity = \"high\"\nallowed_lateness = \"3 hours\"\n"));
        RuleLoadException e = assertThrows(RuleLoadException.class, () -> RuleSet.load(List.of(dir)));
        // the value's text starts on line 19, column 21 of the file
        assertEquals(List.of(file + ":19:21: [rule] allowed_lateness = \"3 hours\" is not a duration"
                + " (hint: a quoted duration such as \"90m\", \"3h\" or \"2d\"; units ms, s, m, h, d)"), e.problems());

        Files.writeString(file, TOML_RULE.replace("severity = \"high\"\n", "severity = \"high\"\nallowed_lateness = 3\n"));
        e = assertThrows(RuleLoadException.class, () -> RuleSet.load(List.of(dir)));
        assertTrue(e.getMessage().startsWith(file + ":") && e.getMessage().contains("[rule] allowed_lateness = 3 is not a duration (hint: "),
                e.getMessage());

        Files.writeString(file, TOML_RULE.replace("severity = \"high\"\n", "severity = \"high\"\nallowed_lateness = \"-PT1H\"\n"));
        e = assertThrows(RuleLoadException.class, () -> RuleSet.load(List.of(dir)));
        assertTrue(e.getMessage().contains("allowed_lateness = \"-PT1H\" is not a duration"), e.getMessage());
    }

    @Test
    void aBuiltInRuleHasNoSequencesSoItsAllowedLatenessIsReportedUnused() throws Exception {
        Files.writeString(dir.resolve("baseline.toml"), """
                [rule]
                rule_id = "b"
                type = "admin_baseline"
                allowed_lateness = "3h"
                [rule.admin_baseline]
                threshold = 1
                """);
        RuleSet set = RuleSet.load(List.of(dir));
        assertNull(set.rules().get(0).allowedLateness());
        assertEquals(List.of(dir.resolve("baseline.toml") + ": keys cadet does not use: rule.allowed_lateness"), set.warnings());
    }
}
