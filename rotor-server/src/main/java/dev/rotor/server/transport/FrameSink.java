package dev.rotor.server.transport;

/**
 * The framing half of a client transport: puts the protocol frames that {@link Outbound} takes from its queue on
 * the wire in the transport's own framing (a WebSocket text message, a SockJS {@code a[...]} frame, an SSE event).
 * The queue, the byte count, batching, the drain task, the closed flag and which channel is attached are
 * {@link Outbound}'s.
 *
 * <p>Called only by {@code Outbound}, on the executor given to it (the connection's event loop), and only while a
 * channel is attached. Frames are shared byte arrays (one encoding per publication, written to every subscriber)
 * and must never be modified; a sink that hands one to Netty wraps it ({@code Unpooled.wrappedBuffer}) rather than
 * copying it.
 */
public interface FrameSink {

    /** Writes one frame, oldest first, without flushing: {@link #flushFrames} follows the last frame of a drain. */
    void writeFrame(byte[] frame);

    /** Ends a drain that wrote at least one frame: flush what {@link #writeFrame} wrote, once (one syscall). */
    void flushFrames();

    /**
     * True when {@link #writeFrame} only collects the frame and {@link #flushFrames} hands the drain's frames to the
     * channel (SockJS's {@code a[...]}): the outbound path then counts them until the flush has run.
     */
    default boolean handsOnFlush() {
        return false;
    }
}
