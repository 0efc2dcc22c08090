package dev.rotor.api;

import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Method;
import dev.rotor.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Executes entries of the Redis API queue (redis-engine.md §8) with the same {@link ApiExecutor} as the HTTP API:
 * one JSON object per entry, {@code publish}, {@code broadcast}, {@code unsubscribe} and {@code disconnect} run,
 * other methods are ignored, the deprecated {@code {"data":[...]}} form runs each command. There is no reply: a
 * malformed entry or a failed command fails the returned stage, which the engine's queue worker logs once.
 * Thread-safe.
 */
public final class ApiQueueConsumer {
    private final ApiExecutor executor;

    public ApiQueueConsumer(ApiExecutor executor) {
        this.executor = executor;
    }

    /** Executes one queue entry; completes when its commands ran, exceptionally with the reason when not. */
    public CompletionStage<Void> handle(byte[] entry) {
        List<Command> commands;
        try {
            commands = decode(entry);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        List<String> errors = new ArrayList<>();
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (Command cmd : commands) {
            if (Method.find(cmd.method(), Method.Surface.API_QUEUE) == null) {
                continue; // v1 compat: other methods are silently ignored
            }
            chain = chain.thenCompose(v -> executor.executeOne(cmd).thenAccept(reply -> record(reply, errors)));
        }
        return chain.thenRun(() -> {
            if (!errors.isEmpty()) {
                throw new IllegalArgumentException(String.join("; ", errors));
            }
        });
    }

    private static void record(ApiReply reply, List<String> errors) {
        if (reply.error() != null) {
            errors.add(reply.method() + ": " + reply.error());
        }
    }

    private List<Command> decode(byte[] entry) {
        int start = 0;
        while (start < entry.length && Character.isWhitespace(entry[start])) {
            start++;
        }
        if (start < entry.length && entry[start] == '[') {
            throw new IllegalArgumentException("json: cannot unmarshal array into Go value of type proto.APICommand");
        }
        byte[] json = start == 0 ? entry : Arrays.copyOfRange(entry, start, entry.length);
        Command command = decodeOne(json);
        if (!command.method().isEmpty()) {
            return List.of(command);
        }
        return legacy(json);
    }

    /**
     * The deprecated form: an object without {@code method} whose {@code data} array holds the commands, read as a
     * stream and kept only when the queue runs their method.
     */
    // Read into a tree, as before, an entry of tiny elements held some thirty times its bytes and allocated 400 times
    // them (each element re-encoded), and an entry may be http_max_body_size long; now about three times
    // (ApiQueueConsumerTest.aLargeDeprecatedDataFormIsReadWithoutATreeOfIt).
    private static List<Command> legacy(byte[] json) {
        List<Command> out = new ArrayList<>();
        boolean found;
        try {
            found = CommandDecoder.decodeDataForm(json, command -> {
                if (Method.find(command.method(), Method.Surface.API_QUEUE) != null) {
                    out.add(command);
                }
            });
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.error().text());
        }
        if (!found) {
            throw new IllegalArgumentException("method required");
        }
        return out;
    }

    private static Command decodeOne(byte[] json) {
        try {
            return CommandDecoder.decode(json, false).get(0);
        } catch (ProtocolException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.error().text());
        }
    }
}
