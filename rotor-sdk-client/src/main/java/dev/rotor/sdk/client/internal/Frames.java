package dev.rotor.sdk.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.protocol.BoundedJson;
import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.sdk.client.Credentials;
import dev.rotor.sdk.client.RotorClientException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Encodes client commands and decodes server frames of the v1 client protocol (client-protocol.md §2, §5, §8).
 * Thread-safe (stateless).
 */
final class Frames {
    /** For close reasons, which RFC 6455 §5.5 bounds to 123 bytes. */
    private static final ObjectMapper CLOSE_REASONS = BoundedJson.mapper(123);

    private Frames() {
    }

    /** One encoded command object, with the uid its reply will carry. */
    record Command(String uid, String method, byte[] json) {
    }

    static Command command(String uid, String method, Consumer<JsonWriter> params) {
        JsonWriter w = new JsonWriter(96);
        w.raw('{').key("uid").string(uid).raw(',').key("method").string(method);
        if (params != null) {
            w.raw(',').key("params").raw('{');
            params.accept(w);
            w.raw('}');
        }
        w.raw('}');
        return new Command(uid, method, w.toByteArray());
    }

    /** §2.1: one command as an object, several as an array. */
    static String frame(List<Command> commands) {
        if (commands.isEmpty()) {
            throw new IllegalArgumentException("a frame needs at least one command");
        }
        if (commands.size() == 1) {
            return new String(commands.get(0).json(), StandardCharsets.UTF_8);
        }
        JsonWriter w = new JsonWriter(128 * commands.size());
        w.raw('[');
        for (int i = 0; i < commands.size(); i++) {
            if (i > 0) {
                w.raw(',');
            }
            w.raw(commands.get(i).json());
        }
        return w.raw(']').toString();
    }

    /** {@code connect} / {@code refresh} params; {@code null} credentials (insecure mode) send none. */
    static Consumer<JsonWriter> credentials(Credentials c) {
        if (c == null) {
            return w -> { };
        }
        return w -> {
            w.key("user").string(c.user()).raw(',').key("timestamp").string(c.timestamp());
            if (!c.info().isEmpty()) {
                w.raw(',').key("info").string(c.info());
            }
            w.raw(',').key("token").string(c.token());
        };
    }

    /** {@code subscribe} params (§5.3); {@code last} null for no recovery, sign null for public channels. */
    static Consumer<JsonWriter> subscribe(String channel, String last, String client, String sign, String info) {
        return w -> {
            w.key("channel").string(channel);
            if (last != null) {
                w.raw(',').key("recover").bool(true).raw(',').key("last").string(last);
            }
            if (sign != null) {
                w.raw(',').key("client").string(client).raw(',').key("info").string(info).raw(',').key("sign")
                        .string(sign);
            }
        };
    }

    static Consumer<JsonWriter> channel(String channel) {
        return w -> w.key("channel").string(channel);
    }

    /** {@code publish} params; {@code json} must be valid JSON and is embedded verbatim. */
    static Consumer<JsonWriter> publish(String channel, String json) {
        byte[] data = json.getBytes(StandardCharsets.UTF_8);
        if (!JsonCodec.isValid(data)) {
            throw new IllegalArgumentException("publish data must be one valid JSON value, got: " + json);
        }
        return w -> w.key("channel").string(channel).raw(',').key("data").raw(data);
    }

    // ---- decoding ------------------------------------------------------------------------------------------

    /**
     * The reply and push objects of one frame (an object, or an array of objects), parsed by {@code mapper}: a
     * {@link BoundedJson#mapper} for the client's {@code maxMessageSize}.
     */
    static List<JsonNode> parse(ObjectMapper mapper, String frame) {
        JsonNode root;
        try {
            root = mapper.readTree(frame);
        } catch (IOException e) {
            String limit = BoundedJson.limitExceeded(e);
            if (limit != null) {
                throw new RotorClientException("frame from server past a parse limit (" + limit + "): "
                        + abbreviate(frame), e);
            }
            throw new RotorClientException("unreadable frame from server: " + abbreviate(frame), e);
        }
        if (root != null && root.isObject()) {
            return List.of(root);
        }
        if (root != null && root.isArray()) {
            List<JsonNode> out = new ArrayList<>(root.size());
            for (JsonNode n : root) {
                if (!n.isObject()) {
                    throw new RotorClientException("unexpected frame from server: " + abbreviate(frame));
                }
                out.add(n);
            }
            return out;
        }
        throw new RotorClientException("unexpected frame from server: " + abbreviate(frame));
    }

    /** A disconnect advice close reason {@code {"reason":..,"reconnect":..}} (§9), or null if it is not one. */
    static JsonNode advice(String closeReason) {
        if (closeReason == null || !closeReason.startsWith("{")) {
            return null;
        }
        try {
            JsonNode n = CLOSE_REASONS.readTree(closeReason);
            return n != null && n.has("reason") ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }
}
