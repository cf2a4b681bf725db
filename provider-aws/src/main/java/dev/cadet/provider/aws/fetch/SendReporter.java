package dev.cadet.provider.aws.fetch;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Tells the host when a LookupEvents request is sent, so the quota's next permit counts from that
 * moment ({@link dev.cadet.collector.FetchContext#sending}): the SDK's first use (class loading,
 * marshaller and signer set-up) and credentials resolved on the way happen after the permit and
 * before this hook. The request carries what to run in {@link #ON_SEND}; requests without it are
 * left alone.
 *
 * <p>{@code beforeTransmission} runs after marshalling and signing, right before the SDK hands the
 * request to the HTTP client; opening a new connection (TCP, TLS) still follows it.
 */
final class SendReporter implements ExecutionInterceptor {

    /** What to run when the request is sent: the fetch's {@code FetchContext::sending}. */
    static final ExecutionAttribute<Runnable> ON_SEND = new ExecutionAttribute<>("cadet.OnSend");

    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        Runnable onSend = attributes.getAttribute(ON_SEND);
        if (onSend != null) {
            onSend.run();
        }
    }
}
