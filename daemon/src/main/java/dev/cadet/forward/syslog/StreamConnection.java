package dev.cadet.forward.syslog;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SNIHostName;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A TCP or TLS connection with LF or octet-counting framing (RFC 6587, RFC 5425). */
final class StreamConnection implements SyslogConnection {
    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);
    private static final byte[] LF = {'\n'};

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final Framing framing;

    private StreamConnection(Socket socket, Framing framing) throws IOException {
        this.socket = socket;
        this.framing = framing;
        this.out = new BufferedOutputStream(socket.getOutputStream(), 16 * 1024);
        this.in = socket.getInputStream();
    }

    static StreamConnection tcp(String host, int port, Framing framing, int connectTimeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            return new StreamConnection(s, framing);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Connects, then runs the TLS handshake (TLS 1.2+), checking the server's certificate against the
     * trusted CAs and, unless turned off, its name against {@code serverName} (or the host).
     */
    static StreamConnection tls(String host, int port, Framing framing, int connectTimeoutMs,
                                SSLContext context, String serverName, boolean verifyHostname) throws IOException {
        Socket plain = new Socket();
        try {
            plain.connect(new InetSocketAddress(host, port), connectTimeoutMs);
            plain.setTcpNoDelay(true);
            plain.setKeepAlive(true);
            String peer = serverName == null || serverName.isBlank() ? host : serverName;
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain, peer, port, true);
            SSLParameters params = tls.getSSLParameters();
            params.setProtocols(supported(tls.getSupportedProtocols()));
            if (verifyHostname) {
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            if (!isIpLiteral(peer)) {
                params.setServerNames(List.of(new SNIHostName(peer)));
            }
            tls.setSSLParameters(params);
            tls.setSoTimeout(connectTimeoutMs);
            try {
                tls.startHandshake();
            } catch (IOException e) {
                tls.close();
                throw e;
            }
            tls.setSoTimeout(0);
            return new StreamConnection(tls, framing);
        } catch (IOException e) {
            plain.close();
            throw e;
        }
    }

    private static String[] supported(String[] available) {
        List<String> wanted = List.of("TLSv1.3", "TLSv1.2");
        String[] out = wanted.stream().filter(p -> List.of(available).contains(p)).toArray(String[]::new);
        if (out.length == 0) {
            throw new IllegalStateException("this JVM supports neither TLS 1.3 nor TLS 1.2");
        }
        return out;
    }

    private static boolean isIpLiteral(String host) {
        return host.indexOf(':') >= 0 || host.matches("[0-9.]+");
    }

    @Override
    public void send(byte[] message) throws IOException {
        if (framing == Framing.OCTET_COUNTING) {
            out.write((message.length + " ").getBytes(StandardCharsets.US_ASCII));
            out.write(message);
        } else {
            out.write(message);
            out.write(LF);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Syslog receivers never write to us, so a readable EOF means they closed the connection. */
    @Override
    public boolean peerClosed() {
        try {
            socket.setSoTimeout(1);
            try {
                return in.read() < 0;
            } finally {
                socket.setSoTimeout(0);
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        try {
            out.flush();
        } catch (IOException e) {
            LOG.debug("flush before close failed: {}", e.toString());
        }
        try {
            socket.close(); // on an SSLSocket this sends close_notify first
        } catch (IOException e) {
            LOG.debug("close failed: {}", e.toString());
        }
    }
}
