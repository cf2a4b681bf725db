package dev.cadet.forward;

import dev.cadet.alert.Alert;
import java.io.IOException;

/**
 * Where alerts go: syslog (UDP, TCP, TLS), stdout, a file. The forwarder drains the outbox into each
 * output on its own thread, in outbox order, and marks alerts sent after {@link #flush()} returns:
 * delivery is at least once, and a repeat carries the same alert id.
 */
public interface Output extends AutoCloseable {

    /** Unique among outputs; the outbox keeps a delivery cursor under this name. */
    String name();

    /** Sends one alert (may buffer). Throws when the receiver is unreachable; the forwarder retries. */
    void send(Alert alert) throws IOException;

    /** Pushes buffered alerts out. After it returns, the alerts sent so far count as delivered. */
    void flush() throws IOException;

    /** Closes connections properly (TLS close_notify). */
    @Override
    void close();
}
