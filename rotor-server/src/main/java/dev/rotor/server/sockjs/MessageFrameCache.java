package dev.rotor.server.sockjs;

import io.netty.util.concurrent.FastThreadLocal;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Encodes {@code a[...]} message frames as UTF-8, once per event loop for a fan-out: the protocol frames of one
 * publication are the same shared byte arrays for every subscriber, so each thread remembers the last list of
 * frames (by identity) and its encoding, and the next session of that loop flushing the same frames reuses it.
 * The raw WebSocket transport shares one encoded frame among its subscribers in the same way.
 *
 * <p>Thread-safe: one slot per thread. A slot holds at most one frame list and its encoding, and only an encoding of
 * at most {@link #MAX_KEPT} bytes: a larger one is a session's backlog (up to {@code client_queue_max_size}, escaped
 * to several times that), which no other session shares, and keeping it would hold that memory on the loop until
 * its next encoding. Returned arrays are shared and must never be modified.
 */
final class MessageFrameCache {
    /** The largest encoding a slot keeps for reuse; a fan-out's publication frame is far smaller. */
    static final int MAX_KEPT = 256 * 1024;

    /** The last frames encoded on one thread and their encoding. */
    private static final class Slot {
        /** Identity of the frames last encoded; empty until the first encode. */
        private byte[][] frames = new byte[0][];
        /** Their {@code a[...]} frame as UTF-8; null until the first encode. */
        private byte[] encoded;
    }

    private final FastThreadLocal<Slot> slots = new FastThreadLocal<>() {
        @Override
        protected Slot initialValue() {
            return new Slot();
        }
    };

    /** The {@code a[...]} frame of {@code frames} (not empty), in order, as UTF-8. */
    byte[] messages(List<byte[]> frames) {
        Slot slot = slots.get();
        if (sameFrames(slot.frames, frames)) {
            return slot.encoded;
        }
        byte[] encoded = SockJsFrames.messages(frames).getBytes(StandardCharsets.UTF_8);
        if (encoded.length <= MAX_KEPT) {
            slot.frames = frames.toArray(new byte[0][]);
            slot.encoded = encoded;
        }
        return encoded;
    }

    private static boolean sameFrames(byte[][] last, List<byte[]> frames) {
        if (last.length != frames.size()) {
            return false;
        }
        for (int i = 0; i < last.length; i++) {
            if (last[i] != frames.get(i)) {
                return false;
            }
        }
        return true;
    }
}
