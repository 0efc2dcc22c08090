package dev.rotor.protocol;

/**
 * A protocol violation carrying the {@link ProtocolError} the client sees. Cheap to throw: no stack trace, since it
 * is an expected outcome of bad input, not a bug.
 */
public final class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ProtocolError error;

    public ProtocolException(ProtocolError error) {
        super(error.text(), null, false, false);
        this.error = error;
    }

    public ProtocolError error() {
        return error;
    }

    public static ProtocolException invalid() {
        return new ProtocolException(ProtocolError.INVALID_MESSAGE);
    }
}
