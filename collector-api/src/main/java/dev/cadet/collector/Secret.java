package dev.cadet.collector;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A secret given by reference in the config ({@code ${env:NAME}}, {@code ${file:/path}},
 * {@code ${credential:NAME}}). It prints as its reference, never as its value; call {@link #reveal()}
 * only where the value is handed to a client library.
 */
public final class Secret {
    private final String reference;
    private final Supplier<String> value;

    public Secret(String reference, Supplier<String> value) {
        this.reference = Objects.requireNonNull(reference, "reference");
        this.value = Objects.requireNonNull(value, "value");
    }

    /** Reads the value now (files and credentials are read on every call, so rotation works). */
    public String reveal() {
        return value.get();
    }

    /** The reference as written in the config, e.g. {@code ${env:AWS_SECRET_ACCESS_KEY}}. */
    public String reference() {
        return reference;
    }

    @Override
    public String toString() {
        return reference;
    }
}
