package dev.cadet.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.QuotaScope;
import dev.cadet.collector.StreamSpec;
import dev.cadet.collector.TimeAxis;
import dev.cadet.config.CadetConfig;
import dev.cadet.config.ConfigLoader;
import dev.cadet.config.SecretReferences;
import dev.cadet.detect.AllowedLateness;
import dev.cadet.detect.Rule;
import dev.cadet.detect.RuleSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How late a rule's sequence events may arrive: the rule's own key, else the config's word, else the
 * re-scan overlap of the streams the rule reads, else of all streams, else one hour.
 */
class AllowedLatenessTest {
    @TempDir
    Path dir;

    static final String NO_CONFIG = "store: {path: x.db}\n";

    static final List<StreamSpec> STREAMS = List.of(
            stream("aws/1/us-east-1", "aws.cloudtrail", Duration.ofHours(1)),
            stream("gws/c1/admin", "google_workspace.admin", Duration.ofHours(3)),
            stream("gws/c1/login", "google_workspace.login", Duration.ofHours(48)),
            stream("file/drop", "file", Duration.ZERO));

    static StreamSpec stream(String key, String dataset, Duration overlap) {
        return new StreamSpec(key, dataset, TimeAxis.EVENT_TIME, Duration.ofMinutes(5), overlap, Duration.ofHours(1),
                Duration.ofDays(90), Duration.ofHours(1), QuotaScope.unlimited(key), Map.of());
    }

    private static CadetConfig config(String yaml) {
        return new ConfigLoader(Path.of("."), new SecretReferences(Map.of())).parse(yaml, "test");
    }

    private void ruleFile(String id, String extra, String query) throws Exception {
        Files.writeString(dir.resolve(id + ".toml"), "[rule]\nrule_id = \"" + id + "\"\nlanguage = \"eql\"\n" + extra
                + "query = '''\n" + query + "'''\n");
    }

    private static String chain(String firstDataset, String secondDataset) {
        return "sequence by user.target.name with maxspan=1h\n"
                + "  [any where " + (firstDataset == null ? "" : "event.dataset == \"" + firstDataset + "\" and ")
                + "event.action == \"CreateUser\"]\n"
                + "  [any where " + (secondDataset == null ? "" : "event.dataset : \"" + secondDataset + "\" and ")
                + "event.action == \"AddRole\"]\n";
    }

    /** A rule pack covering each branch of the resolution. */
    private RuleSet rules() throws Exception {
        ruleFile("aws-chain", "", chain("aws.cloudtrail", "aws.cloudtrail"));
        ruleFile("gws-chain", "", chain("google_workspace.admin", "GOOGLE_WORKSPACE.ADMIN"));
        ruleFile("cross-chain", "", chain("aws.cloudtrail", "google_workspace.admin"));
        ruleFile("any-chain", "", chain("aws.cloudtrail", null));
        ruleFile("okta-chain", "", chain("okta.system", "okta.system"));
        ruleFile("own-key", "allowed_lateness = \"20m\"\n", chain("aws.cloudtrail", "aws.cloudtrail"));
        ruleFile("single", "", "any where event.dataset == \"aws.cloudtrail\" and event.action == \"CreateUser\"\n");
        RuleSet rules = RuleSet.load(List.of(dir));
        assertEquals(List.of(), rules.warnings());
        return rules;
    }

    private static Duration of(AllowedLateness l, RuleSet rules, String id) {
        Rule rule = rules.rules().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
        return l.of(rule);
    }

    @Test
    void eachRuleWaitsAsLongAsTheStreamsItReadsReScan() throws Exception {
        RuleSet rules = rules();
        AllowedLateness l = DaemonModule.allowedLateness(config(NO_CONFIG), rules, STREAMS);
        // Only the 1 h CloudTrail stream carries its events, although a Workspace stream re-scans 48 h.
        assertEquals(Duration.ofHours(1), of(l, rules, "aws-chain"));
        assertEquals("re-scan overlap of aws.cloudtrail", l.choice("aws-chain").reason());
        // A CREATE_USER read 3 h late must still start the chain; ':' compares without case.
        assertEquals(Duration.ofHours(3), of(l, rules, "gws-chain"));
        assertEquals(Duration.ofHours(3), of(l, rules, "cross-chain"), "the longest of the streams it reads");
        // A step without a dataset can read any stream; a dataset no enabled stream has: all streams.
        assertEquals(Duration.ofHours(48), of(l, rules, "any-chain"));
        assertEquals("longest re-scan overlap of all streams (google_workspace.login): reads any dataset",
                l.choice("any-chain").reason());
        assertEquals(Duration.ofHours(48), of(l, rules, "okta-chain"));
        assertEquals(Duration.ofMinutes(20), of(l, rules, "own-key"));
        assertEquals("the rule's allowed_lateness", l.choice("own-key").reason());

        assertEquals(List.of(
                "PT48H (longest re-scan overlap of all streams (google_workspace.login): reads any dataset): 1 rule, any-chain",
                "PT48H (longest re-scan overlap of all streams (google_workspace.login): no stream of its datasets): 1 rule, okta-chain",
                "PT3H (re-scan overlap of google_workspace.admin): 2 rules, cross-chain, gws-chain",
                "PT1H (re-scan overlap of aws.cloudtrail): 1 rule, aws-chain",
                "PT20M (the rule's allowed_lateness): 1 rule, own-key"), l.summary(rules, 5),
                "one line per lateness and reason, sequences only (not the single-event rule)");
        assertEquals("PT3H (re-scan overlap of google_workspace.admin): 2 rules, cross-chain and 1 more",
                l.summary(rules, 1).get(2));
    }

    @Test
    void theConfigWinsOverTheStreamsButNotOverTheRule() throws Exception {
        RuleSet rules = rules();
        AllowedLateness l = DaemonModule.allowedLateness(config("detection: {allowed_lateness: 2h}\n"), rules, STREAMS);
        for (String id : List.of("aws-chain", "gws-chain", "cross-chain", "any-chain", "okta-chain", "single")) {
            assertEquals(Duration.ofHours(2), of(l, rules, id), id);
            assertEquals("detection.allowed_lateness", l.choice(id).reason());
        }
        assertEquals(Duration.ofMinutes(20), of(l, rules, "own-key"));
    }

    @Test
    void withoutOverlapsItIsOneHour() throws Exception {
        RuleSet rules = rules();
        for (List<StreamSpec> streams : List.of(List.<StreamSpec>of(), List.of(stream("file/drop", "file", Duration.ZERO)))) {
            AllowedLateness l = DaemonModule.allowedLateness(config(NO_CONFIG), rules, streams);
            assertEquals(Duration.ofHours(1), of(l, rules, "gws-chain"));
            assertEquals(Duration.ofHours(1), of(l, rules, "any-chain"));
            assertEquals("no stream re-scans", l.choice("any-chain").reason());
            assertEquals(Duration.ofMinutes(20), of(l, rules, "own-key"));
        }
    }

    @Test
    void everyShippedSequenceRuleGetsTheOverlapOfItsOwnStream() throws Exception {
        RuleSet shipped = RuleSet.load(List.of(Path.of("..", "conf", "rules")));
        AllowedLateness l = DaemonModule.allowedLateness(config(NO_CONFIG), shipped, STREAMS);
        List<Rule> sequences = shipped.rules().stream()
                .filter(r -> r.query() != null && r.query().steps().size() > 1).toList();
        assertTrue(sequences.size() >= 5, sequences.toString());
        for (Rule r : sequences) {
            assertEquals(null, r.allowedLateness(), r.id() + ": shipped rules take the default");
            // Each pins its dataset: with no stream of it, the reason says so (rather than "reads any dataset").
            assertTrue(!l.choice(r.id()).reason().endsWith("reads any dataset"), r.id() + ": " + l.choice(r.id()));
        }
        assertEquals(Duration.ofHours(3), l.of(sequences.stream().filter(r -> r.id().equals("gws-user-created-then-admin"))
                .findFirst().orElseThrow()));
    }
}
