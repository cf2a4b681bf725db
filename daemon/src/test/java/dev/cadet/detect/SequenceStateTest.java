package dev.cadet.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.detect.Detector.MatchedEvent;
import dev.cadet.detect.Detector.StepHit;
import dev.cadet.store.Store.SequenceKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SequenceStateTest {
    private static final SequenceKey KEY = new SequenceKey("rule", "[\"111122223333\",\"eve\"]");
    private static final Instant T = Instant.parse("2026-11-20T10:00:00.123456789Z");

    private static StepHit hit(int step, String id, Instant at, Map<String, String> fields) {
        return new StepHit(KEY.ruleId(), step, new MatchedEvent(id, at, fields), KEY.joinKey());
    }

    /** The stored text is written by hand: it must read back to the same state, hostile text included. */
    @Test
    void stateWrittenAsJsonReadsBackTheSameWhateverTheFieldsHold() throws Exception {
        String hostile = "ev\"il\\ \n\r\t\b\f \u0000 \u001f \u007f \u00e9 \u2028 \uD83D\uDE00 </script>";
        SequenceState state = new SequenceState(KEY, 3);
        // step 0 settled, then two pending hits: one of step 1 and one without fields
        state.add(List.of(hit(0, "a", T, Map.of("user.name", hostile, "cloud.account.id", "111122223333"))), 3, Duration.ofHours(1));
        state.settle(T.plusSeconds(1), null, 3, Duration.ofHours(1));
        state.add(List.of(hit(1, "b\"1", T.plusSeconds(5), Map.of("user.target.name", hostile)),
                hit(2, "c", T.plusSeconds(9), Map.of())), 3, Duration.ofHours(1));
        String json = state.toJson();

        JsonNode tree = new ObjectMapper().readTree(json);
        assertEquals(hostile, tree.path("s").path(0).path(0).path("f").path("user.name").asText());
        assertTrue(tree.path("s").path(1).isNull(), json);
        assertEquals(2, tree.path("p").size(), json);
        assertTrue(tree.path("p").path(1).path("e").path("f").isMissingNode(), "no fields, no f: " + json);

        SequenceState back = SequenceState.fromJson(json, KEY, 3);
        // read back as alert fields, written in their canonical order: the same JSON, and stable from then on
        assertEquals(new ObjectMapper().readTree(json), new ObjectMapper().readTree(back.toJson()));
        assertEquals(back.toJson(), SequenceState.fromJson(back.toJson(), KEY, 3).toJson());
        assertEquals(List.of("b\"1", "c"), back.pending().stream().map(h -> h.event().id()).toList());
        assertEquals(T.plusSeconds(5), back.pending().get(0).event().timestamp());
        assertEquals(Map.of("user.target.name", hostile), back.pending().get(0).event().fields());
    }

    /** Hits carry AlertFields, whose JSON is written once and reused: it must read back as the same fields. */
    @Test
    void alertFieldsOfAnEventAreStoredAsThoseFields() {
        String hostile = "new\"user\\ \n\u0001 \u00e9";
        dev.cadet.collector.Event event = dev.cadet.collector.Event.builder("e1", T, dev.cadet.collector.RawView.empty())
                .put(dev.cadet.collector.Event.DATASET, "aws.cloudtrail").put(dev.cadet.collector.Event.TARGET_NAME, hostile)
                .put(dev.cadet.collector.Event.SOURCE_IP, List.of("198.51.100.7", "2001:db8::1")).build();
        AlertFields fields = AlertFields.of(event);
        assertEquals(Map.of("event.dataset", "aws.cloudtrail", "user.target.name", hostile, "source.ip", "198.51.100.7, 2001:db8::1"), fields);
        SequenceState state = new SequenceState(KEY, 2);
        state.add(List.of(new StepHit(KEY.ruleId(), 0, new MatchedEvent("e1", T, fields), KEY.joinKey())), 2, null);
        String first = state.toJson();
        assertEquals(first, state.toJson(), "written again from the kept JSON, the same text");
        SequenceState back = SequenceState.fromJson(first, KEY, 2);
        assertEquals(fields, back.pending().get(0).event().fields());
    }
}
