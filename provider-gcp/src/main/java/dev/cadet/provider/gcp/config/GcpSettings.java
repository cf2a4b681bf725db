package dev.cadet.provider.gcp.config;

import dev.cadet.collector.Secret;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One validated {@code providers.gcp[i]} entry: one service account key, and what it reads.
 *
 * @param credentialsJson the service account key (JSON), by reference; read again on every client build
 * @param clientEmail     the key's {@code client_email}, for messages and the Cloud Logging quota scope
 * @param subject         the Workspace admin the key impersonates (domain-wide delegation), or null
 * @param tokenUri        token endpoint override, or null for the key's {@code token_uri}
 * @param reportsRoot     the Reports API root, ending in {@code /}
 * @param loggingRoot     the Cloud Logging API root, ending in {@code /}
 * @param workspace       the Workspace part, or null
 * @param cloudLogging    the Cloud Logging part, or null
 */
public record GcpSettings(
        Secret credentialsJson,
        String clientEmail,
        String subject,
        URI tokenUri,
        URI reportsRoot,
        URI loggingRoot,
        Workspace workspace,
        CloudLogging cloudLogging) {

    /**
     * @param customerId        {@code my_customer} (the admin's own) or a customer id
     * @param applications      Reports application names, e.g. {@code admin}
     * @param eventNames        server-side {@code eventName} filter; empty means every event
     * @param timing            settle lag and re-scan overlap per application
     * @param requestsPerSecond the Reports budget per customer
     */
    public record Workspace(String customerId, List<String> applications, List<String> eventNames,
                            Map<String, Timing> timing, double requestsPerSecond) {
        public Workspace {
            applications = List.copyOf(applications);
            eventNames = List.copyOf(eventNames);
            timing = Map.copyOf(timing);
        }
    }

    /**
     * @param resources         {@code projects/x}, {@code folders/y}, {@code organizations/z}
     * @param serviceNames      audit log services to read (default {@code iam.googleapis.com})
     * @param requestsPerSecond the entries.list budget of this credential
     */
    public record CloudLogging(List<String> resources, List<String> serviceNames, double requestsPerSecond) {
        public CloudLogging {
            resources = List.copyOf(resources);
            serviceNames = List.copyOf(serviceNames);
        }
    }

    /** How late an application's records may become visible. */
    public record Timing(Duration settleLag, Duration rescanOverlap) {
    }
}
