package dev.cadet.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import dev.cadet.collector.RawView;
import java.io.IOException;
import java.time.Instant;
import java.util.List;

/** Normalizes {@link FakeApi} records: id, time, action, user. */
public final class FakeNormalizer implements Normalizer {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public boolean recognizes(RawRecord record) {
        return record.body().contains("\"action\"");
    }

    @Override
    public List<Event> normalize(RawRecord record) throws MalformedRecordException {
        JsonNode n;
        try {
            n = JSON.readTree(record.body());
        } catch (IOException e) {
            throw new MalformedRecordException("not JSON: " + e.getMessage(), e);
        }
        if (!n.hasNonNull("time")) {
            throw new MalformedRecordException("time: missing");
        }
        return List.of(Event.builder(n.path("id").asText(), Instant.parse(n.path("time").asText()), RawView.empty())
                .put(Event.DATASET, "fake.audit")
                .put(Event.ACTION, n.path("action").asText())
                .put(Event.TARGET_NAME, n.path("user").asText())
                .build());
    }
}
