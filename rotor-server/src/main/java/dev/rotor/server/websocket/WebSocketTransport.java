package dev.rotor.server.websocket;

import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.server.transport.Outbound;
import dev.rotor.server.transport.OutboundTransport;
import dev.rotor.timer.Timers;
import dev.rotor.transport.Transport;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * The raw WebSocket {@link Transport}: each protocol frame becomes one text message.
 *
 * <p>Thread-safe. The queue, batching and drain are {@link Outbound}'s: writes from any thread are queued in call
 * order, and one drain task on the channel's event loop writes everything queued and flushes once; this class only
 * frames. One encoded publication is shared by all subscribers: with {@link WebSocketFrames}, framed once per event
 * loop and written as reference-counted duplicates; without, wrapped (never copied) in a {@code TextWebSocketFrame}.
 */
public final class WebSocketTransport extends OutboundTransport {
    private final Channel channel;
    /** Runs the close-frame deadline on the channel loop's wheel. */
    private final Timers timers;
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
        super(channel.eventLoop(), channel, metrics);
        this.channel = channel;
        this.timers = timers;
        this.frames = frames;
    }

    @Override
    public String name() {
        return "websocket";
    }

    @Override
    protected void closed(Disconnect disconnect) {
        channel.eventLoop().execute(() -> {
            if (!channel.isActive()) {
                return;
            }
            // §9: close frame with the advice, 1 s write deadline; none if the connection already sent one
            WebSocketClose.send(channel, new CloseWebSocketFrame(3000, disconnect.toJson()), timers);
        });
    }

    /** Marks the transport closed without sending anything (the peer is gone or closed first). */
    public void markClosed() {
        outbound.close();
    }

    public boolean isClosed() {
        return outbound.isClosed();
    }

    // ---- FrameSink: only Outbound calls these, on the event loop ---------------------------------------------

    @Override
    public void writeFrame(byte[] frame) {
        // a ByteBuf passes the frame encoder untouched: it is already a complete frame
        Object message = frames != null ? frames.frame(frame, channel.alloc())
                : new TextWebSocketFrame(Unpooled.wrappedBuffer(frame));
        channel.write(message, channel.voidPromise());
    }

    @Override
    public void flushFrames() {
        channel.flush();
    }
}
