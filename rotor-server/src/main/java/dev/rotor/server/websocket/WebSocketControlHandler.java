package dev.rotor.server.websocket;

import dev.rotor.timer.Timers;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * The one place where the peer's WebSocket control frames and protocol violations are handled, for all three
 * WebSocket endpoints (raw, SockJS, admin), as Netty's {@code WebSocketServerProtocolHandler} does: it sits right
 * after the frame aggregator and passes only data frames on.
 *
 * <ul>
 *   <li><b>Ping</b>: answered with a pong carrying its payload. While the channel is not writable only the latest
 *       unanswered ping is kept (RFC 6455 §5.5.3 allows answering just the most recent one) and answered when
 *       writability returns, so a peer that pings and never reads cannot grow the server's outbound bytes.</li>
 *   <li><b>Pong</b>: consumed; fires {@link #PONG} for the keepalive's read deadline.</li>
 *   <li><b>Close</b>: fires {@link #CLOSING}, echoes the peer's code without a reason (client-protocol.md §9) and
 *       closes; when the server had already sent its close frame, the handshake is complete and it just closes.</li>
 *   <li><b>Violations</b> (a frame the decoder rejects, reserved bits no negotiated extension explains, an oversized
 *       message): fires {@link #CLOSING} and closes with the violation's code and an empty reason: 1002 (protocol
 *       error, RFC 6455 §5.1, §5.2), 1009 (message too big, client-protocol.md §1.1), or whichever code the frame
 *       decoder names.</li>
 * </ul>
 * Every close frame goes through {@link WebSocketClose}: at most one per connection. Confined to the channel's
 * event loop; it owns the pending ping payload and releases it when the channel goes away.
 */
public final class WebSocketControlHandler extends ChannelInboundHandlerAdapter {
    /** User event: a pong arrived. */
    public static final Object PONG = new Object() {
        @Override
        public String toString() {
            return "PONG";
        }
    };
    /** User event fired before a close frame goes out for the peer's close or a violation: send nothing more. */
    public static final Object CLOSING = new Object() {
        @Override
        public String toString() {
            return "CLOSING";
        }
    };

    /** For the close frame write deadline. */
    private final Timers timers;
    /** Payload of the latest ping not yet answered because the channel was not writable; null when none. */
    private ByteBuf pendingPing;
    /** True when pongs were written during this read and await the flush at read completion. */
    private boolean flushPending;

    /** @param timers timers on the channel's event loop, for the close frame write deadline */
    public WebSocketControlHandler(Timers timers) {
        this.timers = timers;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (frame.rsv() != 0) {
            // the decoder lets reserved bits through only when permessage-deflate was negotiated, and the extension's
            // decoder clears RSV1 of the frames it inflates: any bit left is one no extension defined (RFC 6455 §5.2)
            frame.release();
            violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR.code());
        } else if (frame instanceof PingWebSocketFrame) {
            ping(ctx, frame.content());
        } else if (frame instanceof PongWebSocketFrame) {
            frame.release();
            ctx.fireUserEventTriggered(PONG);
        } else if (frame instanceof CloseWebSocketFrame close) {
            int code = close.statusCode();
            close.release();
            peerClosed(ctx, code);
        } else {
            ctx.fireChannelRead(frame);
        }
    }

    /** Answers now when writable, else keeps only this payload (taking ownership) for when writability returns. */
    private void ping(ChannelHandlerContext ctx, ByteBuf payload) {
        if (pendingPing != null) {
            pendingPing.release();
            pendingPing = null;
        }
        if (WebSocketClose.sent(ctx.channel())) {
            payload.release();
        } else if (ctx.channel().isWritable()) {
            ctx.write(new PongWebSocketFrame(payload), ctx.voidPromise());
            flushPending = true;
        } else {
            pendingPing = payload;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // one flush for all the pongs of a read, not one per ping
        if (flushPending) {
            flushPending = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (pendingPing != null && ctx.channel().isWritable()) {
            ByteBuf payload = pendingPing;
            pendingPing = null;
            if (WebSocketClose.sent(ctx.channel())) {
                payload.release();
            } else {
                ctx.writeAndFlush(new PongWebSocketFrame(payload), ctx.voidPromise());
            }
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** §9: echo the peer's code (none when it sent none) without a reason, unless our close frame went first. */
    private void peerClosed(ChannelHandlerContext ctx, int code) {
        if (WebSocketClose.sent(ctx.channel())) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(CLOSING);
        WebSocketClose.send(ctx.channel(), code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, ""),
                timers);
    }

    private void violation(ChannelHandlerContext ctx, int code) {
        if (WebSocketClose.sent(ctx.channel())) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(CLOSING);
        WebSocketClose.send(ctx.channel(), new CloseWebSocketFrame(code, ""), timers);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof CorruptedWebSocketFrameException c) {
            // the frame decoder's verdict: 1002 (unmasked frame, reserved bits, bad opcode...) or 1009 for a frame
            // over the limit
            WebSocketCloseStatus status = c.closeStatus();
            violation(ctx, status != null ? status.code() : WebSocketCloseStatus.PROTOCOL_ERROR.code());
        } else if (cause instanceof TooLongFrameException) {
            // §1.1: a message over client_request_max_size, across fragments (the aggregator's limit)
            violation(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG.code());
        } else if (cause instanceof DecoderException) {
            // another decoding failure of the handlers before this one, all of which read the peer's bytes (e.g.
            // compressed data that does not inflate)
            violation(ctx, WebSocketCloseStatus.PROTOCOL_ERROR.code());
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releasePendingPing();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        releasePendingPing();
    }

    private void releasePendingPing() {
        ReferenceCountUtil.safeRelease(pendingPing);
        pendingPing = null;
    }
}
