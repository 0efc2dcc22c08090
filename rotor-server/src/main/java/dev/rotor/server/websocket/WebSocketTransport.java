package dev.rotor.server.websocket;

import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.transport.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionEncoder;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;

/**
 * The raw WebSocket {@link Transport}: each protocol frame becomes one text message.
 *
 * <p>Thread-safe. Writes from any thread go into a lock-free queue; one drain task on the channel's event loop
 * writes everything queued and flushes once (coalesced writes: a burst of pushes costs one syscall). On a plain
 * WebSocket pipeline (no compression extension) frames come from {@link SharedFrames}, so one encoded publication
 * is one direct buffer per event loop shared by all subscribers; otherwise the bytes are wrapped (not copied) in
 * a {@link TextWebSocketFrame} for the pipeline's encoders.
 */
public final class WebSocketTransport implements Transport {
    /** Close frame write deadline (client-protocol.md §9: 1 s). */
    private static final long CLOSE_TIMEOUT_MILLIS = 1000;

    private final Channel channel;
    private final Metrics metrics;
    private final Queue<byte[]> queue = new ConcurrentLinkedQueue<>();
    /** Bytes in {@link #queue}. */
    // field updaters instead of atomic objects: one transport per connection, so every object counts
    private static final AtomicLongFieldUpdater<WebSocketTransport> QUEUED =
            AtomicLongFieldUpdater.newUpdater(WebSocketTransport.class, "queued");
    private static final AtomicIntegerFieldUpdater<WebSocketTransport> DRAINING =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketTransport.class, "draining");
    private static final AtomicIntegerFieldUpdater<WebSocketTransport> CLOSED =
            AtomicIntegerFieldUpdater.newUpdater(WebSocketTransport.class, "closed");
    private volatile long queued;
    /** 1 while a drain task is scheduled or running. */
    private volatile int draining;
    /** 1 once closed; never reset. */
    private volatile int closed;
    private final Runnable drain = this::drain;
    /** Null when frames are always encoded by the pipeline. */
    private final SharedFrames shared;
    /**
     * Whether the pipeline lets pre-encoded frames through unchanged (a WebSocket frame encoder, no extension
     * encoder); decided at the first drain, when the handshake is complete. Null until then; event loop only.
     */
    private Boolean raw;

    public WebSocketTransport(Channel channel, Metrics metrics) {
        this(channel, metrics, null);
    }

    public WebSocketTransport(Channel channel, Metrics metrics, SharedFrames shared) {
        this.channel = channel;
        this.metrics = metrics;
        this.shared = shared;
    }

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public void write(byte[] frame) {
        if (closed != 0) {
            return;
        }
        queue.add(frame);
        QUEUED.addAndGet(this, frame.length);
        if (DRAINING.compareAndSet(this, 0, 1)) {
            channel.eventLoop().execute(drain);
        }
    }

    /** Runs on the event loop: writes everything queued, then flushes once. */
    private void drain() {
        try {
            int written = 0;
            byte[] frame;
            if (raw == null) {
                raw = shared != null && channel.pipeline().get(WebSocketFrameEncoder.class) != null
                        && channel.pipeline().get(WebSocketExtensionEncoder.class) == null;
            }
            while ((frame = queue.poll()) != null) {
                QUEUED.addAndGet(this, -frame.length);
                if (closed == 0) {
                    // a raw ByteBuf passes the frame encoder unchanged: the bytes on the wire are the same frame
                    Object msg = raw ? shared.textFrame(frame, channel.alloc())
                            : new TextWebSocketFrame(Unpooled.wrappedBuffer(frame));
                    channel.write(msg, channel.voidPromise());
                    written++;
                }
            }
            if (written > 0) {
                channel.flush();
                metrics.add(Counter.CLIENT_NUM_MSG_SENT, written);
            }
        } finally {
            draining = 0;
            // a frame queued after our last poll but before the flag reset would otherwise wait for the next write
            if (!queue.isEmpty() && DRAINING.compareAndSet(this, 0, 1)) {
                channel.eventLoop().execute(drain);
            }
        }
    }

    @Override
    public long queuedBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return queued + (out == null ? 0 : out.totalPendingWriteBytes());
    }

    @Override
    public void close(Disconnect disconnect) {
        if (!CLOSED.compareAndSet(this, 0, 1)) {
            return;
        }
        channel.eventLoop().execute(() -> {
            // §3: frames still queued are discarded, not flushed
            queue.clear();
            queued = 0;
            if (!channel.isActive()) {
                return;
            }
            channel.writeAndFlush(new CloseWebSocketFrame(3000, disconnect.toJson()))
                    .addListener(ChannelFutureListener.CLOSE);
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, CLOSE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** Marks the transport closed without sending anything (the peer is gone or closed first). */
    public void markClosed() {
        closed = 1;
        queue.clear();
        queued = 0;
    }

    public boolean isClosed() {
        return closed != 0;
    }
}
