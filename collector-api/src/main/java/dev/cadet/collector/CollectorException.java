package dev.cadet.collector;

import java.time.Duration;
import java.util.Objects;

/**
 * A classified failure of a remote call. The kind tells the host what to do; the message must say
 * what went wrong and, for {@link Kind#FATAL}, what the operator has to fix. Never put secrets in it.
 */
public class CollectorException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Config or permission problem: stop the stream until the config changes; say what to fix. */
        FATAL,
        /** Throttling, 5xx, network: wait (Retry-After, else backoff with jitter) and try again. */
        RETRY,
        /** The credential was refused: drop cached tokens and try once more. */
        REAUTH,
        /** A subscription is missing or off (O365): start it and try again. */
        RESUBSCRIBE,
        /** The server says our clock is off: correct the window by {@link #clockSkew()}. */
        CLOCK_SKEW
    }

    private final Kind kind;
    private final transient Duration retryAfter;
    private final boolean throttled;
    private final transient Duration clockSkew;

    public CollectorException(Kind kind, String message, Duration retryAfter, boolean throttled,
                              Duration clockSkew, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.retryAfter = retryAfter;
        this.throttled = throttled;
        this.clockSkew = clockSkew;
    }

    public static CollectorException fatal(String message, Throwable cause) {
        return new CollectorException(Kind.FATAL, message, null, false, null, cause);
    }

    /** A transient failure (5xx, network). */
    public static CollectorException retry(String message, Duration retryAfter, Throwable cause) {
        return new CollectorException(Kind.RETRY, message, retryAfter, false, null, cause);
    }

    /** The server asked us to slow down; counted as a throttle in stream health. */
    public static CollectorException throttled(String message, Duration retryAfter, Throwable cause) {
        return new CollectorException(Kind.RETRY, message, retryAfter, true, null, cause);
    }

    public static CollectorException reauth(String message, Throwable cause) {
        return new CollectorException(Kind.REAUTH, message, null, false, null, cause);
    }

    public static CollectorException resubscribe(String message, Throwable cause) {
        return new CollectorException(Kind.RESUBSCRIBE, message, null, false, null, cause);
    }

    /** @param skew server time minus our time */
    public static CollectorException clockSkew(String message, Duration skew, Throwable cause) {
        return new CollectorException(Kind.CLOCK_SKEW, message, null, false, skew, cause);
    }

    public Kind kind() {
        return kind;
    }

    /** The server's Retry-After, or null to let the host choose a backoff. */
    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean throttled() {
        return throttled;
    }

    public Duration clockSkew() {
        return clockSkew;
    }
}
