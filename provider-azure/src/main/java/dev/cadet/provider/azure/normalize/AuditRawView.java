package dev.cadet.provider.azure.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.FieldPath;
import dev.cadet.collector.RawView;
import dev.cadet.rawjson.JsonRawView;

/**
 * {@link RawView} over an Entra audit record. Paths are looked up in the directoryAudit object first
 * ({@code initiatedBy.user.userPrincipalName}, {@code targetResources.0.id}), then, for the diagnostic
 * shape, in its envelope ({@code tenantId}, {@code operationName}), so one rule reads both delivery
 * routes alike.
 */
final class AuditRawView implements RawView {
    private final JsonRawView audit;
    private final JsonRawView envelope;
    private final String json;

    /** @param envelope the diagnostic envelope, or null for a bare directoryAudit */
    AuditRawView(JsonNode audit, JsonNode envelope, String json) {
        this.audit = new JsonRawView(audit, json);
        this.envelope = envelope == null ? null : new JsonRawView(envelope, json);
        this.json = json;
    }

    @Override
    public Object get(String dottedPath) {
        Object v = audit.get(dottedPath);
        return v != null || envelope == null ? v : envelope.get(dottedPath);
    }

    @Override
    public Object get(FieldPath path) {
        Object v = audit.get(path);
        return v != null || envelope == null ? v : envelope.get(path);
    }

    @Override
    public String json() {
        return json;
    }
}
