package dev.cadet.forward.syslog;

import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a syslog output sends.
 *
 * @param framing       for TCP and TLS; ignored for UDP
 * @param maxFrameBytes the whole frame (header, CEF, framing) in bytes; longer alerts get their
 *                      longest values cut. At least 1024.
 * @param tls           for {@link Protocol#TLS} only, else null
 */
public record SyslogSettings(String host, int port, Protocol protocol, Framing framing, SyslogHeader header,
                             int maxFrameBytes, TlsSettings tls, Duration connectTimeout) {
    public static final int MIN_FRAME_BYTES = 1024;
    public static final int DEFAULT_UDP_FRAME_BYTES = 2048;
    public static final int DEFAULT_STREAM_FRAME_BYTES = 8192;

    public SyslogSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(framing, "framing");
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be between 1 and 65535: " + port);
        }
        if (maxFrameBytes < MIN_FRAME_BYTES) {
            throw new IllegalArgumentException("max frame bytes must be at least " + MIN_FRAME_BYTES + ": " + maxFrameBytes);
        }
        if (protocol == Protocol.TLS && tls == null) {
            tls = TlsSettings.defaults();
        }
    }
}
