package dev.rotor.sdk.api;

/**
 * Root of every failure the API client reports. Unchecked. Subclasses say whether the server refused the request
 * ({@link HttpStatus}) or answered a command with an error ({@link CommandError}); anything else (network, timeout,
 * unparsable reply) is this class itself with the cause attached.
 */
public class RotorApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RotorApiException(String message, Throwable cause) {
        super(message, cause);
    }

    public RotorApiException(String message) {
        super(message);
    }

    /** The server answered with a status other than 200 (e.g. 401 for a wrong secret, 400 for a malformed batch). */
    public static final class HttpStatus extends RotorApiException {
        private static final long serialVersionUID = 1L;
        private final int status;

        public HttpStatus(int status, String body) {
            super("wrong status code: " + status
                    + (body.isBlank() ? "" : " (" + RotorApiClient.excerpt(body.strip()) + ")"));
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** The server executed a command and reported an error for it, e.g. {@code namespace not found}. */
    public static final class CommandError extends RotorApiException {
        private static final long serialVersionUID = 1L;
        private final String method;
        private final String error;
        private final String advice;

        public CommandError(String method, String error, String advice) {
            super(method + ": " + error + (advice == null ? "" : " (advice: " + advice + ")"));
            this.method = method;
            this.error = error;
            this.advice = advice;
        }

        public String method() {
            return method;
        }

        /** The error text exactly as the server sent it. */
        public String error() {
            return error;
        }

        /** {@code fix}, {@code retry} or null. */
        public String advice() {
            return advice;
        }
    }
}
