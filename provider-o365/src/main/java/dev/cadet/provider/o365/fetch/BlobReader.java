package dev.cadet.provider.o365.fetch;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a content blob (a JSON array of audit records) record by record with a streaming parser:
 * only one record's tree is in memory at a time, whatever the blob's size.
 */
public final class BlobReader {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    /** Receives each record of the blob, in blob order. */
    @FunctionalInterface
    public interface RecordHandler {
        void record(JsonNode record, long index) throws IOException;
    }

    private BlobReader() {
    }

    /** @return the number of records read; throws when the body is not a JSON array of objects */
    public static long read(InputStream body, RecordHandler handler) throws IOException {
        try (JsonParser p = FACTORY.createParser(body)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_ARRAY) {
                throw new IOException("a content blob must be a JSON array, found " + first);
            }
            long n = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (t == null) {
                    throw new IOException("the blob ends inside its array after " + n + " records");
                }
                if (t != JsonToken.START_OBJECT) {
                    throw new IOException("record " + n + " of the blob is not a JSON object but " + t);
                }
                JsonNode record = JSON.readTree(p);
                handler.record(record, n++);
            }
            return n;
        }
    }
}
