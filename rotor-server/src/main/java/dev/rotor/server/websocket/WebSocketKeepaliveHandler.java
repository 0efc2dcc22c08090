package dev.rotor.server.websocket;

import dev.rotor.timer.Timeout;
import dev.rotor.timer.TimerWheel;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Server keepalive for an upgraded WebSocket (client-protocol.md §7, admin-and-web.md §3.1): a ping control frame
 * with payload {@code ping} every {@code ping_interval}, and a read deadline of {@code ping_interval × 10/9} that only
 * pongs extend. Missing the deadline closes the connection without a close frame; a failed ping write fires
 * {@link #PING_FAILED} down the pipeline for the session handler to turn into its disconnect. Pongs are consumed
 * here. Both timers share one entry of the loop's {@link TimerWheel}, so an idle connection holds no scheduled task.
 * Confined to the channel's event loop.
 */
public final class WebSocketKeepaliveHandler extends ActiveChannelHandler implements Runnable {
    /** User event fired when a ping could not be written. */
    public static final Object PING_FAILED = new Object() {
        @Override
        public String toString() {
            return "PING_FAILED";
        }
    };
    private static final byte[] PING_PAYLOAD = "ping".getBytes(StandardCharsets.US_ASCII);

    private final long intervalNanos;
    private final TimerWheel wheel;
    /** Wheel-clock time after which the connection is dropped unless a pong arrives. Only touched on the loop. */
    private long readDeadline;
    /** Wheel-clock time of the next ping. Only touched on the loop. */
    private long nextPing;
    /** The one wheel entry serving both pings and the read deadline; null until active. Only touched on the loop. */
    private Timeout timeout;
    /** This handler's context; null until active. */
    private ChannelHandlerContext ctx;

    /**
     * @param pingIntervalSeconds {@code ping_interval}; must be positive (0 means: do not add this handler)
     * @param wheel               the timer wheel of the channel's event loop
     */
    public WebSocketKeepaliveHandler(int pingIntervalSeconds, TimerWheel wheel) {
        this.intervalNanos = TimeUnit.SECONDS.toNanos(pingIntervalSeconds);
        this.wheel = wheel;
    }

    @Override
    protected void onActive(ChannelHandlerContext ctx) {
        long now = wheel.nanoTime();
        nextPing = now + intervalNanos;
        extendDeadline();
        this.ctx = ctx;
        // the handler is the timeout's task itself: no lambda per connection
        timeout = wheel.newTimeout(this);
        rearm();
    }

    private void extendDeadline() {
        readDeadline = wheel.nanoTime() + intervalNanos * 10 / 9;
    }

    /** Wakes at whichever comes first, the next ping or the read deadline (a pong may have moved it since). */
    private void rearm() {
        timeout.scheduleAt(nextPing - readDeadline < 0 ? nextPing : readDeadline);
    }

    /** The timeout fired: drop on a missed read deadline, else ping when due; on the loop. */
    @Override
    public void run() {
        long now = wheel.nanoTime();
        if (now - readDeadline >= 0) {
            // a read deadline drop is a plain close, without a close frame (§7)
            ctx.channel().close();
            return;
        }
        if (now - nextPing >= 0) {
            ping(ctx);
            // fixed rate, as v1's ticker; after a stall, one ping now rather than a burst of missed ones
            nextPing = Math.max(nextPing + intervalNanos, now + 1);
        }
        rearm();
    }

    private void ping(ChannelHandlerContext ctx) {
        if (!ctx.channel().isActive()) {
            return;
        }
        ctx.writeAndFlush(new PingWebSocketFrame(Unpooled.wrappedBuffer(PING_PAYLOAD))).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.fireUserEventTriggered(PING_FAILED);
            }
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketControlHandler.PONG) {
            extendDeadline();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (timeout != null) {
            timeout.cancel();
        }
    }
}
