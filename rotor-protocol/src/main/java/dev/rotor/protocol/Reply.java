package dev.rotor.protocol;

import java.util.List;
import java.util.Map;

/**
 * A reply to one client command (client-protocol.md §2.3, §12.1): {@code uid} (omitted when empty),
 * {@code method}, {@code error} and {@code advice} (omitted when absent), {@code body}. Immutable.
 *
 * @param uid    echoed command uid, {@code ""} for none
 * @param method the command's method
 * @param error  error text or null
 * @param advice the error's advice; null is read as {@link Advice#NONE}
 * @param body   the body writer, or null to omit the body (ping without data)
 */
public record Reply(String uid, String method, String error, Advice advice, Body body) {

    public Reply {
        advice = advice == null ? Advice.NONE : advice;
    }

    /** Writes a reply body. Implementations are immutable. */
    @FunctionalInterface
    public interface Body {
        void write(JsonWriter w);
    }

    public Reply withError(ProtocolError e, Advice advice) {
        return new Reply(uid, method, e.text(), advice, body);
    }

    public void write(JsonWriter w) {
        w.raw('{');
        if (!uid.isEmpty()) {
            w.key("uid").string(uid).raw(',');
        }
        w.key("method").string(method);
        if (error != null) {
            w.raw(',').key("error").string(error);
        }
        if (advice != Advice.NONE) {
            w.raw(',').key("advice").string(advice.text());
        }
        if (body != null) {
            w.raw(',').key("body");
            body.write(w);
        }
        w.raw('}');
    }

    /** One reply as an object, two or more as an array (client-protocol.md §2.2). */
    public static byte[] encodeFrame(List<Reply> replies) {
        Frame frame = new Frame(replies.size());
        replies.forEach(frame::add);
        return frame.toByteArray();
    }

    /**
     * The replies to one client frame, encoded as they come so that their size is known before the last one is
     * there: one reply as an object, two or more as an array (client-protocol.md §2.2). Not thread-safe; the replies
     * of a frame are added one after another, in order.
     */
    public static final class Frame {
        private final JsonWriter w;
        private final int expected;
        private int added;

        /** A frame for the replies to {@code expected} commands. */
        public Frame(int expected) {
            this.expected = expected;
            this.w = new JsonWriter(128 * expected);
            if (expected != 1) {
                w.raw('[');
            }
        }

        /** Appends the next reply. */
        public void add(Reply reply) {
            if (added++ > 0) {
                w.raw(',');
            }
            reply.write(w);
        }

        /** Replies added so far. */
        public int count() {
            return added;
        }

        /** Bytes encoded so far. */
        public int length() {
            return w.length();
        }

        /** The frame's bytes; call once, after the last reply. */
        public byte[] toByteArray() {
            if (expected != 1) {
                w.raw(']');
            }
            return w.toByteArray();
        }
    }

    // ---- bodies ---------------------------------------------------------------------------------------------

    /** {@code connect}/{@code refresh} body; all five fields always present. */
    public static Body connectBody(String version, String client, boolean expires, boolean expired, long ttl) {
        return w -> w.raw('{').key("version").string(version).raw(',').key("client").string(client).raw(',')
                .key("expires").bool(expires).raw(',').key("expired").bool(expired).raw(',').key("ttl").number(ttl)
                .raw('}');
    }

    /** {@code subscribe} body; {@code messages} null unless recovery was attempted. */
    public static Body subscribeBody(String channel, boolean status, String last, List<Message> messages,
            boolean recovered) {
        return w -> {
            w.raw('{').key("channel").string(channel).raw(',').key("status").bool(status).raw(',').key("last")
                    .string(last).raw(',').key("messages");
            Renderings.serialisedMessages(w, messages);
            w.raw(',').key("recovered").bool(recovered).raw('}');
        };
    }

    /** {@code unsubscribe}/{@code publish} body. */
    public static Body statusBody(String channel, boolean status) {
        return w -> w.raw('{').key("channel").string(channel).raw(',').key("status").bool(status).raw('}');
    }

    /** {@code presence} body; {@code data} null on error. */
    public static Body presenceBody(String channel, Map<String, ClientInfo> data) {
        return w -> {
            w.raw('{').key("channel").string(channel).raw(',').key("data");
            Renderings.presence(w, data);
            w.raw('}');
        };
    }

    /** {@code history} body; {@code data} null on error. */
    public static Body historyBody(String channel, List<Message> data) {
        return w -> {
            w.raw('{').key("channel").string(channel).raw(',').key("data");
            Renderings.serialisedMessages(w, data);
            w.raw('}');
        };
    }

    /** {@code ping} body, or null (omitted) when data is empty. */
    public static Body pingBody(String data) {
        if (data == null || data.isEmpty()) {
            return null;
        }
        return w -> w.raw('{').key("data").string(data).raw('}');
    }
}
