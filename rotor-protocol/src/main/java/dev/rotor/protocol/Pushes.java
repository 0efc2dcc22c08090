package dev.rotor.protocol;

/**
 * Encodes server pushes (client-protocol.md §8). Each push is encoded once per node and the resulting bytes are
 * written to every subscriber. Thread-safe (stateless).
 */
public final class Pushes {
    private Pushes() {
    }

    /** {@code {"method":"message","body":{...}}} in push rendering, data verbatim. */
    public static byte[] message(Message m) {
        JsonWriter w = new JsonWriter(64 + m.data().length() + m.channel().length());
        w.raw("{\"method\":\"message\",\"body\":");
        Renderings.pushMessage(w, m);
        w.raw('}');
        return w.toByteArray();
    }

    /** {@code {"method":"join","body":{"channel":...,"data":<info>}}}. */
    public static byte[] join(String channel, ClientInfo info) {
        return joinLeave("join", channel, info);
    }

    /** {@code {"method":"leave","body":{"channel":...,"data":<info>}}}. */
    public static byte[] leave(String channel, ClientInfo info) {
        return joinLeave("leave", channel, info);
    }

    private static byte[] joinLeave(String method, String channel, ClientInfo info) {
        JsonWriter w = new JsonWriter(128);
        w.raw("{\"method\":\"").raw(method).raw("\",\"body\":{").key("channel").string(channel).raw(',').key("data");
        Renderings.pushInfo(w, info);
        w.raw("}}");
        return w.toByteArray();
    }

    /** {@code {"method":"unsubscribe","body":{"channel":...,"status":true}}} (server-side unsubscribe). */
    public static byte[] unsubscribe(String channel) {
        JsonWriter w = new JsonWriter(64 + channel.length());
        w.raw("{\"method\":\"unsubscribe\",\"body\":{").key("channel").string(channel).raw(",\"status\":true}}");
        return w.toByteArray();
    }
}
