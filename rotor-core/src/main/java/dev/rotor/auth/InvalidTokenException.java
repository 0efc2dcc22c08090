package dev.rotor.auth;

/**
 * A token that fails verification; the message says why, for the debug log only (clients see {@code invalid token}
 * or {@code permission denied}). Immutable.
 */
public final class InvalidTokenException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidTokenException(String message) {
        super(message, null, false, false);
    }
}
