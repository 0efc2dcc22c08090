package dev.rotor.server.transport;

import io.netty.channel.Channel;

/**
 * The framing half of a client transport: puts the protocol frames that {@link Outbound} takes from its queue on
 * the wire in the transport's own framing (a WebSocket text message, a SockJS {@code a[...]} frame, an SSE event).
 * The queue, the byte count, batching, the drain task and the closed flag are {@link Outbound}'s.
 *
 * <p>{@link #attached}, {@link #writeFrame} and {@link #flushFrames} are called only on the executor given to the
 * {@code Outbound} (the connection's event loop), and only by it; {@link #channel} may be called from any thread.
 * Frames are shared byte arrays (one encoding per publication, written to every subscriber) and must never be
 * modified; a sink that hands one to Netty wraps it ({@code Unpooled.wrappedBuffer}) rather than copying it.
 */
public interface FrameSink {

    /**
     * Whether queued frames can go out now. False keeps them queued, still counted by {@link Outbound#queuedBytes},
     * until the transport calls {@link Outbound#flush} (a SockJS session between two polling requests). The default
     * is true: the connection itself is the receiver.
     */
    default boolean attached() {
        return true;
    }

    /** Writes one frame, oldest first, without flushing: {@link #flushFrames} follows the last frame of a drain. */
    void writeFrame(byte[] frame);

    /** Ends one drain that wrote at least one frame: flush what {@link #writeFrame} wrote, once (one syscall). */
    void flushFrames();

    /**
     * The channel the frames are written to now, whose unsent bytes count against {@code client_queue_max_size}
     * together with the queue (client-protocol.md §10); null when none is attached. Any thread.
     */
    Channel channel();
}
