package dev.cadet.provider.aws.fetch;

import dev.cadet.collector.CollectorException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsRequest;
import software.amazon.awssdk.services.cloudtrail.model.LookupEventsResponse;

/**
 * The CloudTrail client of one (account, region) stream, and the credentials it signs with.
 *
 * @param roleArn the role assumed for this account, or null when the base identity is used directly
 */
record AccountRegion(String account, String region, String roleArn, AwsCredentialsProvider credentials,
                     CloudTrailClient client) {

    /**
     * Fetches (or confirms cached) credentials, with failures classified: an AssumeRole is a remote
     * call of its own, which the source makes as its own paced call before the first LookupEvents.
     */
    void resolveCredentials() throws CollectorException {
        try {
            credentials.resolveCredentials();
        } catch (SdkException e) {
            throw LookupFailures.credentialsFailed(e, account, roleArn);
        }
    }

    /** One LookupEvents call, with failures classified. Credentials are resolved first so their failures say so. */
    LookupEventsResponse lookup(LookupEventsRequest request) throws CollectorException {
        resolveCredentials();
        try {
            return client.lookupEvents(request);
        } catch (SdkException e) {
            throw LookupFailures.lookupFailed(e, account, region);
        }
    }

    /** Names the stream only: the credentials provider and client stay out of logs. */
    @Override
    public String toString() {
        return "aws/" + account + "/" + region + (roleArn == null ? "" : " via " + roleArn);
    }
}
