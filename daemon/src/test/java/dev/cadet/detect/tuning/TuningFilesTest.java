package dev.cadet.detect.tuning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.collector.Event;
import dev.cadet.detect.Detector.MatchedEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningFilesTest {
    static final Instant NOW = Instant.parse("2026-05-01T12:00:00Z");

    @TempDir
    Path dir;

    private TuningFiles load(String yaml) throws Exception {
        Files.writeString(dir.resolve("iac.yaml"), yaml);
        return TuningFiles.load(List.of(dir), NOW);
    }

    private ExceptionEntry only(String conditions) throws Exception {
        TuningFiles f = load("exceptions:\n  - rule: r1\n" + conditions.indent(4)
                + "    reason: test\n    expires: 2026-12-31\n");
        assertEquals(List.of(), f.problems());
        assertEquals(1, f.exceptions().size());
        return f.exceptions().get(0);
    }

    static MatchedEvent event(String... kv) {
        Map<String, String> f = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            f.put(kv[i], kv[i + 1]);
        }
        return new MatchedEvent("e1", Instant.parse("2026-04-01T10:00:00Z"), f);
    }

    @Test
    void actorIsAGlobOnUserName() throws Exception {
        ExceptionEntry e = only("actor: \"svc-sailpoint*\"");
        assertTrue(e.matches(event(Event.USER_NAME, "svc-SailPoint-prod")), "case-insensitive");
        assertFalse(e.matches(event(Event.USER_NAME, "admin-svc-sailpoint")), "whole value");
        assertFalse(e.matches(event(Event.TARGET_NAME, "svc-sailpoint")), "absent field does not match");
    }

    @Test
    void userAgentGlobWithQuestionMarkAndLiteralDots() throws Exception {
        ExceptionEntry e = only("user_agent: \"APN/1.0 HashiCorp/* Terraform/1.?.*\"");
        assertTrue(e.matches(event(Event.USER_AGENT, "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io)")));
        assertFalse(e.matches(event(Event.USER_AGENT, "APN/1x0 HashiCorp/1.0 Terraform/1.9.8")), "a dot is literal");
        assertFalse(e.matches(event(Event.USER_AGENT, "aws-cli/2.15 Terraform/1.9.8")));
    }

    @Test
    void targetAndAccount() throws Exception {
        ExceptionEntry e = only("target: \"svc-*\"\naccount: \"012345678901\"");
        assertTrue(e.matches(event(Event.TARGET_NAME, "svc-build", Event.ACCOUNT_ID, "012345678901")));
        assertFalse(e.matches(event(Event.TARGET_NAME, "svc-build", Event.ACCOUNT_ID, "012345678902")), "AND of conditions");
        assertFalse(e.matches(event(Event.TARGET_NAME, "alice", Event.ACCOUNT_ID, "012345678901")));
    }

    @Test
    void sourceIpCidrV4AndV6() throws Exception {
        ExceptionEntry v4 = only("source_ip: 10.20.0.0/16");
        assertTrue(v4.matches(event(Event.SOURCE_IP, "10.20.255.1")));
        assertFalse(v4.matches(event(Event.SOURCE_IP, "10.21.0.1")));
        assertTrue(v4.matches(event(Event.SOURCE_IP, "::ffff:10.20.1.1")), "IPv4-mapped IPv6");
        assertFalse(v4.matches(event(Event.SOURCE_IP, "iam.amazonaws.com")), "a host name is not an IP");

        ExceptionEntry v6 = only("source_ip: \"2001:db8:4000::/48\"");
        assertTrue(v6.matches(event(Event.SOURCE_IP, "2001:db8:4000:12::7")));
        assertTrue(v6.matches(event(Event.SOURCE_IP, "2001:0DB8:4000:ffff:ffff:ffff:ffff:ffff")));
        assertFalse(v6.matches(event(Event.SOURCE_IP, "2001:db8:4001::1")));
        assertFalse(v6.matches(event(Event.SOURCE_IP, "10.20.1.1")), "no v4 in a v6 range");

        ExceptionEntry single = only("source_ip: 203.0.113.9");
        assertTrue(single.matches(event(Event.SOURCE_IP, "203.0.113.9")));
        assertFalse(single.matches(event(Event.SOURCE_IP, "203.0.113.10")));
    }

    @Test
    void odd_prefix_lengths() {
        assertTrue(IpRange.parse("192.168.1.128/25").contains("192.168.1.200"));
        assertFalse(IpRange.parse("192.168.1.128/25").contains("192.168.1.127"));
        assertTrue(IpRange.parse("0.0.0.0/0").contains("8.8.8.8"));
        assertTrue(IpRange.parse("fe80::/10").contains("febf::1"));
        assertFalse(IpRange.parse("fe80::/10").contains("fec0::1"));
    }

    @Test
    void activePeriodIsOnEventTime() throws Exception {
        ExceptionEntry e = only("actor: hr\nactive: {from: 2026-04-01, until: 2026-04-01}");
        assertTrue(e.matches(event(Event.USER_NAME, "hr")), "until a date is the end of that day");
        MatchedEvent after = new MatchedEvent("e2", Instant.parse("2026-04-02T00:00:00Z"), Map.of(Event.USER_NAME, "hr"));
        assertFalse(e.matches(after));
        MatchedEvent before = new MatchedEvent("e3", Instant.parse("2026-03-31T23:59:59Z"), Map.of(Event.USER_NAME, "hr"));
        assertFalse(e.matches(before));
    }

    @Test
    void expiredEntriesAreReportedAndLeftOut() throws Exception {
        TuningFiles f = load("""
                exceptions:
                  - {rule: r1, actor: a, reason: old pipeline, expires: 2026-04-30}
                  - {rule: r1, actor: b, reason: current, expires: "2026-05-01T12:00:01Z"}
                """);
        assertEquals(List.of(), f.problems());
        assertEquals(List.of("r1"), f.exceptions().stream().map(ExceptionEntry::rule).toList());
        assertEquals(1, f.warnings().size());
        String w = f.warnings().get(0);
        assertTrue(w.startsWith(dir.resolve("iac.yaml") + ": exceptions[0]: expired 2026-05-01T00:00:00Z"), w);
        assertTrue(w.contains("old pipeline"), w);
        ExceptionEntry current = f.exceptions().get(0);
        assertFalse(current.expired(NOW));
        assertTrue(current.expired(Instant.parse("2026-05-01T12:00:01Z")), "expiry on the wall clock");
    }

    @Test
    void badEntriesNameTheFileAndTheEntry() throws Exception {
        TuningFiles f = load("""
                exceptions:
                  - {rule: r1, actor: a, reason: x, expires: 2026-12-31}
                  - {rule: r1, actor: b, reason: x, expires: 2026-12-31}
                  - {rule: r1, source_ip: 10.0.0.0/33, reason: x, expires: 2026-12-31}
                  - {rule: r1, actor: c, expires: 2026-13-01}
                  - {rule: r1, reason: nothing to match, expires: 2026-12-31}
                  - {rule: r1, account: 111122223333, reason: x, expires: 2026-12-31, colour: red}
                  - just text
                suppress:
                  - {rule: r1, by: [user.target.name, no.such.field], for: 1x, reason: x}
                  - {rule: r2, for: 1h}
                """);
        String file = dir.resolve("iac.yaml").toString();
        List<String> expected = List.of(
                file + ": exceptions[6]: expected a mapping",
                file + ": exceptions[2].source_ip: not an IP or CIDR: \"10.0.0.0/33\"",
                file + ": exceptions[3].reason: required",
                file + ": exceptions[3].expires: not an ISO date or date-time with offset: \"2026-13-01\" (e.g. 2026-12-31 or 2026-12-31T18:00:00Z)",
                file + ": exceptions[4]: needs at least one condition: actor, user_agent, source_ip, target or account",
                file + ": exceptions[5].colour: unknown key (expected one of account, active, actor, expires, reason, rule, source_ip, target, user_agent)",
                file + ": exceptions[5].account: quote the account id (\"012345678901\") so YAML keeps it as text",
                file + ": suppress[0].by[1]: unknown field \"no.such.field\" (one of event.dataset, cloud.account.id, user.name, user.target.name, source.ip, event.action, user_agent.original)",
                file + ": suppress[0].for: not a duration: \"1x\" (use e.g. 90s, 5m, 1h, 7d)",
                file + ": suppress[1].reason: required",
                file + ": suppress[1].by: required: a list of fields, e.g. [user.target.name]");
        assertEquals(expected.stream().sorted().toList(), f.problems().stream().sorted().toList());
        assertEquals(2, f.exceptions().size(), "good entries still load, for check-config to show the rest");
    }

    @Test
    void notYamlAndMissingDirectory() throws Exception {
        TuningFiles f = load("exceptions: [ {rule: r1\n");
        assertEquals(1, f.problems().size());
        assertTrue(f.problems().get(0).startsWith(dir.resolve("iac.yaml") + ": not valid YAML"), f.problems().get(0));
        TuningFiles missing = TuningFiles.load(List.of(dir.resolve("nope")), NOW);
        assertEquals(List.of(dir.resolve("nope") + ": the exceptions directory does not exist (or is not a directory)"),
                missing.problems());
    }

    @Test
    void suppressionEntry() throws Exception {
        TuningFiles f = load("suppress:\n  - {rule: \"*\", by: [cloud.account.id, user.target.name], for: 90m, reason: one per hour}\n");
        assertEquals(List.of(), f.problems());
        SuppressionEntry s = f.suppressions().get(0);
        assertEquals(Duration.ofMinutes(90), s.length());
        assertTrue(s.appliesTo("anything"));
        assertEquals(List.of("cloud.account.id", "user.target.name"), s.by());
    }

    /** The shipped examples change nothing as shipped, and every example is valid once uncommented. */
    @Test
    void shippedExamplesAreCommentedOutAndValid() throws Exception {
        Path shipped = Path.of("../conf/exceptions/examples.yaml");
        TuningFiles asShipped = TuningFiles.load(List.of(shipped.getParent()), NOW);
        assertEquals(List.of(), asShipped.problems());
        assertEquals(0, asShipped.exceptions().size() + asShipped.suppressions().size() + asShipped.warnings().size());

        List<String> lines = Files.readAllLines(shipped);
        int start = lines.indexOf(lines.stream().filter(l -> l.startsWith("# ---")).findFirst().orElseThrow());
        String uncommented = lines.subList(start, lines.size()).stream()
                .filter(l -> !l.startsWith("# ---") && !l.isBlank())
                .map(l -> l.startsWith("# ") ? l.substring(2) : l)
                .collect(Collectors.joining("\n"));
        TuningFiles examples = load(uncommented);
        assertEquals(List.of(), examples.problems(), uncommented);
        assertEquals(6, examples.exceptions().size());
        assertEquals(1, examples.suppressions().size());
        assertTrue(examples.exceptions().stream().allMatch(e -> e.reason() != null && e.expires() != null));
    }
}
