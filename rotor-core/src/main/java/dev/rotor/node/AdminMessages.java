package dev.rotor.node;

import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.protocol.Renderings;

/**
 * Admin messages (admin-and-web.md §3.6): a watched channel's publication, sent to admin watchers on every node as
 * method {@code message} with the serialised message as params. Thread-safe (stateless).
 */
public final class AdminMessages {
    private AdminMessages() {
    }

    static ControlMessage watch(Message message) {
        JsonWriter w = new JsonWriter(128 + message.data().length());
        Renderings.serialisedMessage(w, message);
        return new ControlMessage("", "message", RawJson.wrap(w.toByteArray()));
    }

    /** The frame an admin watcher receives: {@code {"method":"message","error":null,"body":<message>}}. */
    public static byte[] watchFrame(ControlMessage message) {
        JsonWriter w = new JsonWriter(64 + message.params().length());
        w.raw("{\"method\":").string(message.method()).raw(",\"error\":null,\"body\":").raw(message.params().bytes())
                .raw('}');
        return w.toByteArray();
    }
}
