package dev.cadet.detect;

import static dev.cadet.detect.AtomicFixtures.T0;
import static dev.cadet.detect.AtomicFixtures.aws;
import static dev.cadet.detect.DetectionEngineTest.hits;
import static dev.cadet.detect.DetectionEngineTest.ids;
import static dev.cadet.detect.DetectionEngineTest.rule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.cadet.detect.Detector.Advance;
import dev.cadet.store.Store.SequenceKey;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Each rule's sequences settle against that rule's own allowed lateness. */
class DetectionEngineLatenessTest {
    /** Waits 3 h; its second step also takes CreateLoginProfile, which "quick" does not read. */
    static final String SLOW = """
            sequence by cloud.account.id with maxspan=5m
              [any where event.action == "CreateUser"] by user.target.name
              [any where event.action in ("CreateAccessKey", "CreateLoginProfile")] by user.target.name
            """;
    /** Waits 10 min. */
    static final String QUICK = """
            sequence by cloud.account.id with maxspan=5m
              [any where event.action == "CreateUser"] by user.target.name
              [any where event.action == "CreateAccessKey"] by user.target.name
            """;
    static final Map<String, Duration> LATENESS = Map.of("slow", Duration.ofHours(3), "quick", Duration.ofMinutes(10));
    static final SequenceKey SLOW_M = new SequenceKey("slow", "[\"123456789012\",\"m\"]");
    static final SequenceKey SLOW_EARLY = new SequenceKey("slow", "[\"123456789012\",\"early\"]");
    static final SequenceKey QUICK_M = new SequenceKey("quick", "[\"123456789012\",\"m\"]");

    static DetectionEngine engine() throws Exception {
        return new DetectionEngine(RuleSet.of(List.of(rule("slow", SLOW), rule("quick", QUICK))), r -> LATENESS.get(r.id()));
    }

    /** Both rules hold the CreateAccessKey at t=60s waiting for its CreateUser; "slow" also an older one of its own. */
    static Advance secondStepsArrive(DetectionEngine engine) {
        Advance a = engine.advance(hits(engine, aws("early", -60, "CreateLoginProfile", null, "early"),
                aws("k1", 60, "CreateAccessKey", null, "m")), T0.plusSeconds(70));
        assertTrue(a.matches().isEmpty());
        assertEquals(Set.of(SLOW_M, SLOW_EARLY, QUICK_M), a.upserts().keySet());
        return a;
    }

    /**
     * 11 minutes past the CreateAccessKey: past "quick"'s lateness, so its pending hit is folded into
     * the settled partials (no CreateUser before it: nothing) and the state is deleted; within "slow"'s.
     * "slow"'s state of the older CreateLoginProfile is due first but settles later: it must not hold
     * back "quick"'s.
     */
    static void quickSettles(DetectionEngine engine) {
        Advance settled = engine.advance(List.of(), T0.plusSeconds(60).plus(Duration.ofMinutes(11)));
        assertEquals(Set.of(QUICK_M), settled.deletes());
        assertTrue(settled.upserts().isEmpty(), settled.upserts().toString());
    }

    /** The CreateUser (t=0) arrives 12 minutes late: it completes "slow"'s chain only. */
    static void lateFirstStepArrives(DetectionEngine engine) {
        Advance late = engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), T0.plus(Duration.ofMinutes(12)));
        assertEquals(1, late.matches().size(), late.matches().toString());
        assertEquals("slow", late.matches().get(0).ruleId());
        assertEquals(List.of("c1", "k1"), ids(late.matches().get(0)));
    }

    @Test
    void aLateFirstStepCompletesTheRuleThatWaitsLongerOnly() throws Exception {
        DetectionEngine engine = engine();
        secondStepsArrive(engine);
        quickSettles(engine);
        lateFirstStepArrives(engine);

        // "slow" settles too, each state once the watermark is 3 h past its events: the lone
        // CreateLoginProfile (t=-60s) first; "quick"'s partial of c1 has long passed maxspan + 10 min.
        Advance settling = engine.advance(List.of(), T0.plus(Duration.ofHours(3)).plusSeconds(59));
        assertEquals(Set.of(SLOW_EARLY, QUICK_M), settling.deletes());
        Advance gone = engine.advance(List.of(), T0.plus(Duration.ofHours(3)).plusSeconds(61));
        assertEquals(Set.of(SLOW_M), gone.deletes());
        assertTrue(gone.matches().isEmpty(), "settling never reports a match again");
    }

    @Test
    void restoredStateSettlesWithItsRulesOwnHorizon() throws Exception {
        DetectionEngine first = engine();
        Advance a = secondStepsArrive(first);
        Map<SequenceKey, String> store = new HashMap<>(a.upserts());

        // A new process: restore from what the store holds; the settle horizon is still per rule.
        DetectionEngine second = engine();
        second.restore(store);
        quickSettles(second);
        lateFirstStepArrives(second);
    }

    @Test
    void oneLatenessForEveryRuleIsTheSameAsTheTwoArgumentEngine() throws Exception {
        // Both wait 10 minutes: the late CreateUser completes neither.
        DetectionEngine engine = new DetectionEngine(RuleSet.of(List.of(rule("slow", SLOW), rule("quick", QUICK))),
                Duration.ofMinutes(10));
        secondStepsArrive(engine);
        Advance settled = engine.advance(List.of(), T0.plusSeconds(60).plus(Duration.ofMinutes(11)));
        assertEquals(Set.of(SLOW_M, SLOW_EARLY, QUICK_M), settled.deletes());
        Advance late = engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), T0.plus(Duration.ofMinutes(12)));
        assertTrue(late.matches().isEmpty(), late.matches().toString());
    }

    @Test
    void everyRuleNeedsALatenessThatIsNotNegative() throws Exception {
        RuleSet rules = RuleSet.of(List.of(rule("slow", SLOW)));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> new DetectionEngine(rules, r -> null));
        assertTrue(missing.getMessage().contains("rule slow"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DetectionEngine(rules, r -> Duration.ofMinutes(-1)));
        assertThrows(IllegalArgumentException.class, () -> new DetectionEngine(rules, Duration.ofMinutes(-1)));
    }

    @Test
    void anAbsurdLatenessKeepsStateInsteadOfFailingTheBatch() throws Exception {
        DetectionEngine engine = new DetectionEngine(RuleSet.of(List.of(rule("slow", SLOW))), r -> Duration.ofDays(1_000_000_000_000L));
        engine.advance(hits(engine, aws("k1", 60, "CreateAccessKey", null, "m")), T0.plusSeconds(70));
        Advance later = engine.advance(List.of(), T0.plus(Duration.ofDays(3650)));
        assertTrue(later.deletes().isEmpty());
        Advance late = engine.advance(hits(engine, aws("c1", 0, "CreateUser", null, "m")), T0.plus(Duration.ofDays(3651)));
        assertEquals(1, late.matches().size());
    }
}
