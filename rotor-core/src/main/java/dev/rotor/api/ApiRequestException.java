package dev.rotor.api;

import dev.rotor.protocol.ProtocolError;

/**
 * A request-level API failure (http-api.md §3.3): the whole HTTP request answers 400 and the admin socket closes.
 * Commands executed before the failing one keep their effects. Carries no stack trace: it is an expected outcome.
 */
public final class ApiRequestException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final ProtocolError error;

    public ApiRequestException(ProtocolError error) {
        super(error.text(), null, false, false);
        this.error = error;
    }

    /** {@code method not found} or {@code invalid message}. */
    public ProtocolError error() {
        return error;
    }
}
