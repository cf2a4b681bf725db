package dev.cadet.collector;

/**
 * Read access to the raw record by dotted path ({@code requestParameters.userName},
 * {@code targetResources.0.userPrincipalName}), implemented by the plugin over its own parse tree so
 * the host needs no JSON library of the plugin's.
 */
public interface RawView {

    /**
     * The value at the path: {@link String}, {@link Long}, {@link Double}, {@link Boolean}, a
     * {@link java.util.List} for arrays of scalars, or null when absent or JSON null. Objects are not
     * returned as values (null), but can be descended into by the path.
     */
    Object get(String dottedPath);

    /**
     * The value at a path split beforehand: the same answer as {@link #get(String)} with its name.
     * Views over a parse tree override it to walk the steps without splitting the name per call.
     */
    default Object get(FieldPath path) {
        return get(path.name());
    }

    /** The raw record as JSON text, for alerts and quarantine. */
    String json();

    /** A view over nothing, for events built without a raw record (tests, test alerts). */
    static RawView empty() {
        return new RawView() {
            @Override
            public Object get(String dottedPath) {
                return null;
            }

            @Override
            public String json() {
                return "{}";
            }
        };
    }
}
