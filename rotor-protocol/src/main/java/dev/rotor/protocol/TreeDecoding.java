package dev.rotor.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads messages and client info, in either rendering (client-protocol.md §6.1–6.2), back from a parsed Jackson
 * tree; the inverse of {@link Renderings}, used by the SDKs to decode replies. Raw values come back compacted
 * (Jackson re-serialises them). Thread-safe (stateless).
 */
public final class TreeDecoding {
    private TreeDecoding() {
    }

    /** A message object; a missing {@code data} reads as {@code null}, an empty {@code client} as absent. */
    public static Message message(JsonNode m) {
        JsonNode info = m.get("info");
        JsonNode client = m.get("client");
        return new Message(m.path("uid").asText(), m.path("channel").asText(), raw(m.get("data")),
                client == null || client.isNull() ? null : client.asText(),
                info == null || info.isNull() ? null : clientInfo(info));
    }

    public static ClientInfo clientInfo(JsonNode n) {
        return new ClientInfo(n.path("user").asText(""), n.path("client").asText(""), rawOrNull(n.get("default_info")),
                rawOrNull(n.get("channel_info")));
    }

    /** An array of messages in the order given (history is newest first); anything else reads as empty. */
    public static List<Message> messages(JsonNode array) {
        if (array == null || !array.isArray()) {
            return List.of();
        }
        List<Message> out = new ArrayList<>(array.size());
        array.forEach(m -> out.add(message(m)));
        return Collections.unmodifiableList(out);
    }

    /** A presence object (client id → client info); null or absent reads as empty. */
    public static Map<String, ClientInfo> presence(JsonNode data) {
        Map<String, ClientInfo> out = new LinkedHashMap<>();
        if (data != null) {
            for (Map.Entry<String, JsonNode> e : data.properties()) {
                out.put(e.getKey(), clientInfo(e.getValue()));
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static RawJson raw(JsonNode n) {
        return n == null ? RawJson.NULL : RawJson.of(n.toString());
    }

    private static RawJson rawOrNull(JsonNode n) {
        return n == null || n.isNull() ? null : RawJson.of(n.toString());
    }
}
