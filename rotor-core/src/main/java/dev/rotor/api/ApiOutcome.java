package dev.rotor.api;

import dev.rotor.protocol.Advice;
import dev.rotor.protocol.Reply;

/**
 * What one API command produced, before a dialect renders it: the error (v1 text, null on success) with its
 * advice, the v1 {@code body} and the v2 {@code result}. Immutable.
 *
 * @param body   the v1 reply body; null writes {@code null}
 * @param result the v2 {@code result} object; null means the v2 reply is {@code {}}
 */
public record ApiOutcome(String error, Advice advice, Reply.Body body, Reply.Body result) {

    static ApiOutcome ok(Reply.Body body, Reply.Body result) {
        return new ApiOutcome(null, Advice.NONE, body, result);
    }

    static ApiOutcome failed(String error, Advice advice, Reply.Body body) {
        return new ApiOutcome(error, advice, body, null);
    }
}
