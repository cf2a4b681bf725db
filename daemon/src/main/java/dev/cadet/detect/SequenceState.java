package dev.cadet.detect;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.detect.Detector.MatchedEvent;
import dev.cadet.detect.Detector.StepHit;
import dev.cadet.store.Store.SequenceKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sequence state of one rule and one join key, with Elastic's semantics: at most one partial
 * match per step (a newer event for a step replaces the older partial), an event of step n extends
 * the partial that completed step n-1, {@code maxspan} bounds first-to-last event time, and
 * {@code until} drops every partial.
 *
 * <p>Late arrival: hits newer than {@code watermark - allowedLateness} (of the state's rule) are kept ({@link #pending})
 * and replayed in event-time order with every later advance, so an earlier step that arrives after
 * a later one still completes the sequence. Older hits are folded into the settled partials.
 *
 * <p>At most {@link #MAX_PENDING} hits are kept: past that (a flood of hits for one key inside the
 * lateness, say thousands of access keys for one user) the oldest are folded in early, so a state's
 * size is bounded by the rule's steps, not by how many events its key sees. A hit older than those
 * folded that still arrives is then placed after them, not before.
 */
final class SequenceState {
    /** The most hits kept for replay: far more than a key sees within the lateness when nothing floods it. */
    static final int MAX_PENDING = 64;

    static final Comparator<StepHit> EVENT_TIME = Comparator
            .comparing((StepHit h) -> h.event().timestamp())
            .thenComparing(h -> h.event().id())
            // The same event as a later step first, so it cannot both start and extend one partial.
            .thenComparing(Comparator.comparingInt(StepHit::step).reversed());

    private static final ObjectMapper JSON = new ObjectMapper();

    /** settled[s]: the partial match that has completed step s (events in time order), or null. */
    private final List<MatchedEvent>[] settled;
    private final List<StepHit> pending;

    /** The rule and join key this state is for. */
    final SequenceKey key;
    /**
     * The streams whose hits it holds (almost always one): it settles only as far as the slowest of
     * them has read, so a stream that is behind keeps its partials whatever the others do.
     */
    private String[] streams = NO_STREAMS;
    private static final String[] NO_STREAMS = new String[0];
    /** Whether the store holds a version of this state (so that emptying it must delete it there). */
    boolean stored;
    /** Whether the advance running now has changed it (it is then in that advance's list once). */
    boolean changed;
    /** Whether the advance running now has added hits to it: only then is its stored text out of date. */
    boolean tookHits;

    @SuppressWarnings("unchecked")
    SequenceState(SequenceKey key, int steps) {
        this.key = key;
        this.settled = new List[steps - 1];
        this.pending = new ArrayList<>();
    }

    boolean isEmpty() {
        if (!pending.isEmpty()) {
            return false;
        }
        for (List<MatchedEvent> s : settled) {
            if (s != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * The earliest settle horizon past which {@link #settle} has work (a pending hit to fold in, or a
     * settled partial to drop: {@code settle} acts when this is before its horizon), or null for none.
     */
    Instant due(Duration maxspan) {
        Instant due = pending.isEmpty() ? null : pending.get(0).event().timestamp();
        if (maxspan != null) {
            for (List<MatchedEvent> s : settled) {
                if (s != null) {
                    Instant expires = s.get(0).timestamp().plus(maxspan);
                    if (due == null || expires.isBefore(due)) {
                        due = expires;
                    }
                }
            }
        }
        return due;
    }

    /** The due time under which the engine last queued this state, or null when not queued (or gone). */
    Instant queuedDue;

    String[] streams() {
        return streams;
    }

    /** Notes that a stream's hits came in; true if it is a new one for this state. */
    boolean addStream(String stream) {
        for (String s : streams) {
            if (s.equals(stream)) {
                return false;
            }
        }
        streams = Arrays.copyOf(streams, streams.length + 1);
        streams[streams.length - 1] = stream;
        return true;
    }

    /** Replaces the streams (a restored state whose stream is no longer configured). */
    void streams(List<String> replacement) {
        streams = replacement.toArray(NO_STREAMS);
    }

    List<StepHit> pending() {
        return pending;
    }

    /**
     * Adds new hits (sorted by event time) and returns the matches that include at least one of them.
     * Replaying the pending hits may re-form earlier matches; those were returned before and are not
     * returned again.
     */
    List<List<MatchedEvent>> add(List<StepHit> newHits, int steps, Duration maxspan) {
        if (newHits.size() == 1 && pending.isEmpty() && isEmpty()) {
            // the common case, a first hit for this key: alone it completes nothing (a sequence has two steps or more)
            pending.add(newHits.get(0));
            return List.of();
        }
        List<StepHit> all = new ArrayList<>(pending.size() + newHits.size());
        all.addAll(pending);
        all.addAll(newHits);
        all.sort(EVENT_TIME);
        Set<StepHit> fresh = Collections.newSetFromMap(new IdentityHashMap<>());
        fresh.addAll(newHits);
        List<List<MatchedEvent>> matches = new ArrayList<>();
        Set<List<MatchedEvent>> freshPartials = Collections.newSetFromMap(new IdentityHashMap<>());
        List<MatchedEvent>[] slots = settled.clone();
        for (StepHit h : all) {
            List<MatchedEvent> match = run(slots, h, steps, maxspan, fresh, freshPartials);
            if (match != null) {
                matches.add(match);
            }
        }
        pending.clear();
        pending.addAll(all);
        // the replay just ran these oldest hits onto the settled partials first: fold them in for good
        while (pending.size() > MAX_PENDING) {
            run(settled, pending.remove(0), steps, maxspan, null, null);
        }
        return matches;
    }

    /**
     * Applies one hit to the slots; returns the events of a completed match that holds one of the
     * {@code fresh} hits, else null. {@code freshPartials}: during a replay, the running partials
     * (by identity) that hold a fresh hit, so a match re-formed from old hits alone is not returned
     * twice. Both null when settling, which returns nothing (its hits were all replayed before).
     * A match holds every event of its partial, settled ones included.
     */
    private static List<MatchedEvent> run(List<MatchedEvent>[] slots, StepHit h, int steps, Duration maxspan,
                                          Set<StepHit> fresh, Set<List<MatchedEvent>> freshPartials) {
        int step = h.step();
        if (step == DetectionEngine.UNTIL_STEP) {
            Arrays.fill(slots, null);
            return null;
        }
        boolean replaying = fresh != null;
        boolean isFresh = replaying && fresh.contains(h);
        if (step == 0) {
            List<MatchedEvent> start = List.of(h.event());
            if (isFresh) {
                freshPartials.add(start);
            }
            slots[0] = start;
            return null;
        }
        List<MatchedEvent> prev = slots[step - 1];
        if (prev == null) {
            return null;
        }
        slots[step - 1] = null;
        if (maxspan != null && Duration.between(prev.get(0).timestamp(), h.event().timestamp()).compareTo(maxspan) > 0) {
            return null;
        }
        List<MatchedEvent> extended = new ArrayList<>(prev);
        extended.add(h.event());
        boolean holdsFresh = replaying && (isFresh || freshPartials.contains(prev));
        if (step == steps - 1) {
            return holdsFresh ? List.copyOf(extended) : null;
        }
        List<MatchedEvent> partial = List.copyOf(extended);
        if (holdsFresh) {
            freshPartials.add(partial);
        }
        slots[step] = partial;
        return null;
    }

    /**
     * Folds pending hits older than the settle horizon into the settled partials, and drops partials
     * whose first event is older than {@code expiry} (null: never). Returns true if anything changed.
     */
    boolean settle(Instant horizon, Instant expiry, int steps, Duration maxspan) {
        boolean changed = false;
        while (!pending.isEmpty() && pending.get(0).event().timestamp().isBefore(horizon)) {
            run(settled, pending.remove(0), steps, maxspan, null, null);
            changed = true;
        }
        if (expiry != null) {
            for (int s = 0; s < settled.length; s++) {
                if (settled[s] != null && settled[s].get(0).timestamp().isBefore(expiry)) {
                    settled[s] = null;
                    changed = true;
                }
            }
        }
        return changed;
    }

    // ---- persistence: compact JSON

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record StoredEvent(String i, String t, Map<String, String> f) {
    }

    record StoredHit(int k, StoredEvent e) {
    }

    /** {@code s}: settled partials per step; {@code p}: pending hits; {@code w}: the streams (absent in states written before they were recorded). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Stored(List<List<StoredEvent>> s, List<StoredHit> p, List<String> w) {
    }

    /**
     * The state as compact JSON, the {@link Stored} shape {@link #fromJson} reads, written directly: a
     * state is written for every hit of a sequence rule. Each event's text is written once and kept
     * ({@link AlertFields#storedEvent}); the state is the pieces joined, one allocation of its length.
     */
    String toJson() {
        List<String> parts = new ArrayList<>(8 + 2 * pending.size() + 2 * settled.length * settled.length);
        parts.add("{\"s\":[");
        for (int i = 0; i < settled.length; i++) {
            if (i > 0) {
                parts.add(",");
            }
            List<MatchedEvent> slot = settled[i];
            if (slot == null) {
                parts.add("null");
                continue;
            }
            parts.add("[");
            for (int k = 0; k < slot.size(); k++) {
                if (k > 0) {
                    parts.add(",");
                }
                parts.add(stored(slot.get(k)));
            }
            parts.add("]");
        }
        parts.add("]");
        if (!pending.isEmpty()) {
            parts.add(",\"p\":[");
            for (int k = 0; k < pending.size(); k++) {
                StepHit h = pending.get(k);
                parts.add(k > 0 ? ",{\"k\":" : "{\"k\":");
                parts.add(Integer.toString(h.step()));
                parts.add(",\"e\":");
                parts.add(stored(h.event()));
                parts.add("}");
            }
            parts.add("]");
        }
        if (streams.length > 0) {
            StringBuilder w = new StringBuilder(",\"w\":[");
            for (int k = 0; k < streams.length; k++) {
                if (k > 0) {
                    w.append(',');
                }
                JsonText.quote(w, streams[k]);
            }
            parts.add(w.append(']').toString());
        }
        parts.add("}");
        return String.join("", parts);
    }

    /** One event as a {@link StoredEvent}: id, time, and the fields unless there are none. */
    private static String stored(MatchedEvent e) {
        if (e.fields() instanceof AlertFields a) {
            return a.storedEvent(e);
        }
        StringBuilder out = new StringBuilder(256).append("{\"i\":");
        JsonText.quote(out, e.id());
        out.append(",\"t\":");
        JsonText.quote(out, e.timestamp());
        if (!e.fields().isEmpty()) {
            out.append(",\"f\":{");
            boolean first = true;
            for (Map.Entry<String, String> f : e.fields().entrySet()) {
                if (!first) {
                    out.append(',');
                }
                first = false;
                JsonText.quote(out, f.getKey());
                out.append(':');
                JsonText.quote(out, f.getValue());
            }
            out.append('}');
        }
        return out.append('}').toString();
    }

    /** Reads state written by {@link #toJson}; throws IllegalArgumentException if it does not fit the rule. */
    static SequenceState fromJson(String json, SequenceKey key, int steps) {
        String ruleId = key.ruleId();
        String joinKey = key.joinKey();
        Stored stored;
        try {
            stored = JSON.readValue(json, Stored.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("unreadable sequence state: " + e.getOriginalMessage());
        }
        SequenceState state = new SequenceState(key, steps);
        List<List<StoredEvent>> s = stored.s() == null ? List.of() : stored.s();
        if (s.size() != steps - 1) {
            throw new IllegalArgumentException("state has " + (s.size() + 1) + " steps, the rule has " + steps);
        }
        for (int i = 0; i < s.size(); i++) {
            state.settled[i] = s.get(i) == null ? null : s.get(i).stream().map(SequenceState::load).toList();
        }
        if (stored.p() != null) {
            for (StoredHit h : stored.p()) {
                if (h.k() != DetectionEngine.UNTIL_STEP && (h.k() < 0 || h.k() >= steps)) {
                    throw new IllegalArgumentException("pending hit for step " + h.k() + " of a " + steps + "-step rule");
                }
                state.pending.add(new StepHit(ruleId, h.k(), load(h.e()), joinKey));
            }
        }
        if (stored.w() != null) {
            state.streams(stored.w());
        }
        return state;
    }

    private static MatchedEvent load(StoredEvent e) {
        Map<String, String> fields = e.f() == null ? Map.of() : Map.copyOf(e.f());
        AlertFields alertFields = AlertFields.ofStored(fields);
        return new MatchedEvent(e.i(), Instant.parse(e.t()), alertFields != null ? alertFields : fields);
    }
}
