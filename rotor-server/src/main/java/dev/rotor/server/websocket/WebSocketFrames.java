package dev.rotor.server.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Complete server-to-client WebSocket text frames (RFC 6455 header + payload) built once per event loop and shared,
 * as reference-counted duplicates, by every connection of that loop that writes the same protocol frame.
 *
 * <p>A fan-out hands the same {@code byte[]} to every subscriber; without this each connection would allocate a
 * {@code TextWebSocketFrame}, and Netty's frame encoder would allocate a buffer and copy header and payload into it.
 * Server frames are never masked (RFC 6455 §5.1), so the framed bytes are the same for every connection and can be
 * written as they are, past the frame encoder.
 *
 * <p>Thread-safe: each event-loop thread has its own small cache (identity of the payload array), touched only by
 * that thread, so the shared buffer's reference count is never contended across loops. A loop keeps at most one
 * framed buffer, released when the next distinct frame replaces it or when the loop's thread ends (Netty removes
 * its fast thread-locals then). Frames larger than {@link #MAX_CACHED} are framed per write and not kept.
 */
public final class WebSocketFrames {
    /** Larger frames (history replies, say) are not kept in the per-loop cache. */
    static final int MAX_CACHED = 64 * 1024;
    /** FIN + opcode 1 (text). */
    private static final int FIN_TEXT = 0x81;

    /** Instance (not static) so that each server owns its caches. */
    private final FastThreadLocal<Slot> slots = new FastThreadLocal<>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }

        @Override
        protected void onRemoval(Slot slot) {
            slot.clear();
        }
    };

    /**
     * The framed bytes of {@code payload} as a buffer the caller owns (one reference, released by the write).
     * Call on the event loop that writes it.
     */
    public ByteBuf frame(byte[] payload, ByteBufAllocator alloc) {
        if (payload.length > MAX_CACHED) {
            return encode(payload, alloc);
        }
        Slot slot = slots.get();
        if (slot.payload != payload) {
            slot.clear();
            slot.framed = encode(payload, alloc);
            slot.payload = payload;
        }
        return slot.framed.retainedDuplicate();
    }

    /** Header length for a payload of {@code n} bytes: 2, 4 (16-bit length) or 10 (64-bit length). */
    static int headerLength(int n) {
        return n < 126 ? 2 : n <= 0xFFFF ? 4 : 10;
    }

    static ByteBuf encode(byte[] payload, ByteBufAllocator alloc) {
        int n = payload.length;
        ByteBuf buf = alloc.directBuffer(headerLength(n) + n);
        buf.writeByte(FIN_TEXT);
        if (n < 126) {
            buf.writeByte(n);
        } else if (n <= 0xFFFF) {
            buf.writeByte(126);
            buf.writeShort(n);
        } else {
            buf.writeByte(127);
            buf.writeLong(n);
        }
        buf.writeBytes(payload);
        return buf;
    }

    /** One thread's cache entry; confined to that thread. Both fields null, or both set. */
    private static final class Slot {
        private byte[] payload;
        private ByteBuf framed;

        void clear() {
            if (framed != null) {
                framed.release();
                framed = null;
                payload = null;
            }
        }
    }
}
