package dev.rotor.api;

import dev.rotor.protocol.Command;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.ProtocolError;
import java.util.concurrent.CompletionStage;

/**
 * Beyond v1: renders {@link ApiExecutor} outcomes in the Centrifugo v2 HTTP API shape the newer Ruby {@code cent}
 * gem expects (rubycent-wire.md): {@code {}} or {@code {"result":{..}}} on success, {@code {"error":{"code":N,
 * "message":".."}}} on failure, never both, and no request-level failures: every command error becomes an error
 * object. Thread-safe (stateless besides the executor).
 */
public final class ApiV2 {
    private final ApiExecutor executor;

    public ApiV2(ApiExecutor executor) {
        this.executor = executor;
    }

    /** A v2 error: its code and message (v2 {@code internal/api/errors.go}). */
    public enum Error {
        INTERNAL(100, "internal server error"),
        NAMESPACE_NOT_FOUND(102, "namespace not found"),
        METHOD_NOT_FOUND(104, "method not found"),
        LIMIT_EXCEEDED(106, "limit exceeded"),
        BAD_REQUEST(107, "bad request"),
        NOT_AVAILABLE(108, "not available");

        private final int code;
        private final String message;

        Error(int code, String message) {
            this.code = code;
            this.message = message;
        }

        public int code() {
            return code;
        }

        public String message() {
            return message;
        }

        /** The v2 error for a v1 error text; engine failures and anything unknown are internal errors. */
        public static Error of(String v1Text) {
            if (ProtocolError.NAMESPACE_NOT_FOUND.text().equals(v1Text)) {
                return NAMESPACE_NOT_FOUND;
            }
            if (ProtocolError.METHOD_NOT_FOUND.text().equals(v1Text)) {
                return METHOD_NOT_FOUND;
            }
            if (ProtocolError.LIMIT_EXCEEDED.text().equals(v1Text)) {
                return LIMIT_EXCEEDED;
            }
            if (ProtocolError.INVALID_MESSAGE.text().equals(v1Text)) {
                return BAD_REQUEST;
            }
            if (ProtocolError.NOT_AVAILABLE.text().equals(v1Text)) {
                return NOT_AVAILABLE;
            }
            return INTERNAL;
        }

        /** {@code {"error":{"code":N,"message":".."}}}: exactly the two keys the gem's ResponseError takes. */
        public byte[] encode() {
            return new JsonWriter(64).raw("{\"error\":{\"code\":").number(code).raw(',').key("message")
                    .string(message).raw("}}").toByteArray();
        }
    }

    /** Executes one command; the stage completes with the response body (and exceptionally only on a bug). */
    public CompletionStage<byte[]> execute(Command cmd) {
        return executor.outcome(cmd, ApiExecutor.Dialect.V2).handle((o, e) -> {
            if (e != null) {
                Throwable cause = Failures.cause(e);
                if (cause instanceof ApiRequestException request) {
                    return Error.of(request.error().text()).encode();
                }
                throw new IllegalStateException("API command failed unexpectedly", cause);
            }
            if (o.error() != null) {
                return Error.of(o.error()).encode();
            }
            if (o.result() == null) {
                return new byte[] {'{', '}'};
            }
            JsonWriter w = new JsonWriter(128);
            w.raw("{\"result\":");
            o.result().write(w);
            return w.raw('}').toByteArray();
        });
    }
}
