package dev.cadet.forward.syslog;

import java.io.IOException;

/** One open connection to a syslog receiver, used by one thread. */
interface SyslogConnection {

    /** Sends (or buffers) one framed message. */
    void send(byte[] message) throws IOException;

    /** Pushes buffered messages out to the kernel / TLS layer. */
    void flush() throws IOException;

    /**
     * Whether the receiver is known to be gone (it closed its side): a cheap check before a new batch,
     * so a batch is not written into a half-closed connection and lost.
     */
    boolean peerClosed();

    /** Closes properly (for TLS: close_notify); never throws. */
    void close();
}
