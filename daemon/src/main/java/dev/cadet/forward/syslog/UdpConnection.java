package dev.cadet.forward.syslog;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;

/** RFC 5426: one message per datagram, no delivery guarantee. */
final class UdpConnection implements SyslogConnection {
    private final DatagramSocket socket;

    UdpConnection(String host, int port) throws IOException {
        InetSocketAddress target = new InetSocketAddress(host, port);
        if (target.isUnresolved()) {
            throw new IOException("cannot resolve syslog host " + host);
        }
        socket = new DatagramSocket();
        socket.connect(target);
    }

    @Override
    public void send(byte[] message) throws IOException {
        socket.send(new DatagramPacket(message, message.length));
    }

    @Override
    public void flush() {
    }

    @Override
    public boolean peerClosed() {
        return false;
    }

    @Override
    public void close() {
        socket.close();
    }
}
