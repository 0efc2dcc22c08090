package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.Node;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.ProtocolError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Runs API payloads through an {@link ApiExecutor} as the HTTP handler does (decode, execute, encode), for tests of
 * the executor level of http-api.md. On the memory engine every command completes before the call returns, so a
 * stage still pending is a failure, not something to wait for. Not thread-safe.
 */
final class ApiCalls {
    private final ApiExecutor executor;

    ApiCalls(Node node) {
        this.executor = new ApiExecutor(node);
    }

    /** The JSON array a successful request answers with. */
    String run(String payload) {
        return new String(ApiExecutor.encode(done(executor.execute(decode(payload)).toCompletableFuture())),
                StandardCharsets.UTF_8);
    }

    /** The error of a request-level failure (http-api.md §3.3), failing when the request succeeds. */
    ProtocolError refused(String payload) {
        CompletableFuture<List<ApiReply>> f = executor.execute(decode(payload)).toCompletableFuture();
        assertThat(f).as("the request completed").isDone();
        assertThat(f).as("the request failed as a whole").isCompletedExceptionally();
        Throwable cause = Node.unwrapError(f.handle((r, e) -> e).join());
        assertThat(cause).isInstanceOf(ApiRequestException.class);
        return ((ApiRequestException) cause).error();
    }

    private static List<Command> decode(String payload) {
        return CommandDecoder.decode(payload.getBytes(StandardCharsets.UTF_8), true);
    }

    private static <T> T done(CompletableFuture<T> f) {
        assertThat(f).as("the request completed").isDone();
        try {
            return f.join();
        } catch (CompletionException e) {
            throw new AssertionError("the request failed: " + Node.unwrapError(e), e);
        }
    }
}
