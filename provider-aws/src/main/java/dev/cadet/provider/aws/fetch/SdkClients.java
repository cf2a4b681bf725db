package dev.cadet.provider.aws.fetch;

import dev.cadet.provider.aws.config.AwsSettings;
import dev.cadet.provider.aws.config.CredentialSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClient;
import software.amazon.awssdk.services.cloudtrail.CloudTrailClientBuilder;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * The SDK clients of one config entry: one Apache HTTP client shared by all, one STS client (only when
 * a role is assumed), one credentials provider per account and one CloudTrail client per
 * (account, region). Building them makes no network call; credentials are fetched on first use.
 *
 * <p>SDK retries are off everywhere: the host paces and retries every request through the quota. Each
 * CloudTrail client reports when a request is sent ({@link SendReporter}), which the pacing counts from.
 */
public final class SdkClients implements AutoCloseable {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

    private final SdkHttpClient http;
    private final List<SdkAutoCloseable> owned = new ArrayList<>();
    private final Map<String, AccountRegion> byStreamKey = new LinkedHashMap<>();

    public SdkClients(AwsSettings settings) {
        this(settings, List.of());
    }

    /**
     * @param testInterceptors run by each CloudTrail client before its own (tests use them to delay a
     *                         request before it is sent)
     */
    SdkClients(AwsSettings settings, List<ExecutionInterceptor> testInterceptors) {
        this.http = ApacheHttpClient.builder().connectionTimeout(CONNECT_TIMEOUT).socketTimeout(SOCKET_TIMEOUT).build();
        AwsCredentialsProvider base = baseCredentials(settings.credentials());
        StsClient sts = null;
        for (AwsSettings.Account account : settings.accounts()) {
            AwsCredentialsProvider credentials = base;
            String roleArn = null;
            if (account.assumeRole() != null) {
                if (sts == null) {
                    sts = stsClient(settings, base);
                }
                roleArn = account.assumeRole().roleArn();
                credentials = assumeRole(sts, account.assumeRole());
            }
            for (String region : settings.regions()) {
                CloudTrailClient client = cloudTrailClient(settings, region, credentials, testInterceptors);
                byStreamKey.put(streamKey(account.id(), region),
                        new AccountRegion(account.id(), region, roleArn, credentials, client));
            }
        }
    }

    /** {@code aws/<account>/<region>}: the stream key and the quota scope key. */
    public static String streamKey(String account, String region) {
        return "aws/" + account + "/" + region;
    }

    AccountRegion forStream(String key) {
        return byStreamKey.get(key);
    }

    private AwsCredentialsProvider baseCredentials(CredentialSource source) {
        if (source instanceof CredentialSource.Profile p) {
            ProfileCredentialsProvider provider = ProfileCredentialsProvider.builder().profileName(p.name()).build();
            owned.add(provider);
            return provider;
        }
        if (source instanceof CredentialSource.Static s) {
            return new SecretCredentialsProvider(s.accessKeyId(), s.secretAccessKey(), s.sessionToken());
        }
        DefaultCredentialsProvider provider = DefaultCredentialsProvider.builder().build();
        owned.add(provider);
        return provider;
    }

    private StsClient stsClient(AwsSettings settings, AwsCredentialsProvider base) {
        StsClientBuilder b = StsClient.builder()
                .region(Region.of(settings.regions().get(0)))
                .credentialsProvider(base)
                .httpClient(http)
                .overrideConfiguration(noRetries());
        if (settings.stsEndpoint() != null) {
            b.endpointOverride(settings.stsEndpoint());
        }
        StsClient sts = b.build();
        owned.add(sts);
        return sts;
    }

    private AwsCredentialsProvider assumeRole(StsClient sts, AwsSettings.AssumeRole role) {
        AssumeRoleRequest.Builder request = AssumeRoleRequest.builder()
                .roleArn(role.roleArn())
                .roleSessionName(role.sessionName());
        if (role.externalId() != null) {
            request.externalId(role.externalId());
        }
        // Refreshed on the calling thread when near expiry: no background thread per account.
        StsAssumeRoleCredentialsProvider provider = StsAssumeRoleCredentialsProvider.builder()
                .stsClient(sts)
                .refreshRequest(request.build())
                // Refreshed in the background before expiry, so a refresh never lands inside a paced
                // LookupEvents call (where it would delay the request past its quota slot).
                .asyncCredentialUpdateEnabled(true)
                .build();
        owned.add(provider);
        return provider;
    }

    private CloudTrailClient cloudTrailClient(AwsSettings settings, String region, AwsCredentialsProvider credentials,
                                              List<ExecutionInterceptor> testInterceptors) {
        ClientOverrideConfiguration.Builder override = noRetries().toBuilder();
        testInterceptors.forEach(override::addExecutionInterceptor);
        override.addExecutionInterceptor(new SendReporter());
        CloudTrailClientBuilder b = CloudTrailClient.builder()
                .region(Region.of(region))
                .credentialsProvider(credentials)
                .httpClient(http)
                .overrideConfiguration(override.build());
        if (settings.endpoint() != null) {
            b.endpointOverride(settings.endpoint());
        }
        CloudTrailClient client = b.build();
        owned.add(client);
        return client;
    }

    private static ClientOverrideConfiguration noRetries() {
        // Explicit, because AWS_RETRY_MODE or a profile's retry_mode would otherwise change the default.
        return ClientOverrideConfiguration.builder().retryStrategy(AwsRetryStrategy.doNotRetry()).build();
    }

    @Override
    public void close() {
        // Clients first, then the credentials providers and STS, then the shared HTTP client they used.
        for (int i = owned.size() - 1; i >= 0; i--) {
            owned.get(i).close();
        }
        http.close();
    }
}
