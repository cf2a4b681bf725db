package dev.cadet.detect;

import static dev.cadet.detect.AtomicFixtures.aws;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.collector.Event;
import dev.cadet.detect.Detector.Advance;
import dev.cadet.detect.Detector.Match;
import dev.cadet.detect.Detector.MatchedEvent;
import dev.cadet.detect.Detector.StepHit;
import dev.cadet.detect.eql.EqlParser;
import dev.cadet.store.Store.SequenceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DetectionEngineTest {
    static final String CREATE_THEN_KEY = """
            sequence by cloud.account.id with maxspan=5m
              [any where event.action == "CreateUser" and not error.code : *] by user.target.name
              [any where event.action == "CreateAccessKey"] by user.target.name
            until [any where event.action == "DeleteUser"] by user.target.name
            """;

    static Rule rule(String id, String query) throws Exception {
        return new Rule(id, id + " name", "", Severity.HIGH, 80, List.of("T1136.003", "T1098.001"), List.of(), List.of(),
                EqlParser.parse(query).query(), Path.of(id + ".eql"));
    }

    static DetectionEngine engine(Rule... rules) {
        return new DetectionEngine(RuleSet.of(List.of(rules)), Duration.ofMinutes(2));
    }

    static List<StepHit> hits(DetectionEngine engine, Event... events) {
        List<StepHit> out = new ArrayList<>();
        for (Event e : events) {
            out.addAll(engine.hits(e));
        }
        out.sort(SequenceState.EVENT_TIME);
        return out;
    }

    static List<String> ids(Match m) {
        return m.events().stream().map(MatchedEvent::id).toList();
    }

    @Test
    void seedRuleThroughTheEngineAlertsOnEveryCreation() throws Exception {
        // The seed rule alone: conf/rules also holds the chain rules, which these events complete too.
        DetectionEngine engine = new DetectionEngine(RuleSet.of(List.of(SeedRuleTest.seedRule())), Duration.ofMinutes(2));
        Event[] all = {AtomicFixtures.test1AddUser(), AtomicFixtures.test2AddApplication(),
            AtomicFixtures.test2AddServicePrincipal(), AtomicFixtures.test2AddCredentials(), AtomicFixtures.test3CreateUser(),
            AtomicFixtures.test3CreateAccessKey(), AtomicFixtures.failedAwsCreateUser(), AtomicFixtures.failedAzureAddUser(),
            AtomicFixtures.azureOtherOperation(), AtomicFixtures.awsOtherOperation(), AtomicFixtures.test4AddUser()};
        Advance a = engine.advance(hits(engine, all), AtomicFixtures.T0.plusSeconds(600));
        assertEquals(List.of("az-1", "az-2a", "az-2b", "az-2c", "ct-3a", "az-4"),
                a.matches().stream().map(m -> ids(m).get(0)).toList());
        assertTrue(a.upserts().isEmpty() && a.deletes().isEmpty(), "a sequence of one keeps no state");
        StepHit hit = engine.hits(AtomicFixtures.test3CreateUser()).get(0);
        assertEquals("[]", hit.joinKey(), "a sequence of one keeps no state: no key text");
        Event noAccount = Event.builder("ct-x", AtomicFixtures.T0, dev.cadet.collector.RawView.empty()).put(Event.DATASET, "aws.cloudtrail")
                .put(Event.ACTION, "CreateUser").put(Event.TARGET_NAME, "x").build();
        assertTrue(engine.hits(noAccount).isEmpty(), "without its 'by' field an event cannot join, even a sequence of one");

        Alert alert = new AlertFactory(engine).toAlert(a.matches().get(4));
        assertEquals("cloud-account-created", alert.ruleId());
        assertEquals(Severity.MEDIUM, alert.severity());
        assertEquals(47, alert.riskScore());
        assertEquals(List.of("T1136.003"), alert.techniques());
        assertEquals("aws.cloudtrail", alert.dataset());
        assertEquals("123456789012", alert.accountId());
        assertEquals("atomic-runner", alert.userName());
        assertEquals("df00tech-atomic-test-user", alert.targetName());
        assertEquals("203.0.113.9", alert.sourceIp());
        assertEquals(List.of("ct-3a"), alert.eventIds());
        assertEquals(Alert.idOf("cloud-account-created", List.of("ct-3a")), alert.id());
    }

    @Test
    void twoStepSequenceWithMaxspanAndBy() throws Exception {
        DetectionEngine engine = engine(rule("keyed", CREATE_THEN_KEY));
        Event create = aws("c1", 0, "CreateUser", null, "mallory");
        Event keyOther = aws("k0", 30, "CreateAccessKey", null, "alice");
        Event key = aws("k1", 60, "CreateAccessKey", null, "mallory");
        Advance a = engine.advance(hits(engine, create, keyOther, key), AtomicFixtures.T0.plusSeconds(61));
        assertEquals(1, a.matches().size());
        assertEquals(List.of("c1", "k1"), ids(a.matches().get(0)));

        Alert alert = new AlertFactory(engine).toAlert(a.matches().get(0));
        assertEquals(AtomicFixtures.T0.plusSeconds(60), alert.timestamp(), "timestamp of the last event");
        assertEquals("mallory", alert.targetName());
        assertEquals(Alert.idOf("keyed", List.of("c1", "k1")), alert.id());
        assertEquals(List.of("T1136.003", "T1098.001"), alert.techniques());

        DetectionEngine late = engine(rule("keyed", CREATE_THEN_KEY));
        Advance tooLate = late.advance(hits(late, aws("c2", 0, "CreateUser", null, "bob"),
                aws("k2", 301, "CreateAccessKey", null, "bob")), AtomicFixtures.T0.plusSeconds(302));
        assertTrue(tooLate.matches().isEmpty(), "beyond maxspan");

        DetectionEngine failed = engine(rule("keyed", CREATE_THEN_KEY));
        assertTrue(failed.advance(hits(failed, aws("c3", 0, "CreateUser", "AccessDenied", "eve"),
                aws("k3", 10, "CreateAccessKey", null, "eve")), AtomicFixtures.T0.plusSeconds(11)).matches().isEmpty());
    }

    @Test
    void untilEndsThePartialMatch() throws Exception {
        DetectionEngine engine = engine(rule("keyed", CREATE_THEN_KEY));
        Advance a = engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m"), aws("d1", 5, "DeleteUser", null, "m"),
                aws("k1", 10, "CreateAccessKey", null, "m")), AtomicFixtures.T0.plusSeconds(11));
        assertTrue(a.matches().isEmpty());
    }

    @Test
    void onePartialPerKeyPerStepTheLatestWins() throws Exception {
        DetectionEngine engine = engine(rule("keyed", CREATE_THEN_KEY));
        Advance a = engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m"), aws("c2", 5, "CreateUser", null, "m"),
                aws("k1", 10, "CreateAccessKey", null, "m"), aws("k2", 20, "CreateAccessKey", null, "m")),
                AtomicFixtures.T0.plusSeconds(21));
        assertEquals(1, a.matches().size(), a.matches().toString());
        assertEquals(List.of("c2", "k1"), ids(a.matches().get(0)));
    }

    @Test
    void stateRoundTripsThroughUpsertsAndRestore() throws Exception {
        Rule r = rule("keyed", CREATE_THEN_KEY);
        DetectionEngine first = engine(r);
        Advance a1 = first.advance(hits(first, aws("c1", 0, "CreateUser", null, "mallory")), AtomicFixtures.T0.plusSeconds(1));
        assertTrue(a1.matches().isEmpty());
        SequenceKey key = new SequenceKey("keyed", "[\"123456789012\",\"mallory\"]");
        assertEquals(List.of(key), List.copyOf(a1.upserts().keySet()));
        assertTrue(a1.upserts().get(key).length() < 400, a1.upserts().get(key));

        // A new process: restore from what the store holds, then the second step arrives.
        DetectionEngine second = engine(r);
        Map<SequenceKey, String> store = new HashMap<>(a1.upserts());
        second.restore(store);
        Advance a2 = second.advance(hits(second, aws("k1", 200, "CreateAccessKey", null, "mallory")),
                AtomicFixtures.T0.plusSeconds(200));
        assertEquals(1, a2.matches().size());
        assertEquals(List.of("c1", "k1"), ids(a2.matches().get(0)));
        assertEquals("mallory", a2.matches().get(0).events().get(0).fields().get(Event.TARGET_NAME));

        // Once the watermark has passed the events, the used-up state goes away.
        Advance a3 = second.advance(List.of(), AtomicFixtures.T0.plusSeconds(400));
        assertEquals(java.util.Set.of(key), a3.deletes());
        assertTrue(second.advance(List.of(), AtomicFixtures.T0.plusSeconds(500)).deletes().isEmpty());
    }

    @Test
    void partialsAreEvictedPastMaxspanPlusLateness() throws Exception {
        DetectionEngine engine = engine(rule("keyed", CREATE_THEN_KEY));
        SequenceKey key = new SequenceKey("keyed", "[\"123456789012\",\"m\"]");
        assertTrue(engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), AtomicFixtures.T0).upserts().containsKey(key));
        // maxspan 5m + lateness 2m: still alive at 6m59s.
        Advance kept = engine.advance(List.of(), AtomicFixtures.T0.plusSeconds(419));
        assertFalse(kept.deletes().contains(key));
        Advance evicted = engine.advance(List.of(), AtomicFixtures.T0.plusSeconds(421));
        assertEquals(java.util.Set.of(key), evicted.deletes());
    }

    @Test
    void lateEarlierStepStillCompletesTheSequence() throws Exception {
        DetectionEngine engine = engine(rule("keyed", CREATE_THEN_KEY));
        Advance a1 = engine.advance(hits(engine, aws("k1", 60, "CreateAccessKey", null, "m")), AtomicFixtures.T0.plusSeconds(70));
        assertTrue(a1.matches().isEmpty());
        // The CreateUser (t=0) arrives in the next window, within the 2 minutes of allowed lateness.
        Advance a2 = engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), AtomicFixtures.T0.plusSeconds(90));
        assertEquals(1, a2.matches().size());
        assertEquals(List.of("c1", "k1"), ids(a2.matches().get(0)));
        // Replaying pending hits never reports the same match twice.
        Advance a3 = engine.advance(hits(engine, aws("x1", 80, "CreateAccessKey", null, "other")), AtomicFixtures.T0.plusSeconds(95));
        assertTrue(a3.matches().isEmpty(), a3.matches().toString());
    }

    private static Detector.StreamWatermark at(String stream, int second) {
        return new Detector.StreamWatermark(stream, AtomicFixtures.T0.plusSeconds(second));
    }

    /** One engine serves every stream: a stream far ahead must not evict the partials of one that is catching up. */
    @Test
    void aStreamAheadDoesNotEvictThePartialsOfAStreamBehind() throws Exception {
        Rule r = rule("keyed", CREATE_THEN_KEY);
        DetectionEngine engine = engine(r);
        SequenceKey key = new SequenceKey("keyed", "[\"123456789012\",\"m\"]");
        // the backfilling stream reads its first part: the CreateUser
        assertTrue(engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), at("aws/backfill", 60)).upserts().containsKey(key));
        // a live stream commits a day later: its watermark is no reason to drop the other's partial
        Advance live = engine.advance(hits(engine, aws("x1", 86_400, "ListUsers", null, "m")), at("aws/live", 86_400));
        assertFalse(live.deletes().contains(key), "the live stream evicted the backfilling stream's partial");
        // the backfilling stream's next part completes the chain
        Advance next = engine.advance(hits(engine, aws("k1", 90, "CreateAccessKey", null, "m")), at("aws/backfill", 120));
        assertEquals(List.of(List.of("c1", "k1")), next.matches().stream().map(DetectionEngineTest::ids).toList());
        // and its own watermark retires the used-up state once both events are older than the 2 minutes of lateness
        assertTrue(engine.advance(List.of(), at("aws/live", 100_000)).deletes().isEmpty());
        assertTrue(engine.advance(List.of(), at("aws/backfill", 209)).deletes().isEmpty());
        assertEquals(java.util.Set.of(key), engine.advance(List.of(), at("aws/backfill", 211)).deletes());

        // a state holding hits of two streams settles by the slower one
        DetectionEngine two = engine(r);
        two.advance(hits(two, aws("c2", 0, "CreateUser", null, "m")), at("a", 10));
        two.advance(hits(two, aws("y1", 5, "ListUsers", null, "m"), aws("c3", 5, "CreateUser", null, "m")), at("b", 10));
        assertTrue(two.advance(List.of(), at("b", 10_000)).deletes().isEmpty(), "stream a has not passed it");
        assertEquals(java.util.Set.of(key), two.advance(List.of(), at("a", 10_000)).deletes());
    }

    /** After a restart each state settles by its own stream again; one whose stream left the config, by all streams that read. */
    @Test
    void restoredStatesSettleByTheirStreamsOrByAllWhenTheirsIsGone() throws Exception {
        Rule r = rule("keyed", CREATE_THEN_KEY);
        DetectionEngine first = engine(r);
        Map<SequenceKey, String> store = new HashMap<>();
        store.putAll(first.advance(hits(first, aws("c1", 0, "CreateUser", null, "m")), at("aws/behind", 60)).upserts());
        store.putAll(first.advance(hits(first, aws("c2", 0, "CreateUser", null, "gone")), at("aws/removed", 60)).upserts());
        assertTrue(store.values().stream().allMatch(json -> json.contains("\"w\":[\"aws/")), store.toString());

        DetectionEngine second = engine(r);
        // a configured stream that has never read anything (its credentials never worked) holds nobody's state
        second.restore(store, List.of(at("aws/behind", 60), at("aws/ahead", 86_400), new Detector.StreamWatermark("aws/never", null)));
        assertTrue(second.advance(List.of(), at("aws/ahead", 86_401)).deletes().isEmpty(), "aws/behind has passed neither state");
        Advance b = second.advance(hits(second, aws("k1", 100, "CreateAccessKey", null, "m")), at("aws/behind", 120));
        assertEquals(List.of(List.of("c1", "k1")), b.matches().stream().map(DetectionEngineTest::ids).toList());
        // once every stream has passed them both go: the removed stream's state does not wait for it for ever
        assertEquals(java.util.Set.of(new SequenceKey("keyed", "[\"123456789012\",\"m\"]"),
                new SequenceKey("keyed", "[\"123456789012\",\"gone\"]")), second.advance(List.of(), at("aws/behind", 86_400)).deletes());
    }

    /**
     * Restarting between any two polls changes no alert, whatever arrives late within the lateness:
     * random streams of a three-step chain for a few users, each event polled up to 8 of the 10
     * minutes of lateness after it happened, run once straight through and once with a new engine
     * restored from the stored state before every poll. (A state only settled is not written again,
     * so the restored engine settles it itself: this is what proves that equivalent.)
     */
    @Test
    void restartingBeforeEveryPollChangesNoAlert() throws Exception {
        Rule r = rule("chain", """
                sequence by cloud.account.id with maxspan=5m
                  [any where event.action == "CreateUser"] by user.target.name
                  [any where event.action == "CreateAccessKey"] by user.target.name
                  [any where event.action == "AttachUserPolicy"] by user.target.name
                until [any where event.action == "DeleteUser"] by user.target.name
                """);
        String[] actions = {"CreateUser", "CreateAccessKey", "AttachUserPolicy", "DeleteUser", "CreateAccessKey", "AttachUserPolicy"};
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        int alerts = 0;
        for (int run = 0; run < 40; run++) {
            Map<Integer, List<Event>> byPoll = new java.util.TreeMap<>();
            for (int i = 0; i < 150; i++) {
                int second = random.nextInt(3 * 3600);
                Event e = aws("r" + run + "-" + i, second, actions[random.nextInt(actions.length)], null, "u" + random.nextInt(3));
                byPoll.computeIfAbsent(second / 60 + random.nextInt(9), p -> new ArrayList<>()).add(e);
            }
            List<List<String>> straight = new ArrayList<>();
            List<List<String>> restarted = new ArrayList<>();
            DetectionEngine one = new DetectionEngine(RuleSet.of(List.of(r)), Duration.ofMinutes(10));
            Map<SequenceKey, String> store = new HashMap<>();
            for (int poll = 0; poll <= 200; poll++) {
                List<Event> arriving = byPoll.getOrDefault(poll, List.of());
                Instant watermark = AtomicFixtures.T0.plusSeconds(60L * (poll + 1));
                one.advance(hits(one, arriving.toArray(new Event[0])), watermark).matches().forEach(m -> straight.add(ids(m)));
                DetectionEngine fresh = new DetectionEngine(RuleSet.of(List.of(r)), Duration.ofMinutes(10));
                fresh.restore(new HashMap<>(store));
                Advance a = fresh.advance(hits(fresh, arriving.toArray(new Event[0])), watermark);
                a.matches().forEach(m -> restarted.add(ids(m)));
                store.keySet().removeAll(a.deletes());
                store.putAll(a.upserts());
            }
            assertEquals(straight, restarted, "run " + run);
            assertTrue(store.isEmpty(), "every state goes once the watermark has passed it: " + store.keySet());
            alerts += straight.size();
        }
        assertTrue(alerts > 20, "the runs complete chains: " + alerts);
    }

    /** Memory is bounded by keys x steps: a flood of hits for one key inside the lateness does not grow its state. */
    @Test
    void aFloodOfHitsForOneKeyKeepsItsStateBounded() throws Exception {
        Rule r = rule("keyed", CREATE_THEN_KEY);
        DetectionEngine engine = new DetectionEngine(RuleSet.of(List.of(r)), Duration.ofHours(1));
        SequenceKey key = new SequenceKey("keyed", "[\"123456789012\",\"m\"]");
        int longest = 0;
        for (int i = 0; i < 2_000; i++) { // 2,000 access keys for one user in 33 minutes, one per poll
            Advance a = engine.advance(hits(engine, aws("k" + i, i, "CreateAccessKey", null, "m")), AtomicFixtures.T0.plusSeconds(i + 1));
            assertTrue(a.matches().isEmpty());
            longest = Math.max(longest, a.upserts().get(key).length());
        }
        assertTrue(longest < 300 * (SequenceState.MAX_PENDING + 1), "state text stays bounded, longest " + longest);
        // the chain still forms: a CreateUser in the flood, then one more access key
        Advance created = engine.advance(hits(engine, aws("c1", 2_000, "CreateUser", null, "m")), AtomicFixtures.T0.plusSeconds(2_001));
        assertTrue(created.matches().isEmpty());
        Advance a = engine.advance(hits(engine, aws("k-last", 2_010, "CreateAccessKey", null, "m")), AtomicFixtures.T0.plusSeconds(2_011));
        assertEquals(List.of(List.of("c1", "k-last")), a.matches().stream().map(DetectionEngineTest::ids).toList());
        // and a CreateUser arriving late, older than the kept hits but newer than those folded in early, still pairs
        Advance late = engine.advance(hits(engine, aws("c0", 1_990, "CreateUser", null, "m")), AtomicFixtures.T0.plusSeconds(2_020));
        assertEquals(List.of(List.of("c0", "k1990")), late.matches().stream().map(DetectionEngineTest::ids).toList());
    }

    /** A chain that completes after its first step has settled (older than the lateness) names both events. */
    @Test
    void aMatchCompletedFromASettledPartialListsEveryEvent() throws Exception {
        DetectionEngine engine = engine(rule("keyed", CREATE_THEN_KEY));
        assertTrue(engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), AtomicFixtures.T0.plusSeconds(10)).matches().isEmpty());
        // 2 minutes of lateness pass: the CreateUser is folded into the settled partial
        assertTrue(engine.advance(List.of(), AtomicFixtures.T0.plusSeconds(200)).matches().isEmpty());
        Advance a = engine.advance(hits(engine, aws("k1", 250, "CreateAccessKey", null, "m")), AtomicFixtures.T0.plusSeconds(260));
        assertEquals(List.of(List.of("c1", "k1")), a.matches().stream().map(DetectionEngineTest::ids).toList());
    }

    @Test
    void missingJoinKeyCannotJoinUnlessOptional() throws Exception {
        Event noTarget = aws("c1", 0, "CreateUser", null, null);
        DetectionEngine strict = engine(rule("keyed", CREATE_THEN_KEY));
        assertTrue(strict.hits(noTarget).isEmpty());
        DetectionEngine optional = engine(rule("opt", CREATE_THEN_KEY.replace("] by user.target.name", "] by ?user.target.name")));
        List<StepHit> h = optional.hits(noTarget);
        assertEquals(1, h.size());
        assertEquals("[\"123456789012\",null]", h.get(0).joinKey());
    }

    private static Event event(String dataset, Object action, Object operation) {
        Event.Builder b = Event.builder("e-" + action, Instant.parse("2026-01-01T00:00:00Z"), dev.cadet.collector.RawView.empty())
                .put(Event.DATASET, dataset).put(Event.ACTION, action).put(Event.ACCOUNT_ID, "1");
        if (operation != null) {
            b.put("azure.auditlogs.operation_name", operation);
        }
        return b.build();
    }

    private static List<String> fired(DetectionEngine engine, Event e) {
        return engine.hits(e).stream().map(StepHit::ruleId).sorted().toList();
    }

    @Test
    void indexKeepsCaseSemanticsOfEachOperator() throws Exception {
        DetectionEngine engine = engine(
                rule("eq", "any where event.action == \"CreateUser\""),
                rule("in", "any where event.action in (\"CreateUser\", \"X\")"),
                rule("in-tilde", "any where event.action in~ (\"createuser\")"),
                rule("colon", "any where event.action : \"CREATEUSER\""),
                rule("dataset-colon", "any where event.dataset : \"AWS.CloudTrail\" and event.action == \"CreateUser\""));
        assertEquals(0, engine.unindexedSteps());
        assertEquals(List.of("colon", "dataset-colon", "eq", "in", "in-tilde"), fired(engine, event("aws.cloudtrail", "CreateUser", null)));
        assertEquals(List.of("colon", "in-tilde"), fired(engine, event("aws.cloudtrail", "createUSER", null)));
        assertEquals(List.of("colon", "in-tilde"), fired(engine, event("aws.cloudtrail", List.of("nope", "createuser"), null)));
        // the index compares as equalsIgnoreCase does: dotted capital I equals i ignoring case
        DetectionEngine dotted = engine(rule("i", "any where event.action : \"i\""), rule("ds", "any where event.dataset : \"\u0130\""));
        assertEquals(List.of("ds", "i"), fired(dotted, event("i", "\u0130", null)));
        // a number compares with a numeric string literal by value: a non-string value is not looked up as text
        DetectionEngine numeric = engine(rule("num", "any where event.action == \"5\""), rule("ds-num", "any where event.dataset == \"d\" and event.action == \"5.0\""));
        assertEquals(List.of("ds-num", "num"), fired(numeric, event("d", 5L, null)));
    }

    @Test
    void orOfDatasetAndActionGroupsIsIndexedByPairs() throws Exception {
        DetectionEngine engine = engine(rule("seed", """
                any where event.dataset in ("azure.auditlogs", "aws.cloudtrail")
                and ((event.dataset == "azure.auditlogs" and azure.auditlogs.operation_name in ("Add user") and event.outcome == "success")
                  or (event.dataset == "aws.cloudtrail" and event.action in ("CreateUser", "CreateRole") and not error.code : *))
                """));
        assertEquals(0, engine.unindexedSteps());
        assertEquals(List.of("seed"), fired(engine, event("aws.cloudtrail", "CreateRole", null)));
        assertEquals(List.of(), fired(engine, event("aws.cloudtrail", "Add user", "Add user")), "the azure key needs the azure dataset");
        assertEquals(List.of(), fired(engine, event("azure.auditlogs", "CreateRole", null)), "the aws key needs the aws dataset");
        Event azure = Event.builder("az", Instant.parse("2026-01-01T00:00:00Z"), dev.cadet.collector.RawView.empty())
                .put(Event.DATASET, "azure.auditlogs").put(Event.ACCOUNT_ID, "1").put("azure.auditlogs.operation_name", "Add user")
                .put(Event.OUTCOME, "success").build();
        assertEquals(List.of("seed"), fired(engine, azure));
    }

    @Test
    void indexLimitsCandidatesButNotResults() throws Exception {
        DetectionEngine engine = engine(
                rule("by-action", "any where event.action in (\"CreateUser\", \"CreateRole\")"),
                rule("by-dataset", "any where event.dataset == \"aws.cloudtrail\" and user.name : \"atomic*\""),
                rule("unindexed", "any where user.name : \"atomic*\""),
                rule("other-action", "any where event.action == \"ConsoleLogin\""));
        assertEquals(1, engine.unindexedSteps());
        List<String> fired = engine.hits(aws("c1", 0, "CreateUser", null, "m")).stream().map(StepHit::ruleId).sorted().toList();
        assertEquals(List.of("by-action", "by-dataset", "unindexed"), fired);
        assertTrue(engine.hits(aws("c1", 0, "ListUsers", null, "m")).stream().noneMatch(h -> h.ruleId().startsWith("by-action")));
    }

    @Test
    void restoreDropsStateOfRemovedRules() {
        DetectionEngine engine = engine();
        SequenceKey gone = new SequenceKey("removed-rule", "[]");
        engine.restore(Map.of(gone, "{\"s\":[null]}"));
        assertEquals(java.util.Set.of(gone), engine.advance(List.of(), Instant.now()).deletes());
    }

    @Test
    void aMultiValuedActionReachingOneStepTwiceGivesOneHit() throws Exception {
        DetectionEngine engine = engine(rule("either", "any where event.action in (\"CreateUser\", \"CreateRole\")"));
        Event e = Event.builder("m1", AtomicFixtures.T0, dev.cadet.collector.RawView.empty())
                .put(Event.ACTION, List.of("CreateUser", "CreateRole")).put(Event.ACCOUNT_ID, "111122223333").build();
        assertEquals(1, engine.hits(e).size(), engine.hits(e).toString());
    }

    @Test
    void identicalRulesUnderTwoIdsBothHit() throws Exception {
        // steps are told apart by identity: two rules with the same query are two candidates
        DetectionEngine engine = engine(rule("one", "any where event.action == \"CreateUser\""),
                rule("two", "any where event.action == \"CreateUser\""));
        List<StepHit> hits = engine.hits(aws("c1", 0, "CreateUser", null, "m"));
        assertEquals(List.of("one", "two"), hits.stream().map(StepHit::ruleId).toList());
    }

    /** The store keys sequence state by the join key text: the direct writer must write what Jackson writes. */
    @Test
    void joinKeyTextIsJacksonsForEveryKindOfValue() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String[] pieces = {"a", "Z", "0", " ", "\"", "\\", "\n", "\t", "\u0001", "\u001f", "\u007f", "\u00e9", "\u2028",
                "\uD83D\uDE00", "/", "<", "'", "user@example.com", "arn:aws:iam::111122223333:user/x"};
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int n = 0; n < 5_000; n++) {
            List<Object> values = new ArrayList<>();
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                int kind = random.nextInt(8);
                if (kind == 0) {
                    values.add(random.nextLong());
                } else if (kind == 1) {
                    values.add(List.of("x", 7L));
                } else {
                    StringBuilder text = new StringBuilder();
                    for (int k = random.nextInt(4); k > 0; k--) {
                        text.append(pieces[random.nextInt(pieces.length)]);
                    }
                    values.add(text.toString());
                }
            }
            assertEquals(json.writeValueAsString(values), DetectionEngine.joinKey(values), values::toString);
        }
    }
}
