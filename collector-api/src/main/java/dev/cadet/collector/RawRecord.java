package dev.cadet.collector;

import java.util.Objects;

/**
 * One record as the vendor sent it: a JSON document as text.
 *
 * @param body   the JSON text of one record
 * @param origin where it came from, for error messages: a request, or {@code file.json:17} (never a secret)
 */
public record RawRecord(String body, String origin) {
    public RawRecord {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(origin, "origin");
    }
}
