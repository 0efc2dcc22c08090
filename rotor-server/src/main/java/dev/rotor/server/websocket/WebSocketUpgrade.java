package dev.rotor.server.websocket;

import dev.rotor.server.http.HttpPhase;
import dev.rotor.server.transport.LoopTimers;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.WriteTimeoutHandler;

/**
 * Completes a WebSocket handshake and turns the channel's HTTP pipeline into a WebSocket one (used by the raw
 * endpoint, the admin socket and SockJS's websocket transport). Stateless.
 */
public final class WebSocketUpgrade {
    /** The message limit when {@code client_request_max_size} is 0 (no limit at the transport level). */
    private static final int MAX_MESSAGE = 64 * 1024 * 1024;

    private WebSocketUpgrade() {
    }

    /**
     * The largest message a client may send for {@code client_request_max_size}: the option itself, so a larger
     * message is refused before it is buffered (client-protocol.md §1.1); 0 means no limit at this level (the
     * session rejects every frame then, §3), capped at 64 MiB.
     */
    public static int messageLimit(int clientRequestMaxSize) {
        return clientRequestMaxSize <= 0 ? MAX_MESSAGE : clientRequestMaxSize;
    }

    /** True when the request asks for a WebSocket upgrade. */
    public static boolean isUpgrade(FullHttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /**
     * Answers the handshake, removes the HTTP phase's handlers (aggregation, deadlines, head checks, body budget)
     * and replaces the calling handler ({@code ctx.handler()}) with: an optional write
     * timeout, frame aggregation up to {@code maxMessage} bytes, the control frames ({@link WebSocketControlHandler}),
     * optional keepalive pings, then {@code session}, which sees only data frames.
     *
     * <p>The decoder is strict (RFC 6455 §5.1, §5.2): client frames must be masked, and reserved bits are allowed
     * only when permessage-deflate is negotiated on this connection; a violation is closed with 1002 by the control
     * handler, which also sends the close frame of an oversized message (1009), so the decoder itself sends none.
     *
     * @param pingInterval        {@code ping_interval} seconds; 0 adds no keepalive
     * @param writeTimeoutSeconds {@code client_message_write_timeout}; 0 adds no write timeout
     * @param timers              the server's loop timers; the keepalive runs on the channel loop's wheel
     */
    public static void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ChannelHandler session,
            int maxMessage, int pingInterval, int writeTimeoutSeconds, LoopTimers timers) {
        ChannelPipeline p = ctx.pipeline();
        DeflateExtensionHandler deflate = p.get(DeflateExtensionHandler.class);
        WebSocketDecoderConfig decoderConfig = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(maxMessage)
                .allowExtensions(deflate != null && deflate.negotiates(request))
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(false)
                .build();
        WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(
                "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri(), null,
                decoderConfig);
        WebSocketServerHandshaker handshaker = factory.newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        handshaker.handshake(ctx.channel(), request).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        // the HTTP phase's handlers do not apply to WebSocket frames
        HttpPhase.end(p);
        if (writeTimeoutSeconds > 0) {
            p.addLast("ws-write-timeout", new WriteTimeoutHandler(writeTimeoutSeconds));
        }
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(maxMessage));
        p.addLast("ws-control", new WebSocketControlHandler(timers.timers(ctx.channel().eventLoop())));
        if (pingInterval > 0) {
            p.addLast("ws-keepalive", new WebSocketKeepaliveHandler(pingInterval,
                    timers.wheel(ctx.channel().eventLoop())));
        }
        p.addLast("ws-session", session);
        p.remove(ctx.handler());
    }
}
