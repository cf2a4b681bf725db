package dev.cadet.poll;

import dev.cadet.alert.Alert;
import dev.cadet.alert.Severity;
import dev.cadet.collector.Event;
import dev.cadet.detect.Detector;
import dev.cadet.store.Store.SequenceKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A detector with one rule, {@code event.action == "CreateUser"}, as a sequence of one. It persists
 * how many users each target name saw created, so that a failed commit can be seen to roll back its
 * in-memory state through {@link #restore}.
 */
public final class CreateUserDetector implements Detector {
    public static final String RULE = "create-user";

    private final Map<SequenceKey, String> state = new HashMap<>();
    public final AtomicInteger restores = new AtomicInteger();
    public final List<Instant> advancedTo = new ArrayList<>();
    public final List<String> advancedStreams = new ArrayList<>();
    public final List<StreamWatermark> restoredWatermarks = new ArrayList<>();

    @Override
    public List<StepHit> hits(Event event) {
        if (!"CreateUser".equals(event.text(Event.ACTION))) {
            return List.of();
        }
        String target = event.text(Event.TARGET_NAME);
        return List.of(new StepHit(RULE, 0, new MatchedEvent(event.id(), event.timestamp(),
                Map.of(Event.TARGET_NAME, target)), target));
    }

    @Override
    public synchronized Advance advance(List<StepHit> hits, StreamWatermark watermark) {
        advancedTo.add(watermark.watermark());
        advancedStreams.add(watermark.stream());
        List<Match> matches = new ArrayList<>();
        Map<SequenceKey, String> upserts = new HashMap<>();
        for (StepHit h : hits) {
            matches.add(new Match(h.ruleId(), List.of(h.event())));
            SequenceKey k = new SequenceKey(RULE, h.joinKey());
            String count = String.valueOf(Integer.parseInt(state.getOrDefault(k, "0")) + 1);
            state.put(k, count);
            upserts.put(k, count);
        }
        return new Advance(matches, upserts, Set.of());
    }

    @Override
    public synchronized void restore(Map<SequenceKey, String> persisted, List<StreamWatermark> watermarks) {
        restores.incrementAndGet();
        restoredWatermarks.addAll(watermarks);
        state.clear();
        state.putAll(persisted);
    }

    public synchronized Map<SequenceKey, String> state() {
        return Map.copyOf(state);
    }

    public static Alert alertOf(Match m) {
        List<String> ids = m.events().stream().map(MatchedEvent::id).toList();
        MatchedEvent last = m.events().get(m.events().size() - 1);
        return new Alert(Alert.idOf(m.ruleId(), ids), last.timestamp(), m.ruleId(), "User created", Severity.MEDIUM, 47,
                List.of("T1136.003"), "fake.audit", null, null, last.fields().get(Event.TARGET_NAME), null, ids, false);
    }
}
