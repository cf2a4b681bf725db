package dev.cadet.provider.gcp.fetch;

/** What one stream reads: a Workspace (customer, application), or a Cloud Logging resource. */
sealed interface StreamTarget {

    /** {@code gws/<customer>/<application>} */
    record Workspace(String customerId, String application) implements StreamTarget {
        public String key() {
            return "gws/" + customerId + "/" + application;
        }
    }

    /** {@code gcp/<resource>}, e.g. {@code gcp/projects/my-project} */
    record LoggingResource(String resource) implements StreamTarget {
        public String key() {
            return "gcp/" + resource;
        }
    }
}
