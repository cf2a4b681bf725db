package dev.cadet.provider.gcp.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cadet.collector.CollectorException;
import dev.cadet.collector.FetchContext;
import dev.cadet.collector.Window;

/** {@code nextPageToken} handling shared by both APIs; the token never outlives one fetch. */
final class Paging {

    private Paging() {
    }

    /** The next page token, or null at the end; a token repeated by the server fails the window. */
    static String next(JsonNode answer, String previous, String streamKey, Window window) throws CollectorException {
        String next = answer.path("nextPageToken").asText("");
        if (next.isEmpty()) {
            return null;
        }
        if (next.equals(previous)) {
            throw CollectorException.retry("the API returned the same nextPageToken twice for " + streamKey + " window "
                    + window + "; the window will be read again", null, null);
        }
        return next;
    }

    static void checkStopping(FetchContext context, String streamKey, Window window) throws CollectorException {
        if (context.stopping()) {
            throw CollectorException.retry("stopping before the end of window " + window + " of " + streamKey
                    + "; it will be read again", null, null);
        }
    }
}
