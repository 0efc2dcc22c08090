package dev.rotor.sdk.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The reply to one command of a {@link Batch}: the method, the error and advice (null on success) and the body as a
 * JSON tree ({@code null} node when the server sent {@code null}). Immutable.
 */
public record ApiResult(String method, String error, String advice, JsonNode body) {

    public boolean ok() {
        return error == null;
    }

    /** The body, or a {@link RotorApiException.CommandError} when the command failed. */
    public JsonNode bodyOrThrow() {
        if (error != null) {
            throw new RotorApiException.CommandError(method, error, advice);
        }
        return body;
    }
}
