package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.TestNode;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The API tests' helper on a {@link TestNode}: payloads through its {@link ApiExecutor} as the HTTP handler runs them
 * ({@link TestNode#api}), the request-level failures of http-api.md §3.3, and single commands through {@link ApiV2}.
 * On the memory engine every command completes before the call returns, so a stage still pending is a failure, not
 * something to wait for. Not thread-safe.
 */
final class ApiCalls {
    private final TestNode node;
    private final ApiExecutor executor;
    private final ApiV2 v2;

    ApiCalls(TestNode node) {
        this.node = node;
        this.executor = new ApiExecutor(node.node());
        this.v2 = new ApiV2(executor);
    }

    /** The API tests' top-level channels: presence, and a history of 5 messages kept for a minute. */
    static void presenceAndHistory(ChannelOptions.Builder options) {
        options.presence(true).historySize(5).historyLifetime(60);
    }

    ApiExecutor executor() {
        return executor;
    }

    /** The JSON array a successful request answers with. */
    String run(String payload) {
        return node.api(payload);
    }

    /** The body the v2 dialect answers one command with; {@code params} null means none. */
    String v2(String method, String params) {
        return new String(done(v2.execute(new Command("", method, params == null ? null : RawJson.of(params)))),
                StandardCharsets.UTF_8);
    }

    /** The error of a request-level failure (http-api.md §3.3), failing when the request succeeds. */
    ProtocolError refused(String payload) {
        List<Command> commands = CommandDecoder.decode(payload.getBytes(StandardCharsets.UTF_8), true);
        CompletableFuture<List<ApiReply>> f = executor.execute(commands).toCompletableFuture();
        assertThat(f).as("the request completed").isDone();
        assertThat(f).as("the request failed as a whole").isCompletedExceptionally();
        Throwable cause = Failures.cause(f.handle((r, e) -> e).join());
        assertThat(cause).isInstanceOf(ApiRequestException.class);
        return ((ApiRequestException) cause).error();
    }

    /** The result of a stage the memory engine has completed; fails when it is pending or failed. */
    static <T> T done(CompletionStage<T> stage) {
        CompletableFuture<T> f = stage.toCompletableFuture();
        assertThat(f).as("the command completed").isDone();
        try {
            return f.join();
        } catch (CompletionException e) {
            throw new AssertionError("the command failed: " + Failures.cause(e), e);
        }
    }
}
