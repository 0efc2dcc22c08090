package dev.rotor.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Method;
import dev.rotor.protocol.RawJson;
import java.io.IOException;
import java.time.Clock;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds and applies node-to-node control messages in v1's format (redis-engine.md §3, §7): {@code ping} with
 * {@code {"info":{...}}}, {@code unsubscribe} with {@code {"channel","user"}}, {@code disconnect} with
 * {@code {"user"}}. Messages carrying this node's own uid are only used to record its own ping. Thread-safe.
 */
final class ControlMessages {
    private static final Logger log = LoggerFactory.getLogger(ControlMessages.class);
    /** Control messages arrive from Redis, where anyone with access can publish them as fast as Redis takes them. */
    private final ThrottledLog malformed = new ThrottledLog(log, Clock.systemUTC(), 10_000);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Node node;

    ControlMessages(Node node) {
        this.node = node;
    }

    static ControlMessage ping(String nodeUid, NodeInfo info) {
        JsonWriter w = new JsonWriter(2048);
        w.raw('{').key("info");
        info.write(w);
        w.raw('}');
        return new ControlMessage(nodeUid, Method.PING.wire(), RawJson.wrap(w.toByteArray()));
    }

    static ControlMessage unsubscribe(String nodeUid, String user, String channel) {
        JsonWriter w = new JsonWriter(64);
        w.raw('{').key("channel").string(channel).raw(',').key("user").string(user).raw('}');
        return new ControlMessage(nodeUid, Method.UNSUBSCRIBE.wire(), RawJson.wrap(w.toByteArray()));
    }

    static ControlMessage disconnect(String nodeUid, String user) {
        JsonWriter w = new JsonWriter(32);
        w.raw('{').key("user").string(user).raw('}');
        return new ControlMessage(nodeUid, Method.DISCONNECT.wire(), RawJson.wrap(w.toByteArray()));
    }

    void handle(ControlMessage message) {
        try {
            JsonNode params = MAPPER.readTree(message.params().bytes());
            boolean own = node.uid().equals(message.uid());
            Method method = Method.find(message.method(), Method.Surface.CONTROL);
            if (method == null) {
                malformed.warn("unknown control method {}", message.method() + " from node " + message.uid());
                return;
            }
            switch (method) {
                case PING -> node.nodeSeen(nodeInfo(params.path("info")));
                case UNSUBSCRIBE -> {
                    if (!own) {
                        node.unsubscribeUserLocally(params.path("user").asText(""),
                                params.path("channel").asText(""));
                    }
                }
                case DISCONNECT -> {
                    if (!own) {
                        node.disconnectUserLocally(params.path("user").asText(""), Disconnect.DISCONNECT);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            malformed.warn("malformed control message from node {}", message.uid() + ": " + e);
        }
    }

    private static NodeInfo nodeInfo(JsonNode info) {
        Map<String, Long> metrics = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = info.path("metrics").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            metrics.put(e.getKey(), e.getValue().asLong());
        }
        return new NodeInfo(info.path("uid").asText(""), info.path("version").asText(""),
                info.path("name").asText(""), info.path("started_at").asLong(), metrics);
    }
}
