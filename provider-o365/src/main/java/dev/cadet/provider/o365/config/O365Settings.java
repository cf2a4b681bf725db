package dev.cadet.provider.o365.config;

import dev.cadet.collector.Secret;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * One validated {@code providers.o365[i]} entry.
 *
 * @param tenantId            the tenant to read (GUID or verified domain)
 * @param credentials         how the app proves who it is to the token endpoint
 * @param contentTypes        the content types to subscribe to and read, one stream each
 * @param publisherIdentifier sent as {@code PublisherIdentifier} on every call (the quota is kept per publisher)
 * @param apiBase             the activity feed root, e.g. {@code https://manage.office.com/api/v1.0/<tenant>/activity/feed}
 * @param authorityHost       the token endpoint's host, https only
 * @param tokenScope          the scope the token is asked for
 * @param caFile              extra trusted CA certificates (PEM) for the token endpoint and the API, or null
 * @param entraVia            who reads this tenant's Entra ID audit: this entry, or Graph (provider-azure)
 * @param requestsPerMinute   the budget of this entry's tenant across its content types
 */
public record O365Settings(
        String tenantId,
        Credentials credentials,
        List<String> contentTypes,
        String publisherIdentifier,
        URI apiBase,
        URI authorityHost,
        String tokenScope,
        Path caFile,
        EntraVia entraVia,
        double requestsPerMinute) {

    public O365Settings {
        contentTypes = List.copyOf(contentTypes);
    }

    /** The app credential: a client secret or a certificate. Prints its references only. */
    public sealed interface Credentials {
        String clientId();
    }

    public record ClientSecret(String clientId, Secret secret) implements Credentials {
    }

    /**
     * @param path     a PEM file (certificate and private key) or a PKCS#12 file ({@code .pfx}/{@code .p12})
     * @param password the PKCS#12 password, or null
     */
    public record ClientCertificate(String clientId, Path path, Secret password) implements Credentials {
    }

    /** Which API reads the tenant's Entra ID audit log when both could. */
    public enum EntraVia {
        /** This O365 entry's {@code Audit.AzureActiveDirectory} content type. */
        O365,
        /** Microsoft Graph (provider-azure): this entry drops Entra records. */
        GRAPH
    }
}
