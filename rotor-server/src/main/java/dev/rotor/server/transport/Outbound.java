package dev.rotor.server.transport;

import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.transport.Transport;
import dev.rotor.transport.WriteBatch;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The outbound path of one client connection, shared by every transport: the queue of encoded protocol frames with
 * their byte count for the slow-client check (client-protocol.md §10), the one drain task that hands them to the
 * transport's {@link FrameSink} on the connection's event loop, batching of fan-out drains with a
 * {@link WriteBatch}, the closed flag after which writes are dropped and queued frames discarded (§3), and the channel
 * the frames go to, whose unsent bytes count too. The transport only frames bytes.
 *
 * <p>Writes from any thread go into a lock-free queue, in call order; one drain task at a time (claimed with a
 * flag, so a burst of writes schedules one task) writes everything queued and flushes once: a burst of pushes costs
 * one syscall. Fan-out writes leave that task to the batch, which runs the drains of all its connections of one
 * loop in one task; replies and pushes share the queue either way, so they are never reordered. Each connection
 * has one drain {@code Runnable}; a write allocates nothing but the queue's node. While no channel is attached (a
 * SockJS session between two polling requests) frames stay queued, still counted, and go out at {@link #attach}.
 *
 * <p>A transport (here an SSE one, whose framing is {@code data: <json>\n\n}) owns one and implements the sink:
 *
 * <pre>{@code
 * final class SseTransport implements Transport, FrameSink {
 *     private final Channel channel;
 *     private final Outbound outbound;
 *
 *     SseTransport(Channel channel, Metrics metrics) {
 *         this.channel = channel;
 *         this.outbound = new Outbound(channel.eventLoop(), channel, this, metrics);
 *     }
 *
 *     public void write(byte[] frame) { outbound.write(frame); }
 *     public void write(byte[] frame, WriteBatch batch) { outbound.write(frame, batch); }
 *     public long queuedBytes() { return outbound.queuedBytes(); }
 *     public void close(Disconnect disconnect) {
 *         if (outbound.close()) {
 *             channel.eventLoop().execute(() -> channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
 *                     .addListener(ChannelFutureListener.CLOSE));
 *         }
 *     }
 *
 *     // FrameSink, on the event loop; DATA and END are the bytes of "data: " and "\n\n", wrapped, never copied
 *     public void writeFrame(byte[] frame) {
 *         channel.write(new DefaultHttpContent(Unpooled.wrappedBuffer(DATA, frame, END)), channel.voidPromise());
 *     }
 *     public void flushFrames() { channel.flush(); }
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #write}, {@link #queuedBytes} and {@link #close} from any thread; {@link #attach},
 * {@link #detach} and {@link #flush} only on the executor. Frames are shared byte arrays and are never modified.
 */
public final class Outbound {
    // field updaters rather than atomics: three fewer objects per connection
    private static final AtomicLongFieldUpdater<Outbound> BYTES =
            AtomicLongFieldUpdater.newUpdater(Outbound.class, "bytes");
    private static final AtomicIntegerFieldUpdater<Outbound> DRAINING =
            AtomicIntegerFieldUpdater.newUpdater(Outbound.class, "draining");
    private static final AtomicIntegerFieldUpdater<Outbound> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(Outbound.class, "closed");

    /** The connection's event loop: drains run here, and fan-out drains are grouped by it. */
    private final Executor loop;
    private final FrameSink sink;
    private final Metrics metrics;
    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    /**
     * Bytes in {@link #queue}, plus the frame being handed to the sink; may briefly lag the queue by one frame while
     * a frame is added, and count a frame twice (here and in the channel) between its write and its decrement.
     */
    private volatile long bytes;
    /** 1 while a drain task is scheduled or running (its holder runs {@link #drain} next), else 0. */
    private volatile int draining;
    /** 1 once closed, never 0 again: writes are dropped from then on and a drain discards the queue. */
    private volatile int closed;
    /** The one drain task of this connection: no lambda per write or per fan-out. */
    private final Runnable drain = this::drain;
    /** The channel the sink writes to; null while none is attached. Changed only on {@link #loop}. */
    private volatile Channel channel;

    /**
     * @param loop    the connection's event loop: the sink is called only there
     * @param channel the channel the sink writes to; null when one {@linkplain #attach attaches} later
     * @param sink    the transport's framing
     * @param metrics counts the frames written ({@code client_num_msg_sent})
     */
    public Outbound(Executor loop, Channel channel, FrameSink sink, Metrics metrics) {
        this.loop = loop;
        this.channel = channel;
        this.sink = sink;
        this.metrics = metrics;
    }

    /** {@link Transport#write(byte[])}: queues the frame and schedules the drain unless one is pending. */
    public void write(byte[] frame) {
        if (add(frame)) {
            loop.execute(drain);
        }
    }

    /**
     * {@link Transport#write(byte[], WriteBatch)}: queues the frame at once, so it keeps its place among this
     * connection's frames, and leaves the drain task to the batch: a fan-out then costs one task per event loop, not
     * one per connection.
     */
    public void write(byte[] frame, WriteBatch batch) {
        if (add(frame)) {
            batch.schedule(loop, drain);
        }
    }

    /** Queues a frame unless closed; true when the caller won the drain claim and must schedule {@link #drain}. */
    private boolean add(byte[] frame) {
        if (closed != 0) {
            return false;
        }
        queue.add(frame);
        BYTES.addAndGet(this, frame.length);
        return DRAINING.compareAndSet(this, 0, 1);
    }

    /**
     * {@link Transport#queuedBytes()}: bytes queued here plus the bytes the attached channel has not handed to the
     * socket yet, so a peer that does not read is caught by the slow-client check whichever side holds the bytes.
     */
    public long queuedBytes() {
        Channel ch = channel;
        ChannelOutboundBuffer buffer = ch == null ? null : ch.unsafe().outboundBuffer();
        return bytes + (buffer == null ? 0 : buffer.totalPendingWriteBytes());
    }

    /**
     * Marks the connection closed: later writes are dropped and every queued frame is discarded, not flushed
     * (client-protocol.md §3). Returns true for the call that closed it; the transport then carries out its close
     * (close frame, end of response) on the loop. Idempotent.
     */
    public boolean close() {
        boolean first = CLOSED.compareAndSet(this, 0, 1);
        discard();
        return first;
    }

    /**
     * Closes the attached channel, if any, on the loop (after the tasks already queued there, such as the
     * transport's close): what it holds is released then, not after a close deadline. Any thread.
     */
    public void dropChannel() {
        loop.execute(() -> {
            Channel ch = channel;
            if (ch != null) {
                ch.close();
            }
        });
    }

    /** True once {@link #close} was called. */
    public boolean isClosed() {
        return closed != 0;
    }

    /**
     * Attaches the channel the sink writes to from now on (a SockJS receiving request) and writes what is queued.
     * On the loop.
     */
    public void attach(Channel receiver) {
        channel = receiver;
        flush();
    }

    /** Detaches the channel: frames stay queued until the next {@link #attach}. On the loop. */
    public void detach() {
        channel = null;
    }

    /**
     * Writes everything queued to the sink now and flushes once, when a channel is attached; discards it when
     * closed. On the loop: the drain task runs it after writes.
     */
    public void flush() {
        if (closed != 0) {
            discard();
            return;
        }
        if (channel == null) {
            return;
        }
        // a frame counts until the channel counts it: the transport may copy a large frame (into a direct buffer, or
        // escaped into a SockJS response at flushFrames) for milliseconds, and a frame counted nowhere meanwhile
        // would escape both the slow-client check and client_queue_budget's recount
        int written = 0;
        boolean onFlush = sink.handsOnFlush();
        long handed = 0; // bytes of frames a handsOnFlush sink holds until flushFrames
        byte[] frame;
        try {
            while ((frame = queue.poll()) != null) {
                boolean write = closed == 0;
                try {
                    if (write) {
                        sink.writeFrame(frame);
                        written++;
                    }
                } finally {
                    if (write && onFlush) {
                        handed += frame.length;
                    } else {
                        BYTES.addAndGet(this, -frame.length);
                    }
                }
            }
            if (written > 0) {
                sink.flushFrames();
                metrics.add(Counter.CLIENT_NUM_MSG_SENT, written);
            }
        } finally {
            if (handed != 0) {
                BYTES.addAndGet(this, -handed);
            }
        }
    }

    /** The drain task: {@link #flush}, then releases the claim. Runs on the loop, at most one at a time. */
    private void drain() {
        try {
            flush();
        } finally {
            draining = 0;
            // a frame queued after flush's last poll, before the claim was released, would otherwise wait for the
            // next write; frames kept while no channel is attached wait for the next attach instead
            if (!queue.isEmpty() && channel != null && DRAINING.compareAndSet(this, 0, 1)) {
                loop.execute(drain);
            }
        }
    }

    private byte[] poll() {
        byte[] frame = queue.poll();
        if (frame != null) {
            BYTES.addAndGet(this, -frame.length);
        }
        return frame;
    }

    /** Drops every queued frame, keeping the byte count exact. Any thread: polling is. */
    private void discard() {
        while (poll() != null) {
            // dropped
        }
    }
}
