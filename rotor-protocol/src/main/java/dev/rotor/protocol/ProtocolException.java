package dev.rotor.protocol;

/**
 * A protocol violation carrying the {@link ProtocolError} the client sees. Cheap to throw: no stack trace, since it
 * is an expected outcome of bad input, not a bug.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ProtocolError error;
    private final boolean illFormedText;

    public ProtocolException(ProtocolError error) {
        this(error, false);
    }

    private ProtocolException(ProtocolError error, boolean illFormedText) {
        super(error.text(), null, false, false);
        this.error = error;
        this.illFormedText = illFormedText;
    }

    public ProtocolError error() {
        return error;
    }

    public static ProtocolException invalid() {
        return new ProtocolException(ProtocolError.INVALID_MESSAGE);
    }

    /**
     * {@code invalid message} for a string parameter that is not well-formed UTF-16 ({@link Utf16}). Callers that
     * treat an undecodable command as a whole-request failure may answer this one for its command alone: the
     * command's shape was right, only a value is refused.
     */
    public static ProtocolException illFormedText() {
        return new ProtocolException(ProtocolError.INVALID_MESSAGE, true);
    }

    /** True when this is {@link #illFormedText()}. */
    public boolean isIllFormedText() {
        return illFormedText;
    }
}
