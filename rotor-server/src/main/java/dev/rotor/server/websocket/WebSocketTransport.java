package dev.rotor.server.websocket;

import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.timer.Timers;
import dev.rotor.transport.Transport;
import dev.rotor.transport.WriteBatch;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import dev.rotor.server.transport.OutboundQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The raw WebSocket {@link Transport}: each protocol frame becomes one text message.
 *
 * <p>Thread-safe. Writes from any thread go into a lock-free queue; one drain task on the channel's event loop
 * writes everything queued and flushes once (coalesced writes: a burst of pushes costs one syscall). Fan-out writes
 * leave that task to a {@link WriteBatch}, which runs the drains of all its connections on one loop in one task;
 * frames are queued in call order either way, so replies and pushes are never reordered. One encoded publication
 * is shared by all subscribers: with {@link WebSocketFrames}, framed once per event loop and written as
 * reference-counted duplicates; without, wrapped (never copied) in a {@code TextWebSocketFrame}.
 */
public final class WebSocketTransport implements Transport {
    private final Channel channel;
    private final Metrics metrics;
    /** Runs the close-frame deadline on the channel loop's wheel. */
    private final Timers timers;
    private final OutboundQueue queue = new OutboundQueue();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Runnable drain = this::drain;
    /** Null: each frame goes through Netty's frame encoder (needed when a WebSocket extension may be active). */
    private final WebSocketFrames frames;

    /**
     * A transport whose frames go through the pipeline's WebSocket frame encoder.
     *
     * @param timers timers on the channel's event loop (its wheel), for the close-frame deadline
     */
    public WebSocketTransport(Channel channel, Metrics metrics, Timers timers) {
        this(channel, metrics, timers, null);
    }

    /**
     * A transport that writes frames already framed by {@code frames} (shared per event loop), past the frame
     * encoder; null behaves like {@link #WebSocketTransport(Channel, Metrics, Timers)}. Pass null when a WebSocket
     * extension (permessage-deflate) may be negotiated, since such frames must go through the extension's encoder.
     */
    public WebSocketTransport(Channel channel, Metrics metrics, Timers timers, WebSocketFrames frames) {
        this.channel = channel;
        this.metrics = metrics;
        this.timers = timers;
        this.frames = frames;
    }

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    public void write(byte[] frame) {
        if (closed.get()) {
            return;
        }
        queue.add(frame);
        if (queue.claimDrain()) {
            channel.eventLoop().execute(drain);
        }
    }

    /**
     * Queues the frame at once, so it keeps its place among this connection's frames, and leaves the drain task to
     * the batch: a fan-out then costs one task per event loop, not one per connection.
     */
    @Override
    public void write(byte[] frame, WriteBatch batch) {
        if (closed.get()) {
            return;
        }
        queue.add(frame);
        if (queue.claimDrain()) {
            batch.schedule(channel.eventLoop(), drain);
        }
    }

    /** Runs on the event loop: writes everything queued, then flushes once. */
    private void drain() {
        try {
            int written = 0;
            byte[] frame;
            while ((frame = queue.poll()) != null) {
                if (!closed.get()) {
                    // a ByteBuf passes the frame encoder untouched: it is already a complete frame
                    Object message = frames != null ? frames.frame(frame, channel.alloc())
                            : new TextWebSocketFrame(Unpooled.wrappedBuffer(frame));
                    channel.write(message, channel.voidPromise());
                    written++;
                }
            }
            if (written > 0) {
                channel.flush();
                metrics.add(Counter.CLIENT_NUM_MSG_SENT, written);
            }
        } finally {
            // a frame queued after our last poll but before the claim was released would otherwise wait
            if (queue.drainDone()) {
                channel.eventLoop().execute(drain);
            }
        }
    }

    @Override
    public long queuedBytes() {
        ChannelOutboundBuffer out = channel.unsafe().outboundBuffer();
        return queue.bytes() + (out == null ? 0 : out.totalPendingWriteBytes());
    }

    @Override
    public void close(Disconnect disconnect) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        channel.eventLoop().execute(() -> {
            // §3: frames still queued are discarded, not flushed
            queue.clear();
            if (!channel.isActive()) {
                return;
            }
            // §9: close frame with the advice, 1 s write deadline; none if the connection already sent one
            WebSocketClose.send(channel, new CloseWebSocketFrame(3000, disconnect.toJson()), timers);
        });
    }

    /** Marks the transport closed without sending anything (the peer is gone or closed first). */
    public void markClosed() {
        closed.set(true);
        queue.clear();
    }

    public boolean isClosed() {
        return closed.get();
    }
}
