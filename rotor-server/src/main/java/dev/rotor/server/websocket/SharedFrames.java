package dev.rotor.server.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Encodes a protocol frame into a complete WebSocket text frame (header and payload, unmasked as servers send)
 * once per event loop and hands out retained duplicates of it, so a publication fanned out to thousands of
 * connections is copied into direct memory once per event loop instead of once per connection, and the
 * WebSocket frame encoder is skipped.
 *
 * <p>Each event-loop thread keeps only the last frame it encoded (matched by array identity: a fan-out delivers
 * the same array to every subscriber), so the memory held is one frame per thread; it is released when the
 * next frame replaces it or when the thread ends. One instance per server; thread-safe (state is per thread).
 */
public final class SharedFrames {
    /** Per thread: the last array encoded and its frame; both null until first use. Confined to the thread. */
    private static final class Slot {
        byte[] payload;
        ByteBuf frame;
    }

    private final FastThreadLocal<Slot> slots = new FastThreadLocal<>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }

        @Override
        protected void onRemoval(Slot slot) {
            if (slot.frame != null) {
                slot.frame.release();
                slot.frame = null;
                slot.payload = null;
            }
        }
    };

    /**
     * The encoded text frame for {@code payload}, as a new retained duplicate the caller must write or release.
     * Call on an event loop; {@code payload} must not be modified afterwards (frames are immutable by contract).
     */
    ByteBuf textFrame(byte[] payload, ByteBufAllocator alloc) {
        Slot slot = slots.get();
        if (slot.payload != payload) {
            if (slot.frame != null) {
                slot.frame.release();
            }
            slot.frame = encode(payload, alloc);
            slot.payload = payload;
        }
        return slot.frame.retainedDuplicate();
    }

    /** RFC 6455 §5.2: FIN + text opcode, no mask, 7/16/64-bit payload length, then the payload. */
    static ByteBuf encode(byte[] payload, ByteBufAllocator alloc) {
        int n = payload.length;
        int header = n < 126 ? 2 : n < 65536 ? 4 : 10;
        ByteBuf buf = alloc.directBuffer(header + n);
        buf.writeByte(0x81);
        if (n < 126) {
            buf.writeByte(n);
        } else if (n < 65536) {
            buf.writeByte(126);
            buf.writeShort(n);
        } else {
            buf.writeByte(127);
            buf.writeLong(n);
        }
        buf.writeBytes(payload);
        return buf;
    }
}
