package dev.rotor.server.websocket;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Server keepalive for an upgraded WebSocket (client-protocol.md §7, admin-and-web.md §3.1): a ping control frame
 * with payload {@code ping} every {@code ping_interval}, and a read deadline of {@code ping_interval × 10/9} that only
 * pongs extend. Missing the deadline closes the connection without a close frame; a failed ping write fires
 * {@link #PING_FAILED} down the pipeline for the session handler to turn into its disconnect. Pongs are consumed
 * here. Confined to the channel's event loop.
 */
public final class WebSocketKeepaliveHandler extends ActiveChannelHandler {
    /** User event fired when a ping could not be written. */
    public static final Object PING_FAILED = new Object() {
        @Override
        public String toString() {
            return "PING_FAILED";
        }
    };
    private static final byte[] PING_PAYLOAD = "ping".getBytes(StandardCharsets.US_ASCII);

    private final long intervalNanos;
    /** Nanotime after which the connection is dropped unless a pong arrives. */
    private long readDeadline;
    /** Null until started and after stop. */
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> deadlineTask;

    /** @param pingIntervalSeconds {@code ping_interval}; must be positive (0 means: do not add this handler) */
    public WebSocketKeepaliveHandler(int pingIntervalSeconds) {
        this.intervalNanos = TimeUnit.SECONDS.toNanos(pingIntervalSeconds);
    }

    @Override
    protected void onActive(ChannelHandlerContext ctx) {
        extendDeadline();
        pingTask = ctx.executor().scheduleAtFixedRate(() -> ping(ctx), intervalNanos, intervalNanos,
                TimeUnit.NANOSECONDS);
        scheduleDeadlineCheck(ctx);
    }

    private void extendDeadline() {
        readDeadline = System.nanoTime() + intervalNanos * 10 / 9;
    }

    private void scheduleDeadlineCheck(ChannelHandlerContext ctx) {
        long delay = Math.max(0, readDeadline - System.nanoTime());
        deadlineTask = ctx.executor().schedule(() -> {
            if (System.nanoTime() - readDeadline >= 0) {
                // a read deadline drop is a plain close, without a close frame (§7)
                ctx.channel().close();
            } else {
                scheduleDeadlineCheck(ctx);
            }
        }, delay, TimeUnit.NANOSECONDS);
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
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof PongWebSocketFrame pong) {
            pong.release();
            extendDeadline();
            return;
        }
        ctx.fireChannelRead(msg);
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
        if (pingTask != null) {
            pingTask.cancel(false);
            pingTask = null;
        }
        if (deadlineTask != null) {
            deadlineTask.cancel(false);
            deadlineTask = null;
        }
    }
}
