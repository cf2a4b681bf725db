package dev.cadet.forward.syslog;

/** The syslog header layout; it must match what the receiver is configured to parse. */
public enum SyslogFormat {
    /** BSD syslog: {@code <PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG}, local time, no year. */
    RFC3164,
    /** {@code <PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG}. */
    RFC5424
}
