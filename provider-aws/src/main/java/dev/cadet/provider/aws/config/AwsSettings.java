package dev.cadet.provider.aws.config;

import java.net.URI;
import java.util.List;
import java.util.Set;

/**
 * One validated {@code providers.aws[i]} entry.
 *
 * @param accounts          the accounts to poll, at least one
 * @param regions           the regions to poll in every account (default {@code us-east-1}, where IAM,
 *                          STS and Organizations events are recorded)
 * @param credentials       the base identity every request starts from
 * @param lookupAttribute   the one server-side filter LookupEvents allows
 * @param eventNames        client-side filter on the event name; empty means keep all
 * @param endpoint          CloudTrail endpoint override, or null for the SDK's regional endpoint
 * @param stsEndpoint       STS endpoint override, or null
 * @param requestsPerSecond the LookupEvents budget per (account, region)
 */
public record AwsSettings(
        List<Account> accounts,
        List<String> regions,
        CredentialSource credentials,
        LookupAttribute lookupAttribute,
        Set<String> eventNames,
        URI endpoint,
        URI stsEndpoint,
        double requestsPerSecond) {

    public AwsSettings {
        accounts = List.copyOf(accounts);
        regions = List.copyOf(regions);
        eventNames = Set.copyOf(eventNames);
    }

    /** An account to poll, optionally through a role assumed from the base identity. */
    public record Account(String id, AssumeRole assumeRole) {
    }

    /** {@code sts:AssumeRole} parameters; {@code externalId} may be null. */
    public record AssumeRole(String roleArn, String externalId, String sessionName) {
    }

    /** The LookupEvents attribute filter, e.g. EventSource = iam.amazonaws.com. */
    public record LookupAttribute(String key, String value) {
    }
}
