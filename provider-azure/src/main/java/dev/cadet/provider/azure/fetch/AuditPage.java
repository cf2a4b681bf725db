package dev.cadet.provider.azure.fetch;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cadet.collector.RawRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of {@code GET /auditLogs/directoryAudits}: its records, each handed over in the Azure Monitor
 * diagnostic-settings envelope {@code {"category":"AuditLogs","tenantId":T,"properties":<directoryAudit>}}
 * (the shape Entra itself exports audit logs in), because a Graph record does not name its tenant and
 * the normalizer is stateless; and the {@code @odata.nextLink}, or null on the last page.
 */
record AuditPage(List<RawRecord> records, String nextLink) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads a page body record by record; memory is bounded by the page. */
    static AuditPage read(InputStream body, String tenant, String origin) throws IOException {
        List<RawRecord> records = new ArrayList<>();
        String next = null;
        if (body == null) {
            throw new IOException("empty answer, expected a page {\"value\":[...]}");
        }
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("expected a JSON object {\"value\":[...]}");
            }
            boolean sawValue = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (name.equals("value") && t == JsonToken.START_ARRAY) {
                    sawValue = true;
                    int i = 0;
                    while (p.nextToken() != JsonToken.END_ARRAY) {
                        JsonNode item = JSON.readTree(p);
                        if (item != null && item.isObject()) {
                            records.add(new RawRecord(envelope(item, tenant).toString(), origin + " value[" + i + "]"));
                        }
                        i++;
                    }
                } else if (name.equals("@odata.nextLink") && t == JsonToken.VALUE_STRING) {
                    next = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            if (!sawValue) {
                throw new IOException("the answer has no \"value\" array");
            }
        }
        return new AuditPage(records, next == null || next.isBlank() ? null : next);
    }

    private static ObjectNode envelope(JsonNode audit, String tenant) {
        ObjectNode env = JSON.createObjectNode();
        env.put("category", "AuditLogs");
        env.put("tenantId", tenant);
        env.set("properties", audit);
        return env;
    }
}
