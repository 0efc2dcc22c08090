package dev.rotor.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One v1 client over WebSocket: handshake, one {@code [connect, subscribe]} frame, then every received frame
 * is scanned for payload timestamps. {@link #ready()} completes when the subscribe reply says
 * {@code "status":true} and fails on anything else or on close before that. With SockJS framing
 * ({@link #openSockJs}) the frame goes out after the server's {@code o}, wrapped as {@code ["..."]}, and pushes
 * arrive inside {@code a[...]} frames. Confined to its event loop except for {@link #ready()} and {@link #close()}.
 */
final class WsConnection extends SimpleChannelInboundHandler<TextWebSocketFrame> implements Subscriber {
    private static final byte[] OK = "\"status\":true".getBytes(StandardCharsets.US_ASCII);

    private final byte[] hello;
    private final Sink sink;
    private final CompletableFuture<WsConnection> ready = new CompletableFuture<>();
    /** The reason of the server's close frame, if one came; for the error of a connection closed before it was ready. */
    private volatile String closeReason;
    /** SockJS framing; null for raw v1 frames. */
    private final SockJsClientFrames sockjs;
    /** Null until connected. */
    private volatile Channel channel;

    private WsConnection(byte[] hello, Sink sink, boolean sockjs) {
        this.hello = hello;
        this.sink = sink;
        this.sockjs = sockjs ? new SockJsClientFrames(ready, () -> ready.complete(this), sink) : null;
    }

    /** Opens a raw v1 connection; the returned connection's {@link #ready()} tells when it is subscribed. */
    static WsConnection open(Bootstrap template, Target target, String path, String user, String channel,
            Sink sink) {
        return open(template, target, path, new WsConnection(target.connectAndSubscribe(user, channel), sink, false));
    }

    /** Opens a SockJS websocket session at {@code path} ({@code .../<server>/<session>/websocket}). */
    static WsConnection openSockJs(Bootstrap template, Target target, String path, String user, String channel,
            Sink sink) {
        byte[] hello = SockJsClientFrames.wrap(target.connectAndSubscribe(user, channel));
        return open(template, target, path, new WsConnection(hello, sink, true));
    }

    private static WsConnection open(Bootstrap template, Target target, String path, WsConnection conn) {
        URI uri = URI.create("ws://" + (target.host().contains(":") ? "[" + target.host() + "]" : target.host())
                + ":" + target.port() + path);
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .maxFramePayloadLength(16 * 1024 * 1024)
                .handshakeTimeoutMillis(30_000)
                .dropPongFrames(true)
                // the generator only scans frames for timestamps; validating every text frame's UTF-8 was ~4 % of
                // its CPU in a profile, CPU the server on the same machine then does not get
                .withUTF8Validator(false)
                // close frames reach channelRead, which keeps the server's reason for the error of a connection
                // closed before it was ready
                .handleCloseFrames(false)
                .build();
        ChannelFuture f = template.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new WebSocketClientProtocolHandler(config), conn);
            }
        }).connect(target.host(), target.port());
        conn.channel = f.channel();
        f.addListener(done -> {
            if (!done.isSuccess()) {
                conn.ready.completeExceptionally(done.cause());
            }
        });
        return conn;
    }

    @Override
    public CompletableFuture<WsConnection> ready() {
        return ready;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE && sockjs == null) {
            ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(hello)));
        } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
            ready.completeExceptionally(new IllegalStateException("WebSocket handshake timed out"));
            ctx.close();
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof CloseWebSocketFrame close) {
            closeReason = close.reasonText();
            close.release();
            ctx.close();
            return;
        }
        super.channelRead(ctx, msg);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        ByteBuf content = frame.content();
        if (sockjs != null) {
            switch (sockjs.onFrame(content, content.readerIndex(), content.writerIndex())) {
                case SEND_HELLO -> ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(hello)));
                case CLOSE -> ctx.close();
                case CONTINUE -> { }
            }
            return;
        }
        if (!ready.isDone()) {
            if (ByteBufUtil.indexOf(Unpooled.wrappedBuffer(OK), content) >= 0) {
                ready.complete(this);
            } else {
                ready.completeExceptionally(new IllegalStateException(
                        "connect/subscribe refused: " + content.toString(StandardCharsets.UTF_8)));
                ctx.close();
                return;
            }
        }
        Payloads.scan(content, sink::delivered);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        String reason = closeReason;
        ready.completeExceptionally(new IllegalStateException("connection closed before it was subscribed"
                + (reason == null || reason.isEmpty() ? "" : " (the server's close reason: " + reason
                        + (reason.contains("invalid token") ? "; does --secret match the server's secret?" : "")
                        + ")")));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    /** Closes the TCP connection abruptly (no close frame), like a client going away. */
    @Override
    public ChannelFuture close() {
        return channel.close();
    }
}
