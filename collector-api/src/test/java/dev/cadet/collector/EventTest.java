package dev.cadet.collector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventTest {
    private static final Instant T = Instant.parse("2026-11-20T10:00:00Z");

    /** A raw view that answers one path, by name and by split path alike. */
    private static RawView raw(String path, Object value) {
        return new RawView() {
            @Override
            public Object get(String dottedPath) {
                return dottedPath.equals(path) ? value : null;
            }

            @Override
            public String json() {
                return "{}";
            }
        };
    }

    @Test
    void everyFieldIsFoundAndNoOtherForEventsOfManySizes() {
        for (int size : new int[] {0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 300}) {
            Event.Builder b = Event.builder("id-" + size, T, RawView.empty());
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put(Event.ID, "id-" + size);
            expected.put(Event.TIMESTAMP, T.toString());
            for (int i = 0; i < size; i++) {
                // names built at run time: equal to, but not the same objects as, the names looked up
                String name = new StringBuilder("field.").append(i).toString();
                Object value = i % 3 == 0 ? (Object) (long) i : i % 3 == 1 ? "v" + i : List.of("a" + i, "b" + i);
                b.put(name, value);
                expected.put(name, value);
            }
            Event e = b.build();
            for (Map.Entry<String, Object> x : expected.entrySet()) {
                assertEquals(x.getValue(), e.field(x.getKey()), "size " + size + ": " + x.getKey());
                assertEquals(x.getValue(), e.get(x.getKey()));
                assertEquals(x.getValue(), e.get(FieldPath.of(x.getKey())));
            }
            for (int i = size; i < size + 50; i++) {
                assertNull(e.field("field." + i), "size " + size + ": absent field." + i);
            }
            assertNull(e.field("Field.0"), "names are case-sensitive");
            assertEquals(expected, e.fields(), "size " + size);
            assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(e.fields().keySet()), "in the order put");
            assertEquals(expected.size(), e.fields().size());
        }
    }

    @Test
    void anAbsentFieldFallsBackToTheRawRecordButAFieldNeverDoes() {
        Event e = Event.builder("x", T, raw("requestParameters.userName", "bob"))
                .put(Event.ACTION, "CreateUser").put("requestParameters.userName", null).build();
        assertEquals("bob", e.get("requestParameters.userName"));
        assertEquals("bob", e.get(FieldPath.of("requestParameters.userName")));
        assertNull(e.field("requestParameters.userName"), "field() reads ECS fields only");
        assertFalse(e.fields().containsKey("requestParameters.userName"), "a null value is not put");
        assertEquals("CreateUser", e.text(Event.ACTION));
    }

    @Test
    void theFieldsAreReadOnlyAndABuilderPutAfterBuildDoesNotChangeTheEvent() {
        Event.Builder b = Event.builder("x", T, RawView.empty()).put(Event.ACTION, "CreateUser");
        Event e = b.build();
        b.put(Event.ACTION, "DeleteUser").put(Event.OUTCOME, "success");
        assertEquals("CreateUser", e.field(Event.ACTION));
        assertNull(e.field(Event.OUTCOME));
        assertThrows(UnsupportedOperationException.class, () -> e.fields().put("a", "b"));
        assertThrows(UnsupportedOperationException.class, () -> e.fields().entrySet().iterator().next().setValue("y"));
        assertTrue(e.toString().contains("CreateUser"));
    }

    @Test
    void datasetAndActionReadAlikeByTheConstantAndByAnEqualName() {
        Event e = Event.builder("x", T, RawView.empty()).put(Event.DATASET, "aws.cloudtrail").put(Event.ACTION, "CreateUser").build();
        for (String dataset : new String[] {Event.DATASET, new String(Event.DATASET), FieldPath.of("event.dataset").name()}) {
            assertEquals("aws.cloudtrail", e.field(dataset));
            assertEquals("aws.cloudtrail", e.get(dataset));
        }
        for (String action : new String[] {Event.ACTION, new String(Event.ACTION), FieldPath.of("event.action").name()}) {
            assertEquals("CreateUser", e.field(action));
        }
        assertEquals("CreateUser", e.get(FieldPath.of("event.action")));
        assertEquals("CreateUser", e.fields().get("event.action"));
        Event bare = Event.builder("y", T, raw("event.action", "FromRaw")).build();
        assertNull(bare.field(Event.ACTION));
        assertEquals("FromRaw", bare.get(FieldPath.of(Event.ACTION)), "an absent action still falls back to the raw record");
    }

    @Test
    void aRepeatedPutKeepsTheLastValue() {
        Event e = Event.builder("x", T, RawView.empty()).put(Event.ACTION, "A").put(Event.ACTION, "B").build();
        assertEquals("B", e.field(Event.ACTION));
        assertEquals(3, e.fields().size()); // event.id, @timestamp, event.action
    }

    @Test
    void aSplitPathKeepsEmptyStepsSoItMatchesNothingTheDottedNameWouldNot() {
        FieldPath p = FieldPath.of("a..b.");
        assertEquals(List.of("a", "", "b", ""), p.steps());
        assertEquals("a..b.", p.name());
        assertEquals(FieldPath.of("a..b."), p);
    }
}
