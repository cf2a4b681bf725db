package dev.cadet.examples.okta;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Okta System Log event -> ECS fields, dataset {@code okta.system}:
 * {@code event.id} = uuid, {@code @timestamp} = published, {@code event.action} = eventType,
 * {@code event.outcome} = outcome.result (SUCCESS -> success, FAILURE/DENY -> failure, else unknown),
 * {@code user.name}/{@code user.id} = actor.alternateId/actor.id, {@code user.target.name}/{@code user.target.id}
 * = the first target of type User, {@code source.ip} = client.ipAddress,
 * {@code user_agent.original} = client.userAgent.rawUserAgent, {@code cloud.account.id} = the org
 * (from the record's origin, set by {@link SystemLogSource}; absent for records replayed from files).
 * Written for {@code user.lifecycle.create} and {@code user.account.privilege.grant}; other event types
 * get the same fields. Every raw field stays addressable by its path.
 */
final class SystemLogNormalizer implements Normalizer {
    static final String DATASET = "okta.system";
    static final String ORIGIN_PREFIX = "okta:";
    private final ObjectMapper json = new ObjectMapper();

    /** A System Log event: an object with uuid, published, eventType and an actor. */
    @Override
    public boolean recognizes(RawRecord record) {
        String b = record.body();
        if (!b.contains("\"eventType\"") || !b.contains("\"uuid\"") || !b.contains("\"published\"")) {
            return false;
        }
        try {
            JsonNode n = json.readTree(b);
            return n != null && n.isObject() && n.path("uuid").isTextual() && n.path("published").isTextual()
                    && n.path("eventType").isTextual() && n.path("actor").isObject();
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public List<Event> normalize(RawRecord record) throws MalformedRecordException {
        JsonNode n;
        try {
            n = json.readTree(record.body());
        } catch (IOException e) {
            throw new MalformedRecordException("not JSON: " + e.getMessage());
        }
        String uuid = text(n, "uuid");
        String published = text(n, "published");
        if (uuid == null || published == null) {
            throw new MalformedRecordException("an Okta event needs uuid and published (record from " + record.origin() + ")");
        }
        Instant at;
        try {
            at = Instant.parse(published);
        } catch (DateTimeParseException e) {
            throw new MalformedRecordException("published is not an ISO-8601 instant: \"" + published + "\"");
        }
        Event.Builder e = Event.builder(uuid, at, new JsonRawView(n, record.body()))
                .put(Event.DATASET, DATASET)
                .put(Event.PROVIDER, "okta")
                .put(Event.CLOUD_PROVIDER, "okta")
                .put(Event.ACTION, text(n, "eventType"))
                .put(Event.OUTCOME, outcome(n.path("outcome").path("result").asText(null)))
                .put(Event.USER_NAME, text(n.path("actor"), "alternateId"))
                .put(Event.USER_ID, text(n.path("actor"), "id"))
                .put(Event.SOURCE_IP, text(n.path("client"), "ipAddress"))
                .put(Event.USER_AGENT, text(n.path("client").path("userAgent"), "rawUserAgent"))
                .put(Event.ACCOUNT_ID, org(record.origin()));
        for (JsonNode t : n.path("target")) {
            if ("User".equals(t.path("type").asText(null))) {
                e.put(Event.TARGET_NAME, text(t, "alternateId")).put(Event.TARGET_ID, text(t, "id"));
                break;
            }
        }
        return List.of(e.build());
    }

    private static String outcome(String result) {
        if (result == null) {
            return null;
        }
        return switch (result.toUpperCase(Locale.ROOT)) {
            case "SUCCESS", "ALLOW" -> "success";
            case "FAILURE", "DENY" -> "failure";
            default -> "unknown";
        };
    }

    /** "okta:acme.okta.com/api/v1/logs#uuid" -> "acme.okta.com". */
    private static String org(String origin) {
        if (!origin.startsWith(ORIGIN_PREFIX)) {
            return null;
        }
        String rest = origin.substring(ORIGIN_PREFIX.length());
        int slash = rest.indexOf('/');
        return slash > 0 ? rest.substring(0, slash) : null;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isValueNode() && !v.isNull() ? v.asText() : null;
    }
}
