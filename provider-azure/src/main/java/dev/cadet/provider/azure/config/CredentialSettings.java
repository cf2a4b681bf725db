package dev.cadet.provider.azure.config;

import dev.cadet.collector.Secret;
import java.nio.file.Path;

/**
 * How cadet signs in to Entra ID for one tenant. Secrets are {@link Secret}s, which print as their
 * reference, so a {@code toString()} of any of these never shows a secret.
 */
public sealed interface CredentialSettings {

    /** The app (client) id, or null for a system-assigned managed identity; part of the quota key. */
    String clientId();

    /** An app registration with a client secret. */
    record ClientSecret(String clientId, Secret secret) implements CredentialSettings {
    }

    /** An app registration with a certificate: a PEM or PFX/PKCS#12 file; {@code password} may be null. */
    record ClientCertificate(String clientId, Path certificatePath, Secret password) implements CredentialSettings {
    }

    /** The Azure managed identity of the host; {@code clientId} selects a user-assigned one, null: system-assigned. */
    record ManagedIdentity(String clientId) implements CredentialSettings {
    }

    /**
     * Kubernetes workload identity (federated token file). Null values come from the environment the
     * webhook sets: {@code AZURE_CLIENT_ID}, {@code AZURE_FEDERATED_TOKEN_FILE}.
     */
    record WorkloadIdentity(String clientId, Path tokenFilePath) implements CredentialSettings {
    }
}
