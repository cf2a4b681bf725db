package dev.cadet.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.FieldPath;
import dev.cadet.detect.eql.Query;
import dev.cadet.store.Store.SequenceKey;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The EQL detection engine ({@link Detector}). Rule steps are indexed by the {@code event.dataset}
 * and {@code event.action} (or other field) literals their condition requires ({@link StepIndex}),
 * so an event is tested only against the steps it could satisfy (plus the few that cannot be indexed).
 *
 * <p>Step numbers in {@link StepHit}: 0-based position in the sequence, {@link #UNTIL_STEP} for the
 * {@code until} query. Join keys: a JSON array of the sequence-level then the step's {@code by} values.
 * State: one entry per rule and join key, as compact JSON (see {@link SequenceState}).
 *
 * <p>Allowed lateness is per rule (see {@link AllowedLateness}): each state settles against its own
 * rule's horizon, {@code watermark - lateness(rule)}, where the watermark is that of the stream whose
 * hits the state holds (the lowest, in the rare state that holds hits of several): a stream catching
 * up keeps its partial sequences however far ahead the others are.
 */
public final class DetectionEngine implements Detector {
    public static final int UNTIL_STEP = -1;
    /**
     * What {@link MatchedEvent#fields()} keeps of an event: what an alert shows, and what tuning
     * (exceptions, suppression keys) matches on.
     */
    public static final List<String> ALERT_FIELDS = List.of(Event.DATASET, Event.ACCOUNT_ID, Event.USER_NAME,
            Event.TARGET_NAME, Event.SOURCE_IP, Event.ACTION, Event.USER_AGENT);

    private static final FieldPath ACCOUNT_ID = FieldPath.of(Event.ACCOUNT_ID);
    /** The join key of a hit of an event query or a sequence of one: they keep no state, so no key is written. */
    static final String STATELESS_JOIN_KEY = "[]";

    private static final Logger LOG = LoggerFactory.getLogger(DetectionEngine.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One step of one rule, compared by identity: the index only ever holds one of each. */
    private record StepRef(Rule rule, int step, Query.Step query, int ordinal) {
        // A record's own equals/hashCode would walk the whole rule (query tree, lists) per candidate per event.
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    private final Map<String, Rule> rules = new LinkedHashMap<>();
    private final StepIndex<StepRef> index = new StepIndex<>(StepRef::ordinal);
    /** Allowed lateness by rule id. */
    private final Map<String, Duration> lateness = new HashMap<>();

    /** Built-in admin_baseline rules, in rule order; their per-account state rides in sequence state, join key = [account]. */
    private final List<Rule> baselineRules = new ArrayList<>();

    // Touched only by advance/restore, which the caller serializes.
    private final Map<SequenceKey, SequenceState> states = new HashMap<>();
    private final Map<SequenceKey, AdminBaseline.State> baselineStates = new HashMap<>();
    /** Each stream's watermark and settle queue, by stream key. */
    private final Map<String, StreamClock> clocks = new HashMap<>();

    /**
     * A stream's watermark (null until it has read something), and its states by the watermark past
     * which they have work, so an advance settles only those instead of walking every state. A state
     * has work once its rule's horizon passes {@link SequenceState#due}, that is once the watermark
     * passes {@code due + lateness(rule)}: one queue serves rules of any lateness. A state is queued
     * with each of its streams; entries a state no longer has are skipped.
     */
    private static final class StreamClock {
        Instant watermark;
        final PriorityQueue<Due> queue = new PriorityQueue<>();
    }

    private StreamClock clock(String stream) {
        return clocks.computeIfAbsent(stream, k -> new StreamClock());
    }

    /**
     * A queue entry: settle the state once the watermark passes the instant {@code settleSecond} +
     * {@code settleNano} (kept as numbers: the queue compares entries of states long out of the CPU
     * cache, and every Instant it dereferenced would be another miss). {@code due} is the state's own
     * due time (the very object it keeps in {@code queuedDue}); an entry whose state no longer keeps it
     * is void. The entry holds the state itself: no lookup by key per settle.
     */
    private record Due(long settleSecond, int settleNano, Instant due, SequenceState state) implements Comparable<Due> {
        Due(Instant settleAt, Instant due, SequenceState state) {
            this(settleAt.getEpochSecond(), settleAt.getNano(), due, state);
        }

        @Override
        public int compareTo(Due o) {
            int c = Long.compare(settleSecond, o.settleSecond);
            return c != 0 ? c : Integer.compare(settleNano, o.settleNano);
        }

        boolean before(Instant t) {
            return settleSecond < t.getEpochSecond() || (settleSecond == t.getEpochSecond() && settleNano < t.getNano());
        }
    }

    private final Set<SequenceKey> staleStored = new HashSet<>();

    /**
     * @param allowedLateness how far behind the watermark an event may still arrive and be put in
     *                        its right place in a sequence, for every rule
     */
    public DetectionEngine(RuleSet ruleSet, Duration allowedLateness) {
        this(ruleSet, everyRule(allowedLateness));
    }

    private static Function<Rule, Duration> everyRule(Duration allowedLateness) {
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowedLateness must not be negative");
        }
        return r -> allowedLateness;
    }

    /**
     * @param allowedLateness per rule: how far behind the watermark an event may still arrive and be
     *                        put in its right place in one of the rule's sequences (e.g.
     *                        {@link AllowedLateness#of}); asked once per rule, here
     */
    public DetectionEngine(RuleSet ruleSet, Function<Rule, Duration> allowedLateness) {
        int ordinal = 0;
        for (Rule r : ruleSet.rules()) {
            rules.put(r.id(), r);
            Duration l = allowedLateness.apply(r);
            if (l == null || l.isNegative()) {
                throw new IllegalArgumentException("rule " + r.id() + ": allowed lateness must be set and not negative, got " + l);
            }
            lateness.put(r.id(), l);
            if (r.isBuiltIn()) {
                baselineRules.add(r);
                continue;
            }
            List<Query.Step> steps = r.query().steps();
            for (int i = 0; i < steps.size(); i++) {
                index(new StepRef(r, i, steps.get(i), ordinal++));
            }
            if (r.query().until() != null && steps.size() > 1) {
                index(new StepRef(r, UNTIL_STEP, r.query().until(), ordinal++));
            }
        }
    }

    private void index(StepRef ref) {
        index.add(ref, ref.query().indexKeys());
    }

    /** The rule with this id, or null. */
    public Rule rule(String id) {
        return rules.get(id);
    }

    /** How many rule steps could not be indexed and are tested against every event. */
    public int unindexedSteps() {
        return index.unindexedCount();
    }

    @Override
    public List<StepHit> hits(Event event) {
        List<StepRef> candidates = index.candidates(event);
        List<StepHit> out = null; // most events hit nothing: no list for them
        MatchedEvent matched = null;
        for (int c = 0; c < candidates.size(); c++) { // indexed: no iterator per event
            StepRef ref = candidates.get(c);
            boolean matches;
            try {
                matches = ref.query().matches(event);
            } catch (RuntimeException e) {
                // One rule's failure must not stop the others.
                LOG.warn("rule {} step {} failed on event {}: {}", ref.rule().id(), ref.step(), event.id(), e.toString());
                continue;
            }
            if (!matches) {
                continue;
            }
            Query query = ref.rule().query();
            String joinKey;
            if (query.steps().size() == 1) {
                // keeps no state: the key only decides whether the event can join at all
                if (!query.joins(ref.query(), event)) {
                    continue;
                }
                joinKey = STATELESS_JOIN_KEY;
            } else {
                List<Object> join = query.joinValues(ref.query(), event);
                if (join == null) {
                    continue;
                }
                joinKey = joinKey(join);
            }
            if (matched == null) {
                matched = matchedEvent(event);
            }
            if (out == null) {
                out = new ArrayList<>(2);
            }
            out.add(new StepHit(ref.rule().id(), ref.step(), matched, joinKey));
        }
        for (int i = 0; i < baselineRules.size(); i++) { // indexed: no iterator per event
            Rule b = baselineRules.get(i);
            List<AdminBaseline.Change> changes;
            try {
                changes = b.adminBaseline().changes(event);
            } catch (RuntimeException e) {
                LOG.warn("rule {} failed on event {}: {}", b.id(), event.id(), e.toString());
                continue;
            }
            if (!changes.isEmpty()) {
                if (out == null) {
                    out = new ArrayList<>(1);
                }
                out.add(new StepHit(b.id(), 0, new MatchedEvent(event.id(), event.timestamp(),
                        new AdminBaseline.HitFields(AlertFields.of(event), changes)), joinKey(List.of(event.get(ACCOUNT_ID).toString()))));
            }
        }
        return out == null ? List.of() : out;
    }

    static MatchedEvent matchedEvent(Event event) {
        return new MatchedEvent(event.id(), event.timestamp(), AlertFields.of(event));
    }

    /**
     * The join key as a JSON array. Strings, the common case, are written directly; other values go
     * through Jackson. Both write the same text, which the store keeps as the key of the sequence
     * state (it must not change between versions).
     */
    static String joinKey(List<Object> values) {
        StringBuilder json = new StringBuilder(80).append('[');
        for (int i = 0; i < values.size(); i++) {
            if (!(values.get(i) instanceof String s)) {
                return jacksonJoinKey(values);
            }
            if (i > 0) {
                json.append(',');
            }
            JsonText.quote(json, s);
        }
        return json.append(']').toString();
    }

    private static String jacksonJoinKey(List<Object> values) {
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("join key not serializable", e);
        }
    }

    @Override
    public Advance advance(List<StepHit> hits, StreamWatermark streamWatermark) {
        String stream = streamWatermark.stream();
        Instant watermark = streamWatermark.watermark();
        if (watermark == null) {
            throw new IllegalArgumentException("stream " + stream + ": an advance needs a watermark");
        }
        StreamClock clock = clock(stream);
        clock.watermark = watermark;
        List<Match> matches = new ArrayList<>();
        Map<SequenceKey, List<StepHit>> byKey = new LinkedHashMap<>();
        List<SequenceState> changed = new ArrayList<>();
        Set<SequenceKey> changedBaselines = new HashSet<>();
        for (StepHit h : hits) {
            Rule rule = rules.get(h.ruleId());
            if (rule == null) {
                throw new IllegalArgumentException("hit for unknown rule " + h.ruleId());
            }
            if (rule.isBuiltIn()) {
                matches.addAll(advanceBaseline(rule, h, changedBaselines));
                continue;
            }
            if (rule.query().steps().size() == 1) {
                // A sequence of one (or an event query) completes at once and needs no state.
                if (h.step() == 0) {
                    matches.add(new Match(rule.id(), List.of(h.event())));
                }
                continue;
            }
            byKey.computeIfAbsent(new SequenceKey(h.ruleId(), h.joinKey()), k -> new ArrayList<>()).add(h);
        }
        for (Map.Entry<SequenceKey, List<StepHit>> e : byKey.entrySet()) {
            Query q = rules.get(e.getKey().ruleId()).query();
            SequenceState state = states.computeIfAbsent(e.getKey(), k -> new SequenceState(k, q.steps().size()));
            List<StepHit> sorted = e.getValue();
            sorted.sort(SequenceState.EVENT_TIME);
            for (List<MatchedEvent> m : state.add(sorted, q.steps().size(), q.maxspan())) {
                matches.add(new Match(e.getKey().ruleId(), m));
            }
            if (state.addStream(stream)) {
                state.queuedDue = null; // queue it afresh, with this stream too
            }
            state.tookHits = true;
            changed(state, changed);
            schedule(state);
        }
        while (!clock.queue.isEmpty() && clock.queue.peek().before(watermark)) {
            Due d = clock.queue.poll();
            SequenceState state = d.state();
            if (state.queuedDue != d.due()) {
                continue; // not the entry the state is queued under (same Instant object): superseded, or the state is gone
            }
            Instant slowest = slowestWatermark(state);
            if (slowest == null || !d.before(slowest)) {
                continue; // another of its streams is behind: its queue holds the state too, and settles it once past
            }
            state.queuedDue = null;
            String ruleId = state.key.ruleId();
            Query q = rules.get(ruleId).query();
            Instant horizon = minus(slowest, lateness.get(ruleId));
            Instant expiry = q.maxspan() == null ? null : minus(horizon, q.maxspan());
            if (state.settle(horizon, expiry, q.steps().size(), q.maxspan())) {
                changed(state, changed);
            }
            schedule(state);
        }
        Map<SequenceKey, String> upserts = new HashMap<>();
        Set<SequenceKey> deletes = new HashSet<>(staleStored);
        staleStored.clear();
        for (SequenceKey k : changedBaselines) {
            upserts.put(k, baselineStates.get(k).toJson());
        }
        for (SequenceState s : changed) {
            s.changed = false;
            if (s.isEmpty()) {
                states.remove(s.key);
                s.queuedDue = null; // voids any queue entry left for it
                if (s.stored) {
                    deletes.add(s.key);
                    s.stored = false;
                }
            } else if (s.tookHits) {
                upserts.put(s.key, s.toJson());
                s.stored = true;
            }
            // A state only settled is not written again: what settling did (fold pending hits past the
            // horizon, drop partials past maxspan) a restored engine does again at its first advance,
            // with the same outcome, as maxspan is checked whenever a partial is extended.
            s.tookHits = false;
        }
        matches.sort(Comparator.comparing((Match m) -> m.events().get(m.events().size() - 1).timestamp())
                .thenComparing(Match::ruleId));
        return new Advance(matches, upserts, deletes);
    }

    /** One hit of an admin_baseline rule (hits arrive sorted by event time): a match per event that adds holders above the baseline. */
    private List<Match> advanceBaseline(Rule rule, StepHit h, Set<SequenceKey> changed) {
        SequenceKey key = new SequenceKey(rule.id(), h.joinKey());
        AdminBaseline baseline = rule.adminBaseline();
        String account = h.event().fields().get(Event.ACCOUNT_ID);
        AdminBaseline.State state = baselineStates.computeIfAbsent(key, k -> baseline.newState(account, h.event().timestamp()));
        if (!(h.event().fields() instanceof AdminBaseline.HitFields hit)) {
            throw new IllegalArgumentException("hit of rule " + rule.id() + " without its privileged changes");
        }
        List<String> added = baseline.apply(state, h.event(), hit.changes());
        changed.add(key);
        if (added.isEmpty()) {
            return List.of();
        }
        // the alert names the new holders; the vendor id keeps the alert id stable across re-reads
        Map<String, String> fields = new LinkedHashMap<>(h.event().fields());
        fields.put(Event.TARGET_NAME, String.join(", ", added));
        LOG.debug("rule {}: account {} has {} privileged holders, baseline {}", rule.id(), account.replaceAll("\\p{Cntrl}", "?"),
                state.count(), state.baseline);
        return List.of(new Match(rule.id(), List.of(new MatchedEvent(h.event().id(), h.event().timestamp(), Map.copyOf(fields)))));
    }

    /** Lists a state as changed by this advance, once. */
    private static void changed(SequenceState state, List<SequenceState> changed) {
        if (!state.changed) {
            state.changed = true;
            changed.add(state);
        }
    }

    /** The lowest watermark of the state's streams, or null when one of them has read nothing yet. */
    private Instant slowestWatermark(SequenceState state) {
        Instant slowest = null;
        for (String stream : state.streams()) {
            Instant w = clock(stream).watermark;
            if (w == null) {
                return null;
            }
            if (slowest == null || w.isBefore(slowest)) {
                slowest = w;
            }
        }
        return slowest;
    }

    /**
     * Queues the state, with each of its streams, under its due time plus its rule's lateness, unless
     * already queued no later.
     */
    private void schedule(SequenceState state) {
        String ruleId = state.key.ruleId();
        Instant due = state.due(rules.get(ruleId).query().maxspan());
        if (due != null && (state.queuedDue == null || due.isBefore(state.queuedDue))) {
            state.queuedDue = due;
            Instant settleAt = plus(due, lateness.get(ruleId));
            for (String stream : state.streams()) {
                clock(stream).queue.add(new Due(settleAt, due, state));
            }
        }
    }

    // A lateness of a million years is a typo, not a reason to fail a poll: clamp at the ends of time.
    private static Instant plus(Instant t, Duration d) {
        try {
            return t.plus(d);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MAX;
        }
    }

    private static Instant minus(Instant t, Duration d) {
        try {
            return t.minus(d);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MIN;
        }
    }

    /**
     * Replaces the in-memory state. Entries for rules that no longer exist or changed their number
     * of steps, and unreadable entries, are logged and deleted with the next {@link #advance}.
     */
    @Override
    public void restore(Map<SequenceKey, String> state, List<StreamWatermark> watermarks) {
        states.clear();
        clocks.values().forEach(c -> c.queue.clear());
        for (StreamWatermark w : watermarks) {
            clock(w.stream()).watermark = w.watermark();
        }
        List<String> configured = List.copyOf(clocks.keySet());
        List<String> reading = clocks.entrySet().stream().filter(c -> c.getValue().watermark != null).map(Map.Entry::getKey).toList();
        // a state whose stream is unknown settles by these: the streams that have read something (one that
        // never succeeds would hold it for ever), else every stream, else the single stream of the callers that have one
        List<String> fallback = !reading.isEmpty() ? reading : !configured.isEmpty() ? configured : List.of(SINGLE_STREAM);
        baselineStates.clear();
        staleStored.clear();
        for (Map.Entry<SequenceKey, String> e : state.entrySet()) {
            SequenceKey key = e.getKey();
            Rule rule = rules.get(key.ruleId());
            if (rule != null && rule.isBuiltIn()) {
                try {
                    baselineStates.put(key, AdminBaseline.State.fromJson(e.getValue()));
                } catch (IllegalArgumentException ex) {
                    LOG.warn("dropping admin baseline state of rule {}: {}", key.ruleId(), ex.getMessage());
                    staleStored.add(key);
                }
                continue;
            }
            if (rule == null || rule.query().steps().size() < 2) {
                LOG.info("dropping sequence state of rule {}: the rule is gone or no longer a multi-step sequence", key.ruleId());
                staleStored.add(key);
                continue;
            }
            try {
                SequenceState restored = SequenceState.fromJson(e.getValue(), key, rule.query().steps().size());
                restored.stored = true;
                if (restored.streams().length == 0 || !configured.isEmpty() && !configured.containsAll(List.of(restored.streams()))) {
                    // written before states named their streams, or its stream is no longer configured
                    restored.streams(fallback);
                }
                states.put(key, restored);
                schedule(restored);
            } catch (IllegalArgumentException ex) {
                LOG.warn("dropping sequence state of rule {}: {}", key.ruleId(), ex.getMessage());
                staleStored.add(key);
            }
        }
    }
}
