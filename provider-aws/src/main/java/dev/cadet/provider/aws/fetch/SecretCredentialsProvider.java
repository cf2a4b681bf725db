package dev.cadet.provider.aws.fetch;

import dev.cadet.collector.Secret;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * Static keys given by reference in the config. The secrets are read on every resolve, so a rotated
 * file or credential is picked up; {@link #toString()} shows only the references.
 */
final class SecretCredentialsProvider implements AwsCredentialsProvider {
    private final Secret accessKeyId;
    private final Secret secretAccessKey;
    private final Secret sessionToken;

    SecretCredentialsProvider(Secret accessKeyId, Secret secretAccessKey, Secret sessionToken) {
        this.accessKeyId = accessKeyId;
        this.secretAccessKey = secretAccessKey;
        this.sessionToken = sessionToken;
    }

    @Override
    public AwsCredentials resolveCredentials() {
        String id = reveal(accessKeyId);
        String secret = reveal(secretAccessKey);
        if (sessionToken == null) {
            return AwsBasicCredentials.create(id, secret);
        }
        return AwsSessionCredentials.create(id, secret, reveal(sessionToken));
    }

    private static String reveal(Secret s) {
        String v;
        try {
            v = s.reveal();
        } catch (RuntimeException e) {
            // The resolver's message names the reference, never the value.
            throw SdkClientException.create("could not read " + s.reference() + ": " + e.getMessage());
        }
        if (v == null || v.isBlank()) {
            throw SdkClientException.create(s.reference() + " is empty");
        }
        return v.trim();
    }

    @Override
    public String toString() {
        return "static credentials " + accessKeyId.reference();
    }
}
