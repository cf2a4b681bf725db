package dev.cadet.forward.syslog;

import dev.cadet.alert.Alert;
import dev.cadet.forward.Output;
import dev.cadet.forward.cef.CefEncoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends alerts as CEF in syslog frames over UDP, TCP or TLS. Connects lazily on the first send and
 * after a failure; the {@link dev.cadet.forward.Forwarder} backs off and retries. Used by one thread.
 */
public final class SyslogOutput implements Output {
    private static final Logger LOG = LoggerFactory.getLogger(SyslogOutput.class);

    private final String name;
    private final SyslogSettings settings;
    private final CefEncoder encoder;
    private final Clock clock;
    private final SSLContext tlsContext;
    private SyslogConnection connection;
    private boolean idle = true;

    /**
     * @throws IllegalArgumentException when the TLS files cannot be used (names the file and why)
     */
    public SyslogOutput(String name, SyslogSettings settings, CefEncoder encoder, Clock clock) {
        this.name = name;
        this.settings = settings;
        this.encoder = encoder;
        this.clock = clock;
        this.tlsContext = settings.protocol() == Protocol.TLS ? TlsContexts.create(settings.tls()) : null;
    }

    @Override
    public String name() {
        return name;
    }

    public SyslogSettings settings() {
        return settings;
    }

    @Override
    public void send(Alert alert) throws IOException {
        byte[] message = frameBody(alert);
        try {
            connection().send(message);
        } catch (IOException e) {
            close();
            throw new IOException("syslog output " + name + " (" + target() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        if (connection == null) {
            return;
        }
        try {
            connection.flush();
            idle = true;
        } catch (IOException e) {
            close();
            throw new IOException("syslog output " + name + " (" + target() + "): " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    /** The syslog message (header + CEF, no framing) for the alert, cut to fit the frame limit. */
    byte[] frameBody(Alert alert) {
        String header = settings.header().render(SyslogHeader.syslogSeverity(alert.severity()), clock.instant());
        int budget = settings.maxFrameBytes() - header.getBytes(StandardCharsets.UTF_8).length - framingOverhead();
        return (header + encoder.encode(alert, budget)).getBytes(StandardCharsets.UTF_8);
    }

    private int framingOverhead() {
        if (settings.protocol() == Protocol.UDP) {
            return 0;
        }
        return settings.framing() == Framing.LF ? 1 : String.valueOf(settings.maxFrameBytes()).length() + 1;
    }

    private SyslogConnection connection() throws IOException {
        if (connection != null && idle && connection.peerClosed()) {
            LOG.info("syslog output {}: {} closed the connection; reconnecting", name, target());
            close();
        }
        idle = false;
        if (connection == null) {
            int timeout = (int) settings.connectTimeout().toMillis();
            connection = switch (settings.protocol()) {
                case UDP -> new UdpConnection(settings.host(), settings.port());
                case TCP -> StreamConnection.tcp(settings.host(), settings.port(), settings.framing(), timeout);
                case TLS -> StreamConnection.tls(settings.host(), settings.port(), settings.framing(), timeout,
                        tlsContext, settings.tls().serverName(), settings.tls().verifyHostname());
            };
            LOG.info("syslog output {}: connected to {}", name, target());
        }
        return connection;
    }

    private String target() {
        return settings.protocol().name().toLowerCase(java.util.Locale.ROOT) + "://" + settings.host() + ":" + settings.port();
    }
}
