package dev.rotor.protocol;

import java.util.List;
import java.util.Map;

/**
 * The two JSON renderings v1 uses for client info and messages (client-protocol.md §6.1–6.2). Key orders follow
 * v1 byte for byte. Thread-safe (stateless).
 *
 * <ul>
 *   <li><b>Push</b> rendering ({@code message}, {@code join}, {@code leave} pushes): raw values verbatim.</li>
 *   <li><b>Serialised</b> rendering (presence, history, recovered messages, API): raw values compacted.</li>
 * </ul>
 */
public final class Renderings {
    private Renderings() {
    }

    /** Push rendering: {@code default_info}, {@code channel_info}, {@code user}, {@code client}. */
    public static void pushInfo(JsonWriter w, ClientInfo info) {
        w.raw('{');
        if (info.defaultInfo() != null) {
            w.key("default_info").raw(info.defaultInfo().bytes()).raw(',');
        }
        if (info.channelInfo() != null) {
            w.key("channel_info").raw(info.channelInfo().bytes()).raw(',');
        }
        w.key("user").string(info.user()).raw(',').key("client").string(info.client()).raw('}');
    }

    /** Serialised rendering: {@code user}, {@code client}, then {@code default_info}, {@code channel_info}. */
    public static void serialisedInfo(JsonWriter w, ClientInfo info) {
        w.raw('{').key("user").string(info.user()).raw(',').key("client").string(info.client());
        if (info.defaultInfo() != null) {
            w.raw(',').key("default_info").raw(info.defaultInfo().compacted());
        }
        if (info.channelInfo() != null) {
            w.raw(',').key("channel_info").raw(info.channelInfo().compacted());
        }
        w.raw('}');
    }

    /** Push rendering of a message body: {@code uid}, {@code client}, {@code info}, {@code channel}, {@code data}. */
    public static void pushMessage(JsonWriter w, Message m) {
        w.raw('{').key("uid").string(m.uid()).raw(',');
        if (m.client() != null) {
            w.key("client").string(m.client()).raw(',');
        }
        if (m.info() != null) {
            w.key("info");
            pushInfo(w, m.info());
            w.raw(',');
        }
        w.key("channel").string(m.channel()).raw(',').key("data").raw(m.data().bytes()).raw('}');
    }

    /** Serialised rendering of a message: {@code uid}, {@code channel}, {@code data}, {@code client}, {@code info}. */
    public static void serialisedMessage(JsonWriter w, Message m) {
        w.raw('{').key("uid").string(m.uid()).raw(',').key("channel").string(m.channel()).raw(',')
                .key("data").raw(m.data().compacted());
        if (m.client() != null) {
            w.raw(',').key("client").string(m.client());
        }
        if (m.info() != null) {
            w.raw(',').key("info");
            serialisedInfo(w, m.info());
        }
        w.raw('}');
    }

    /** A JSON array of serialised messages, or {@code null}. */
    public static void serialisedMessages(JsonWriter w, List<Message> messages) {
        if (messages == null) {
            w.nullValue();
            return;
        }
        w.array(messages, Renderings::serialisedMessage);
    }

    /** A presence object (client id → serialised info), or {@code null}. */
    public static void presence(JsonWriter w, Map<String, ClientInfo> presence) {
        if (presence == null) {
            w.nullValue();
            return;
        }
        w.raw('{');
        boolean first = true;
        for (Map.Entry<String, ClientInfo> e : presence.entrySet()) {
            if (!first) {
                w.raw(',');
            }
            first = false;
            w.string(e.getKey()).raw(':');
            serialisedInfo(w, e.getValue());
        }
        w.raw('}');
    }
}
