package dev.rotor.sdk.api;

import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.JsonWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Several API commands sent as one request, executed by the server in order, with one {@link ApiResult} per command
 * in the same order (http-api.md §3). Build it with the fluent methods, then {@link #send()} once. Not thread-safe.
 *
 * <p>{@code data} arguments are JSON text, sent verbatim; invalid JSON is refused before anything is sent.
 */
public final class Batch {
    private final RotorApiClient client;
    private final List<byte[]> commands = new ArrayList<>();

    Batch(RotorApiClient client) {
        this.client = client;
    }

    public Batch publish(String channel, String data) {
        return publish(channel, data, "");
    }

    /** Publishes with a publisher client id, which subscribers see as the message's {@code client}. */
    public Batch publish(String channel, String data, String clientId) {
        return add("publish", w -> {
            w.key("channel").string(channel).raw(',');
            if (!clientId.isEmpty()) {
                w.key("client").string(clientId).raw(',');
            }
            w.key("data").raw(json(data));
        });
    }

    public Batch broadcast(List<String> channels, String data) {
        return add("broadcast", w -> w.key("channels").array(channels, JsonWriter::string).raw(',')
                .key("data").raw(json(data)));
    }

    /** Unsubscribes a user from a channel on every node; an empty channel means all its channels. */
    public Batch unsubscribe(String channel, String user) {
        return add("unsubscribe", w -> w.key("channel").string(channel).raw(',').key("user").string(user));
    }

    public Batch disconnect(String user) {
        return add("disconnect", w -> w.key("user").string(user));
    }

    public Batch presence(String channel) {
        return add("presence", w -> w.key("channel").string(channel));
    }

    public Batch history(String channel) {
        return add("history", w -> w.key("channel").string(channel));
    }

    public Batch channels() {
        return add("channels", w -> { });
    }

    public Batch stats() {
        return add("stats", w -> { });
    }

    public int size() {
        return commands.size();
    }

    /** Sends every command in one signed request. */
    public CompletableFuture<List<ApiResult>> send() {
        JsonWriter w = new JsonWriter(64 * Math.max(1, commands.size()));
        w.raw('[');
        for (int i = 0; i < commands.size(); i++) {
            if (i > 0) {
                w.raw(',');
            }
            w.raw(commands.get(i));
        }
        w.raw(']');
        return client.post(w.toByteArray(), commands.size());
    }

    /** Writes the params fields (without braces). */
    @FunctionalInterface
    private interface ParamsWriter {
        void write(JsonWriter w);
    }

    private Batch add(String method, ParamsWriter params) {
        JsonWriter w = new JsonWriter(128);
        w.raw('{').key("uid").string(UUID.randomUUID().toString()).raw(',').key("method").string(method).raw(',')
                .key("params").raw('{');
        params.write(w);
        w.raw("}}");
        commands.add(w.toByteArray());
        return this;
    }

    private static byte[] json(String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        if (!JsonCodec.isValid(bytes)) {
            throw new IllegalArgumentException("data is not valid JSON: " + data);
        }
        return bytes;
    }
}
