package dev.cadet.provider.gcp.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.Event;
import dev.cadet.collector.MalformedRecordException;
import dev.cadet.collector.Normalizer;
import dev.cadet.collector.RawRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code gcp} plugin's normalizer: Google Workspace activities ({@link WorkspaceActivityNormalizer})
 * and GCP Cloud Audit Log entries ({@link AuditLogNormalizer}), routed by shape. A body may also be a
 * whole answer page: {@code {"items":[activities]}} (Reports) or {@code {"entries":[entries]}}
 * (Cloud Logging), one record per item. Stateless and thread-safe.
 */
public final class GoogleNormalizer implements Normalizer {

    private final WorkspaceActivityNormalizer workspace = new WorkspaceActivityNormalizer();
    private final AuditLogNormalizer auditLog = new AuditLogNormalizer();

    /**
     * A text test, no parsing. Never true for CloudTrail records ({@code eventSource}), Graph or O365
     * records (no {@code protoPayload}, no Workspace {@code applicationName} with {@code actor}).
     */
    @Override
    public boolean recognizes(RawRecord record) {
        String body = record.body();
        return AuditLogNormalizer.recognizes(body) || WorkspaceActivityNormalizer.recognizes(body);
    }

    @Override
    public List<Event> normalize(RawRecord record) throws MalformedRecordException {
        JsonNode root = Json.parse(record);
        JsonNode items = root.get("items");
        JsonNode entries = root.get("entries");
        if (items != null && items.isArray() && !root.has("id")) {
            return all(items, "items", record);
        }
        if (entries != null && entries.isArray() && !root.has("protoPayload")) {
            return all(entries, "entries", record);
        }
        return one(root, "", record);
    }

    private List<Event> all(JsonNode array, String name, RawRecord record) throws MalformedRecordException {
        List<Event> out = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            JsonNode item = array.get(i);
            String where = name + "[" + i + "].";
            if (!item.isObject()) {
                throw Json.malformed(record, where, "expected a JSON object");
            }
            out.addAll(one(item, where, record));
        }
        return out;
    }

    private List<Event> one(JsonNode node, String where, RawRecord record) throws MalformedRecordException {
        if (node.has("protoPayload")) {
            return List.of(auditLog.normalize(node, where, record));
        }
        if (node.has("id") && node.path("id").has("applicationName")) {
            return workspace.normalize(node, where, record);
        }
        throw Json.malformed(record, where, "neither a Workspace activity (id.applicationName) nor a Cloud Audit Log entry (protoPayload)");
    }
}
