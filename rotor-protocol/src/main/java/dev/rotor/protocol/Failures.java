package dev.rotor.protocol;

import java.util.concurrent.CompletionException;

/**
 * How a failed stage is read at a boundary: the cause under the {@link CompletionException} layers, and the error
 * text a client or API caller sees for it (client-protocol.md §12.2, http-api.md §4). Stateless.
 */
public final class Failures {
    private Failures() {
    }

    /** The failure under any {@link CompletionException} layers. */
    public static Throwable cause(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /**
     * The error text for a failed command: a {@link ProtocolException}'s v1 string, else the failure's own message
     * (v1 passed an engine's error text on), else {@code internal server error}.
     */
    public static String text(Throwable e) {
        Throwable cause = cause(e);
        if (cause instanceof ProtocolException pe) {
            return pe.error().text();
        }
        String m = cause.getMessage();
        return m == null || m.isEmpty() ? ProtocolError.INTERNAL_SERVER_ERROR.text() : m;
    }
}
