package dev.cadet.provider.o365.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * An error answer of the activity feed: {@code {"error":{"code":"AF20022","message":"..."}}}, or
 * whatever came instead (code empty, message the start of the body).
 *
 * @param status  the HTTP status
 * @param code    the AF code, or "" when the body has none
 * @param message the server's message, shortened, control characters removed
 */
record ApiError(int status, String code, String message) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ApiError parse(int status, String body) {
        String code = "";
        String message = body == null ? "" : body;
        try {
            JsonNode error = body == null || body.isBlank() ? null : JSON.readTree(body).path("error");
            if (error != null && error.isObject()) {
                code = error.path("code").asText("");
                message = error.path("message").asText("");
            }
        } catch (IOException notJson) {
            // keep the raw text as the message
        }
        return new ApiError(status, clean(code), clean(message));
    }

    boolean is(String afCode) {
        return code.equalsIgnoreCase(afCode);
    }

    /** "AF20022: message (HTTP 400)" */
    String detail() {
        return (code.isEmpty() ? "error" : code) + (message.isEmpty() ? "" : ": " + message) + " (HTTP " + status + ")";
    }

    private static String clean(String s) {
        String oneLine = s.replaceAll("[\\p{Cntrl}]+", " ").trim();
        return oneLine.length() > 300 ? oneLine.substring(0, 300) + "..." : oneLine;
    }
}
