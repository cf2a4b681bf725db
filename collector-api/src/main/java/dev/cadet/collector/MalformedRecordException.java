package dev.cadet.collector;

/** A record that cannot be normalized. The message says what is wrong, e.g. "eventTime: missing". */
public class MalformedRecordException extends Exception {
    private static final long serialVersionUID = 1L;

    public MalformedRecordException(String message) {
        super(message);
    }

    public MalformedRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
