package dev.rotor.server.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outgoing queue of one client connection: encoded protocol frames waiting for the connection's event loop,
 * with their total size for the slow-client check (client-protocol.md §10).
 *
 * <p>Thread-safe and lock-free: any thread may {@link #add}; one drain task at a time (claimed with
 * {@link #claimDrain}) takes frames out. Frames are shared byte arrays and are never modified.
 */
public final class OutboundQueue {
    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    /** Bytes in {@link #queue}; may briefly lag the queue by one frame while a frame is added or taken. */
    private final AtomicLong bytes = new AtomicLong();
    /** True while a drain task is scheduled or running. */
    private final AtomicBoolean draining = new AtomicBoolean();

    /** Queues a frame. */
    public void add(byte[] frame) {
        queue.add(frame);
        bytes.addAndGet(frame.length);
    }

    /** Takes the oldest frame, or null when empty. */
    public byte[] poll() {
        byte[] frame = queue.poll();
        if (frame != null) {
            bytes.addAndGet(-frame.length);
        }
        return frame;
    }

    /** Takes every queued frame, oldest first (empty list when nothing is queued). */
    public List<byte[]> pollAll() {
        List<byte[]> frames = new ArrayList<>();
        byte[] frame;
        while ((frame = poll()) != null) {
            frames.add(frame);
        }
        return frames;
    }

    /**
     * Claims the right to run a drain task; returns false when one is already scheduled or running. The winner
     * must call {@link #drainDone} when its task ends.
     */
    public boolean claimDrain() {
        return draining.compareAndSet(false, true);
    }

    /**
     * Ends a drain task. Returns true when frames arrived after its last poll and the caller must schedule another
     * drain (the claim is then already taken again), so no frame waits for the next write.
     */
    public boolean drainDone() {
        draining.set(false);
        return !queue.isEmpty() && claimDrain();
    }

    /** Releases the drain claim without looking at the queue (the caller drains later by other means). */
    public void releaseDrain() {
        draining.set(false);
    }

    /** Drops every queued frame (on close, queued frames are discarded, not flushed: §3). */
    public void clear() {
        queue.clear();
        bytes.set(0);
    }

    public boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Bytes queued. */
    public long bytes() {
        return bytes.get();
    }
}
