package dev.cadet.forward.syslog;

/** How messages are delimited on a stream transport (RFC 6587). UDP sends one message per datagram. */
public enum Framing {
    /** Non-transparent framing: the message followed by LF (CEF never holds a raw LF). */
    LF,
    /** {@code MSG-LEN SP SYSLOG-MSG}, length in UTF-8 bytes; mandatory for TLS (RFC 5425). */
    OCTET_COUNTING
}
