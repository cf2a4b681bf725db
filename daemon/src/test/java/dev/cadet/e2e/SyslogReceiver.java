package dev.cadet.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SIEM of the end-to-end tests: a TCP syslog listener on loopback, LF framing (RFC 6587), that
 * keeps every complete line it receives, across any number of connections from any number of
 * daemon lifetimes. A line cut off by the sender's death (bytes after the last LF when the
 * connection ends) is not a message; it is counted apart, as a SIEM would drop it.
 */
final class SyslogReceiver implements AutoCloseable {
    private static final Pattern EXTERNAL_ID = Pattern.compile("(?:^| )externalId=([0-9a-f]+)(?: |$)");

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<String> lines = new ArrayList<>();
    private final List<Socket> connections = new ArrayList<>();
    private final AtomicInteger cutOff = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean closed;

    SyslogReceiver() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "syslog-receiver-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                accepted.incrementAndGet();
                synchronized (connections) {
                    connections.add(s);
                }
                Thread reader = new Thread(() -> read(s), "syslog-receiver-" + s.getPort());
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                if (!closed) {
                    System.err.println("syslog receiver: accept failed: " + e);
                }
            }
        }
    }

    private void read(Socket s) {
        ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
        try (s; InputStream in = new BufferedInputStream(s.getInputStream())) {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.UTF_8);
                    line.reset();
                    synchronized (lines) {
                        lines.add(text);
                        lines.notifyAll();
                    }
                } else {
                    line.write(b);
                }
            }
        } catch (IOException e) {
            // a reset by the killed sender ends the connection like EOF does
        }
        if (line.size() > 0) {
            cutOff.incrementAndGet();
        }
    }

    /** Every complete line so far, in arrival order. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    int lineCount() {
        synchronized (lines) {
            return lines.size();
        }
    }

    /** Lines that ended without their LF because the connection ended (the sender was killed mid-write). */
    int cutOffLines() {
        return cutOff.get();
    }

    int connectionsAccepted() {
        return accepted.get();
    }

    /** The distinct alert ids received so far. */
    Set<String> alertIds() {
        Set<String> ids = new LinkedHashSet<>();
        for (String l : lines()) {
            ids.add(externalId(l));
        }
        return ids;
    }

    /** Waits until the received lines satisfy the condition; false on timeout. */
    boolean awaitLines(Predicate<List<String>> condition, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            while (!condition.test(lines)) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lines.wait(Math.max(1, Math.min(200, left / 1_000_000)));
            }
            return true;
        }
    }

    /** The alert id a CEF line carries in {@code externalId}; fails on a line without one. */
    static String externalId(String line) {
        int cef = line.indexOf("CEF:");
        Matcher m = EXTERNAL_ID.matcher(cef < 0 ? line : line.substring(cef));
        if (cef < 0 || !m.find()) {
            throw new AssertionError("received a line without a CEF externalId: " + line);
        }
        return m.group(1);
    }

    /** The CEF part of a line (without the syslog header, which carries the sender's pid and time). */
    static String cef(String line) {
        int cef = line.indexOf("CEF:");
        if (cef < 0) {
            throw new AssertionError("received a line without CEF: " + line);
        }
        return line.substring(cef);
    }

    /** Lines grouped by alert id, in arrival order. */
    static Map<String, List<String>> byAlertId(List<String> lines) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String l : lines) {
            out.computeIfAbsent(externalId(l), k -> new ArrayList<>()).add(l);
        }
        return out;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        synchronized (connections) {
            for (Socket s : connections) {
                s.close();
            }
        }
    }
}
