package dev.cadet.collector;

import java.time.Instant;
import java.util.Objects;

/** A time range to read, both bounds included (every API we poll treats its bounds as inclusive). */
public record Window(Instant start, Instant end) {
    public Window {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("window end " + end + " before start " + start);
        }
    }

    public boolean contains(Instant t) {
        return !t.isBefore(start) && !t.isAfter(end);
    }

    @Override
    public String toString() {
        return "[" + start + ", " + end + "]";
    }
}
