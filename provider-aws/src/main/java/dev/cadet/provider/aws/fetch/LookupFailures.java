package dev.cadet.provider.aws.fetch;

import dev.cadet.collector.CollectorException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Turns AWS SDK exceptions into {@link CollectorException}s the host can act on. The SDK's own retries
 * are off, so every throttle and 5xx arrives here once and the host paces the retry.
 *
 * <p>Messages name the account, the region and the permission to fix; they carry the AWS error code
 * and message (which name ARNs, never keys) and nothing from the credentials.
 */
final class LookupFailures {

    /** Codes AWS uses when the caller is not allowed, or not recognized at all. */
    private static final Set<String> DENIED = Set.of("AccessDenied", "AccessDeniedException",
            "UnauthorizedOperation", "UnrecognizedClientException", "InvalidClientTokenId",
            "CloudTrailInvalidClientTokenIdException", "SignatureDoesNotMatch", "InvalidSignatureException");
    private static final Set<String> BAD_CREDENTIALS = Set.of("UnrecognizedClientException", "InvalidClientTokenId",
            "CloudTrailInvalidClientTokenIdException", "SignatureDoesNotMatch", "InvalidSignatureException");
    private static final Set<String> EXPIRED = Set.of("ExpiredToken", "ExpiredTokenException", "RequestExpired");
    /** The window is read again from the start; nothing is wrong with the config. */
    private static final Set<String> REREAD = Set.of("InvalidTimeRangeException", "InvalidTimeRange",
            "InvalidNextTokenException", "InvalidNextToken");

    private LookupFailures() {
    }

    /** A failure of {@code cloudtrail:LookupEvents} itself. */
    static CollectorException lookupFailed(SdkException e, String account, String region) {
        String where = "account " + account + " region " + region;
        if (e instanceof AwsServiceException ase) {
            String code = code(ase);
            String detail = detail(ase);
            if (ase.isThrottlingException()) {
                return CollectorException.throttled("CloudTrail throttled LookupEvents for " + where + ": " + detail,
                        retryAfter(ase).orElse(null), e);
            }
            if (EXPIRED.contains(code)) {
                return CollectorException.reauth("CloudTrail refused expired credentials for " + where + ": " + detail, e);
            }
            if (BAD_CREDENTIALS.contains(code)) {
                return CollectorException.fatal("CloudTrail did not accept the credentials for " + where + " (" + detail
                        + "): cloudtrail:LookupEvents cannot be called; check the configured credentials", e);
            }
            if (DENIED.contains(code) || ase.statusCode() == 403) {
                return CollectorException.fatal("access denied to cloudtrail:LookupEvents for " + where + " (" + detail
                        + "): grant cloudtrail:LookupEvents to the identity cadet uses for this account", e);
            }
            if (REREAD.contains(code)) {
                return CollectorException.retry("CloudTrail rejected the paging of " + where + " (" + detail
                        + "); the window will be read again", null, e);
            }
            if (ase.statusCode() >= 500) {
                return CollectorException.retry("CloudTrail server error for " + where + ": " + detail,
                        retryAfter(ase).orElse(null), e);
            }
            return CollectorException.fatal("CloudTrail refused LookupEvents for " + where + " (" + detail
                    + "); check lookup_attribute and the account's CloudTrail setup", e);
        }
        return clientFailure(e, "CloudTrail LookupEvents for " + where);
    }

    /**
     * A failure while getting credentials for the account: the base identity, or {@code sts:AssumeRole}
     * when the account has a role to assume ({@code roleArn} non-null).
     */
    static CollectorException credentialsFailed(SdkException e, String account, String roleArn) {
        if (roleArn == null) {
            if (isNetwork(e)) {
                return CollectorException.retry("network error while loading AWS credentials for account " + account
                        + ": " + e.getMessage(), null, e);
            }
            return CollectorException.fatal("could not load AWS credentials for account " + account + ": "
                    + e.getMessage() + "; configure credentials (default chain, profile or static keys)", e);
        }
        String what = "sts:AssumeRole on " + roleArn + " for account " + account;
        AwsServiceException ase = serviceCause(e);
        if (ase != null) {
            String detail = detail(ase);
            if (ase.isThrottlingException()) {
                return CollectorException.throttled("STS throttled " + what + ": " + detail, retryAfter(ase).orElse(null), e);
            }
            if (ase.statusCode() >= 500) {
                return CollectorException.retry("STS server error for " + what + ": " + detail, retryAfter(ase).orElse(null), e);
            }
            return CollectorException.fatal(what + " failed (" + detail + "): the base identity needs sts:AssumeRole on"
                    + " the role, and the role's trust policy must allow it (and match external_id if set)", e);
        }
        if (isNetwork(e)) {
            return CollectorException.retry("network error during " + what + ": " + e.getMessage(), null, e);
        }
        return CollectorException.fatal(what + " could not start: " + e.getMessage()
                + "; check the base credentials (default chain, profile or static keys)", e);
    }

    private static CollectorException clientFailure(SdkException e, String what) {
        if (isNetwork(e) || e instanceof SdkClientException) {
            // Timeouts, refused connections, unparsable answers: transient from our side.
            return CollectorException.retry("network error during " + what + ": " + e.getMessage(), null, e);
        }
        return CollectorException.retry("unexpected SDK error during " + what + ": " + e.getMessage(), null, e);
    }

    /** The STS answer, which the credentials provider may hand on wrapped. */
    private static AwsServiceException serviceCause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof AwsServiceException ase) {
                return ase;
            }
        }
        return null;
    }

    private static boolean isNetwork(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private static String code(AwsServiceException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        String code = d == null ? null : d.errorCode();
        return code == null ? "" : code;
    }

    /** "ErrorCode: message (HTTP 403)", without the SDK's request-id suffix. */
    private static String detail(AwsServiceException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        String code = code(e);
        String message = d == null ? null : d.errorMessage();
        StringBuilder sb = new StringBuilder();
        sb.append(code.isEmpty() ? "error" : code);
        if (message != null && !message.isBlank()) {
            sb.append(": ").append(message);
        }
        sb.append(" (HTTP ").append(e.statusCode()).append(')');
        return sb.toString();
    }

    private static Optional<Duration> retryAfter(AwsServiceException e) {
        AwsErrorDetails d = e.awsErrorDetails();
        if (d == null || d.sdkHttpResponse() == null) {
            return Optional.empty();
        }
        return d.sdkHttpResponse().firstMatchingHeader("Retry-After").flatMap(v -> {
            try {
                long seconds = Long.parseLong(v.trim());
                return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
            } catch (NumberFormatException ex) {
                return Optional.empty(); // an HTTP-date: let the host choose the backoff
            }
        });
    }
}
