package dev.rotor.sdk.client;

/**
 * Root of every failure the realtime client reports. Unchecked. {@link ServerError} carries the server's v1 error
 * string ({@code permission denied}, {@code not available}, ...) and advice; {@link Timeout}, {@link ConnectionLost}
 * and {@link Closed} say why a request got no reply; anything else (a failing sign or credentials provider, an
 * unreadable frame) is this class itself with the cause attached.
 */
public class RotorClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RotorClientException(String message) {
        super(message);
    }

    public RotorClientException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The server answered a command with an error. */
    public static final class ServerError extends RotorClientException {
        private static final long serialVersionUID = 1L;
        private final String method;
        private final String error;
        private final String advice;

        public ServerError(String method, String error, String advice) {
            super(method + ": " + error + (advice == null ? "" : " (advice: " + advice + ")"));
            this.method = method;
            this.error = error;
            this.advice = advice;
        }

        public String method() {
            return method;
        }

        /** The error text exactly as the server sent it, e.g. {@code permission denied}. */
        public String error() {
            return error;
        }

        /** {@code fix}, {@code retry} or null. */
        public String advice() {
            return advice;
        }
    }

    /** No reply arrived within the request timeout. */
    public static final class Timeout extends RotorClientException {
        private static final long serialVersionUID = 1L;

        public Timeout(String message) {
            super(message);
        }
    }

    /** The connection went away before the reply arrived (the client may be reconnecting). */
    public static final class ConnectionLost extends RotorClientException {
        private static final long serialVersionUID = 1L;

        public ConnectionLost(String message) {
            super(message);
        }
    }

    /** The client was closed for good (by {@code close()}, by server advice or after the last reconnect attempt). */
    public static final class Closed extends RotorClientException {
        private static final long serialVersionUID = 1L;

        public Closed(String message) {
            super(message);
        }
    }
}
