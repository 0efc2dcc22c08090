package dev.rotor.node;

import dev.rotor.engine.HistorySnapshot;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Reply;
import java.util.List;

/**
 * The recovery decision of a subscribe with {@code recover} (client-protocol.md §5.3 step 11): which messages the
 * reply carries and whether it says {@code recovered: true}. A pure function. Stateless.
 */
final class Recovery {
    private Recovery() {
    }

    /**
     * The subscribe reply body for a client whose newest message is {@code last}: with {@code last} empty or not in
     * the history, the whole history and {@code recovered: false}; found at index {@code i}, the {@code i} newer
     * messages, and {@code recovered: true} only when the engine vouches that nothing acknowledged after {@code last}
     * is missing ({@code i <= unbrokenThrough}).
     */
    // v1 compat: v1 said recovered: true whenever last was found; after a Redis failover that dropped acknowledged
    // but unreplicated publications that hid a gap. A gap now says recovered: false (the newer messages still come,
    // and the client, told of a possible loss, resynchronises).
    static Reply.Body body(String channel, HistorySnapshot history, String last) {
        List<Message> messages = history.messages();
        if (last.isEmpty()) {
            return Reply.subscribeBody(channel, true, "", messages, false);
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).uid().equals(last)) {
                return Reply.subscribeBody(channel, true, "", messages.subList(0, i), i <= history.unbrokenThrough());
            }
        }
        return Reply.subscribeBody(channel, true, "", messages, false);
    }
}
