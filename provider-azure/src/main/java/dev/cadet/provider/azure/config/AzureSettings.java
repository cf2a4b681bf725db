package dev.cadet.provider.azure.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One validated {@code providers.azure[i]} entry.
 *
 * @param tenants          the tenants to poll, at least one, each with its credentials
 * @param authorityHost    the login endpoint (https), e.g. {@code https://login.microsoftonline.com}
 * @param graphBaseUrl     the Graph root including the version, e.g. {@code https://graph.microsoft.com/v1.0}
 * @param graphScope       the token scope for Graph, e.g. {@code https://graph.microsoft.com/.default}
 * @param activityNames    server-side {@code activityDisplayName eq} filters; empty means every activity
 * @param requestsPer10s   the client-side budget per (app, tenant): Graph allows 5 per 10 s
 * @param retention        how far back the tenant's audit log can be read (7 days Free, 30 days P1/P2)
 * @param caCertificates   a PEM file of extra CAs to trust for the login and Graph endpoints, or null
 */
public record AzureSettings(
        List<Tenant> tenants,
        URI authorityHost,
        URI graphBaseUrl,
        String graphScope,
        List<String> activityNames,
        int requestsPer10s,
        Duration retention,
        Path caCertificates) {

    public AzureSettings {
        tenants = List.copyOf(tenants);
        activityNames = List.copyOf(activityNames);
    }

    /** A tenant (directory) id, a GUID, and how to sign in to it. */
    public record Tenant(String id, CredentialSettings credentials) {
    }
}
