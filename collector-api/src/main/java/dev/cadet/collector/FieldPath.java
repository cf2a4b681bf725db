package dev.cadet.collector;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A dotted field path split once ({@code requestParameters.userName} is the steps
 * {@code requestParameters}, {@code userName}), for callers that read the same path from many events:
 * the detection engine resolves a rule's fields when it loads the rule, not per event.
 */
public final class FieldPath {
    private final String name;
    private final String[] steps;

    private FieldPath(String name) {
        // The canonical instance: normalizers name fields with string constants (interned), so an
        // event's field is then found by identity, without comparing the name's characters.
        this.name = name.intern();
        this.steps = name.split("\\.", -1);
    }

    /** The path of a dotted name; an empty step (a doubled or trailing dot) is kept, and matches nothing. */
    public static FieldPath of(String dottedName) {
        Objects.requireNonNull(dottedName, "dottedName");
        return new FieldPath(dottedName);
    }

    /** The dotted name as written. */
    public String name() {
        return name;
    }

    /** How many steps the path has. */
    public int size() {
        return steps.length;
    }

    /** The step at this position. */
    public String step(int i) {
        return steps[i];
    }

    /** The steps, in order. */
    public List<String> steps() {
        return List.of(steps);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldPath p && p.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(steps);
    }
}
