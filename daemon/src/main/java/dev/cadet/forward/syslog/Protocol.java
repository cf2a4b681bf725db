package dev.cadet.forward.syslog;

/** The syslog transport: UDP (RFC 5426), TCP (RFC 6587), TLS (RFC 5425). */
public enum Protocol {
    UDP, TCP, TLS
}
