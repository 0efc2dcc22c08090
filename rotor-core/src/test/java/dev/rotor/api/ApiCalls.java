package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.Node;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Runs API payloads through an {@link ApiExecutor} as the HTTP handler does (decode, execute, encode), and single
 * commands through {@link ApiV2}, for tests of the executor level of http-api.md and of the v2 dialect. On the memory engine every command completes before the call returns, so a
 * stage still pending is a failure, not something to wait for. Not thread-safe.
 */
final class ApiCalls {
    private final ApiExecutor executor;
    private final ApiV2 v2;

    ApiCalls(Node node) {
        this.executor = new ApiExecutor(node);
        this.v2 = new ApiV2(executor);
    }

    ApiExecutor executor() {
        return executor;
    }

    /** The JSON array a successful request answers with. */
    String run(String payload) {
        return new String(ApiExecutor.encode(done(executor.execute(decode(payload)))),
                StandardCharsets.UTF_8);
    }

    /** The body the v2 dialect answers one command with; {@code params} null means none. */
    String v2(String method, String params) {
        return new String(done(v2.execute(new Command("", method, params == null ? null : RawJson.of(params)))),
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

    /** The API tests' top-level channels: presence, and a history of 5 messages kept for a minute. */
    static void presenceAndHistory(ChannelOptions.Builder options) {
        options.presence(true).historySize(5).historyLifetime(60);
    }

    /** The result of a stage the memory engine has completed; fails when it is pending or failed. */
    static <T> T done(CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertThat(f).as("the request completed").isDone();
        try {
            return f.join();
        } catch (CompletionException e) {
            throw new AssertionError("the request failed: " + Node.unwrapError(e), e);
        }
    }
}
