package dev.rotor.engine.redis;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.protocol.Utf16;
import java.nio.charset.StandardCharsets;

/**
 * The protobuf (proto3) encoding v1 nodes use in Redis (redis-engine.md §3), written by hand for these six small
 * messages. Encoding reproduces v1's byte layout (the JSON byte fields are always written, even when empty);
 * decoding accepts any valid proto3 form and skips unknown fields, and fails with {@link MalformedException} on
 * anything else, including JSON fields that are not one JSON value. Stateless.
 */
final class WireCodec {
    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;
    private static final byte[] EMPTY = new byte[0];
    /** The field of a control message that carries its control log id; the log's script appends it in Lua. */
    static final int CONTROL_LOG_ID = 4;

    private WireCodec() {
    }

    /** Thrown for bytes that are not a valid encoding of the expected message. */
    static final class MalformedException extends RuntimeException {
        MalformedException(String message) {
            super(message);
        }
    }

    // ---- encoding -------------------------------------------------------------------------------------------

    static byte[] encodeMessage(Message m) {
        Out out = new Out(5);
        out.string(1, m.uid());
        out.string(3, m.channel());
        out.bytesAlways(4, m.data().bytes());
        out.string(5, m.client());
        if (m.info() != null) {
            out.bytesAlways(6, encodeClientInfo(m.info()));
        }
        return out.toByteArray();
    }

    static byte[] encodeClientInfo(ClientInfo info) {
        Out out = new Out(4);
        out.string(1, info.user());
        out.string(2, info.client());
        out.bytesAlways(3, raw(info.defaultInfo()));
        out.bytesAlways(4, raw(info.channelInfo()));
        return out.toByteArray();
    }

    /** JoinMessage and LeaveMessage share one layout: {@code 1: channel, 2: ClientInfo}. */
    static byte[] encodeJoinLeave(String channel, ClientInfo info) {
        Out out = new Out(2);
        out.string(1, channel);
        out.bytesAlways(2, encodeClientInfo(info));
        return out.toByteArray();
    }

    /** ControlMessage and AdminMessage share one layout: {@code 1: uid, 2: method, 3: params}. */
    static byte[] encodeControl(ControlMessage m) {
        Out out = new Out(3);
        out.string(1, m.uid());
        out.string(2, m.method());
        out.bytesAlways(3, raw(m.params()));
        return out.toByteArray();
    }

    private static byte[] raw(RawJson json) {
        return json == null ? EMPTY : json.bytes();
    }

    // ---- decoding -------------------------------------------------------------------------------------------

    static Message decodeMessage(byte[] bytes) {
        In in = new In(bytes);
        String uid = "";
        String channel = "";
        byte[] data = EMPTY;
        String client = null;
        ClientInfo info = null;
        while (in.more()) {
            int tag = in.varint32();
            switch (tag >>> 3) {
                case 1 -> uid = in.string(tag);
                case 3 -> channel = in.string(tag);
                case 4 -> data = in.bytes(tag);
                case 5 -> client = in.string(tag);
                case 6 -> info = decodeClientInfo(in.bytes(tag));
                default -> in.skip(tag);
            }
        }
        return new Message(uid, channel, json(data, "data"), client, info);
    }

    static ClientInfo decodeClientInfo(byte[] bytes) {
        In in = new In(bytes);
        String user = "";
        String client = "";
        RawJson defaultInfo = null;
        RawJson channelInfo = null;
        while (in.more()) {
            int tag = in.varint32();
            switch (tag >>> 3) {
                case 1 -> user = in.string(tag);
                case 2 -> client = in.string(tag);
                case 3 -> defaultInfo = jsonOrNull(in.bytes(tag), "default_info");
                case 4 -> channelInfo = jsonOrNull(in.bytes(tag), "channel_info");
                default -> in.skip(tag);
            }
        }
        return new ClientInfo(user, client, defaultInfo, channelInfo);
    }

    /** A decoded JoinMessage or LeaveMessage. */
    record JoinLeave(String channel, ClientInfo info) {
    }

    static JoinLeave decodeJoinLeave(byte[] bytes) {
        In in = new In(bytes);
        String channel = "";
        ClientInfo info = null;
        while (in.more()) {
            int tag = in.varint32();
            switch (tag >>> 3) {
                case 1 -> channel = in.string(tag);
                case 2 -> info = decodeClientInfo(in.bytes(tag));
                default -> in.skip(tag);
            }
        }
        return new JoinLeave(channel, info == null ? new ClientInfo("", "", null, null) : info);
    }

    static ControlMessage decodeControl(byte[] bytes) {
        return decodeLoggedControl(bytes).message();
    }

    /**
     * A decoded control message with the id of its entry in the control log ({@link ControlLog}), or a null id for
     * one that was not logged (pings, and what v1 nodes and earlier Rotor nodes publish).
     */
    record LoggedControl(ControlMessage message, StreamId logId) {
    }

    /**
     * A control message as the control log's script publishes it: beyond v1, field 4 holds the id of the message's
     * entry in the log. v1 and earlier Rotor nodes skip the field, as proto3 decoders skip unknown fields.
     */
    static LoggedControl decodeLoggedControl(byte[] bytes) {
        In in = new In(bytes);
        String uid = "";
        String method = "";
        byte[] params = EMPTY;
        StreamId logId = null;
        while (in.more()) {
            int tag = in.varint32();
            switch (tag >>> 3) {
                case 1 -> uid = in.string(tag);
                case 2 -> method = in.string(tag);
                case 3 -> params = in.bytes(tag);
                case CONTROL_LOG_ID -> logId = StreamId.parse(in.bytes(tag));
                default -> in.skip(tag);
            }
        }
        return new LoggedControl(new ControlMessage(uid, method,
                params.length == 0 ? RawJson.wrap(params) : json(params, "params")), logId);
    }

    /**
     * JSON bytes as read from Redis, which nodes relay to clients verbatim (pushes, presence, history): they must be
     * exactly one JSON value, or a writer to Redis could forge fields of the frames around them.
     */
    private static RawJson json(byte[] bytes, String field) {
        if (!JsonCodec.isValid(bytes)) {
            throw new MalformedException(field + " is not a JSON value");
        }
        return RawJson.wrap(bytes);
    }

    /** Decoding treats empty info bytes as absent (redis-engine.md §3). */
    private static RawJson jsonOrNull(byte[] bytes, String field) {
        return bytes.length == 0 ? null : json(bytes, field);
    }

    /**
     * Protobuf writer: collects the fields, then writes them into one array of the exact size (no growing buffer, no
     * copy at the end, no lock per byte as a {@code ByteArrayOutputStream} takes). Field numbers are below 16, so a
     * tag is one byte. Not thread-safe.
     */
    private static final class Out {
        private final int[] fields;
        private final byte[][] values;
        private int count;
        private int size;

        Out(int maxFields) {
            fields = new int[maxFields];
            values = new byte[maxFields][];
        }

        /**
         * proto3 strings: omitted when null or empty. Strict: a string that is not well-formed UTF-16 throws
         * IllegalArgumentException rather than being written with a substitute character.
         */
        void string(int field, String value) {
            if (value != null && !value.isEmpty()) {
                bytesAlways(field, Utf16.utf8(value));
            }
        }

        /** v1 compat: v1's encoder writes these byte fields even when empty. */
        void bytesAlways(int field, byte[] value) {
            fields[count] = (field << 3) | LENGTH_DELIMITED;
            values[count++] = value;
            size += 1 + varintSize(value.length) + value.length;
        }

        byte[] toByteArray() {
            byte[] out = new byte[size];
            int pos = 0;
            for (int i = 0; i < count; i++) {
                byte[] v = values[i];
                out[pos++] = (byte) fields[i];
                pos = varint(out, pos, v.length);
                System.arraycopy(v, 0, out, pos, v.length);
                pos += v.length;
            }
            return out;
        }

        private static int varintSize(int value) {
            int n = 1;
            while ((value & ~0x7F) != 0) {
                value >>>= 7;
                n++;
            }
            return n;
        }

        private static int varint(byte[] out, int pos, int value) {
            while ((value & ~0x7F) != 0) {
                out[pos++] = (byte) ((value & 0x7F) | 0x80);
                value >>>= 7;
            }
            out[pos++] = (byte) value;
            return pos;
        }
    }

    /** Protobuf reader over one byte array. Not thread-safe. */
    private static final class In {
        private final byte[] bytes;
        private int pos;

        In(byte[] bytes) {
            this.bytes = bytes;
        }

        boolean more() {
            return pos < bytes.length;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= bytes.length) {
                    throw new MalformedException("truncated varint");
                }
                byte b = bytes[pos++];
                result |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw new MalformedException("varint too long");
        }

        int varint32() {
            return (int) varint();
        }

        byte[] bytes(int tag) {
            if ((tag & 7) != LENGTH_DELIMITED) {
                throw new MalformedException("field " + (tag >>> 3) + " is not length-delimited");
            }
            long len = varint();
            if (len < 0 || len > bytes.length - pos) {
                throw new MalformedException("truncated field " + (tag >>> 3));
            }
            byte[] out = new byte[(int) len];
            System.arraycopy(bytes, pos, out, 0, out.length);
            pos += out.length;
            return out;
        }

        String string(int tag) {
            return new String(bytes(tag), StandardCharsets.UTF_8);
        }

        void skip(int tag) {
            switch (tag & 7) {
                case VARINT -> varint();
                case FIXED64 -> advance(8);
                case LENGTH_DELIMITED -> bytes(tag);
                case FIXED32 -> advance(4);
                default -> throw new MalformedException("unsupported wire type " + (tag & 7));
            }
        }

        private void advance(int n) {
            if (n > bytes.length - pos) {
                throw new MalformedException("truncated fixed field");
            }
            pos += n;
        }
    }
}
