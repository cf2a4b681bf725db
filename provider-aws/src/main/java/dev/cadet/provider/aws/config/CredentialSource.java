package dev.cadet.provider.aws.config;

import dev.cadet.collector.Secret;

/**
 * Where the base AWS identity comes from. Static keys are held as {@link Secret}s, which print as
 * their reference, so a {@code toString()} of any of these never shows a key.
 */
public sealed interface CredentialSource {

    /** The SDK's default chain: environment, system properties, profile, container, instance role. */
    record DefaultChain() implements CredentialSource {
    }

    /** A named profile from {@code ~/.aws/credentials} / {@code ~/.aws/config}. */
    record Profile(String name) implements CredentialSource {
    }

    /** Keys given by reference; {@code sessionToken} may be null. */
    record Static(Secret accessKeyId, Secret secretAccessKey, Secret sessionToken) implements CredentialSource {
    }
}
