package dev.rotor.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * One v1 client over SockJS xhr-streaming: a POST {@code <session>/xhr_streaming} whose chunked response carries
 * the 2049-byte {@code h} prelude and then {@code \n}-ended frames; the connect + subscribe frame goes by
 * POST {@code <session>/xhr_send} on a short-lived second connection once {@code o} arrived. When the server ends
 * the response after its byte limit (128 KB in SockJS 0.3.3 servers), the client posts the next xhr_streaming
 * request on the same keep-alive connection, as sockjs-client does; frames queued meanwhile wait in the session.
 * Confined to its event loop except for {@link #ready()}, {@link #isOpen()}, {@link #recycles()} and {@link #close()}.
 */
final class XhrStreamingConnection extends ChannelInboundHandlerAdapter implements Subscriber {
    private final Bootstrap template;
    private final Target target;
    /** {@code <sockjs-path>/<server>/<session>}. */
    private final String session;
    private final byte[] hello;
    private final CompletableFuture<XhrStreamingConnection> ready = new CompletableFuture<>();
    private final SockJsClientFrames frames;
    private final SockJsClientFrames.Lines lines = new SockJsClientFrames.Lines();
    /** Null until connected. */
    private volatile Channel channel;
    /** Streaming responses the server ended (event loop writes, others read). */
    private volatile int recycles;
    /** False once a frame asked to close; the response end then opens no new request. Event loop only. */
    private boolean live = true;

    private XhrStreamingConnection(Bootstrap template, Target target, String session, byte[] hello, Sink sink) {
        this.template = template;
        this.target = target;
        this.session = session;
        this.hello = hello;
        this.frames = new SockJsClientFrames(ready, () -> ready.complete(this), sink);
    }

    /** Opens the streaming request of session {@code session} ({@code <sockjs-path>/<server>/<session>}). */
    static XhrStreamingConnection open(Bootstrap template, Target target, String session, String user,
            String channel, Sink sink) {
        XhrStreamingConnection conn = new XhrStreamingConnection(template, target, session,
                SockJsClientFrames.wrap(target.connectAndSubscribe(user, channel)), sink);
        ChannelFuture f = template.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), conn);
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

    private FullHttpRequest post(String path, ByteBuf body) {
        FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, path, body);
        r.headers().set(HttpHeaderNames.HOST, target.host() + ":" + target.port())
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        return r;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        ctx.writeAndFlush(post(session + "/xhr_streaming", Unpooled.EMPTY_BUFFER));
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpResponse head && !head.status().equals(HttpResponseStatus.OK)) {
                ready.completeExceptionally(new IllegalStateException("xhr_streaming answered " + head.status()));
                live = false;
                ctx.close();
                return;
            }
            if (msg instanceof HttpContent content && live) {
                lines.feed(content.content(), ctx.alloc(), (buf, from, to) -> onFrame(ctx, buf, from, to));
                if (msg instanceof LastHttpContent && live) {
                    // the server recycled the response (byte limit): open the next one, as sockjs-client does
                    lines.reset();
                    recycles++;
                    ctx.writeAndFlush(post(session + "/xhr_streaming", Unpooled.EMPTY_BUFFER));
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private boolean onFrame(ChannelHandlerContext ctx, ByteBuf buf, int from, int to) {
        switch (frames.onFrame(buf, from, to)) {
            case SEND_HELLO -> send(ctx);
            case CLOSE -> {
                live = false;
                ctx.close();
                return false;
            }
            case CONTINUE -> { }
        }
        return true;
    }

    /** POSTs the connect + subscribe frame on a second connection of the same event loop, expecting 204. */
    private void send(ChannelHandlerContext streaming) {
        FullHttpRequest request = post(session + "/xhr_send", Unpooled.wrappedBuffer(hello));
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=UTF-8")
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        template.clone(streaming.channel().eventLoop()).handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(65536),
                        new SimpleChannelInboundHandler<FullHttpResponse>() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(request);
                            }

                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse r) {
                                if (!r.status().equals(HttpResponseStatus.NO_CONTENT)) {
                                    ready.completeExceptionally(new IllegalStateException("xhr_send answered "
                                            + r.status() + ": " + r.content().toString(StandardCharsets.UTF_8)));
                                }
                                ctx.close();
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ready.completeExceptionally(cause);
                                ctx.close();
                            }
                        });
            }
        }).connect(target.host(), target.port()).addListener(done -> {
            if (!done.isSuccess()) {
                request.release();
                ready.completeExceptionally(done.cause());
            }
        });
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        lines.reset();
        ready.completeExceptionally(new IllegalStateException("connection closed before it was subscribed"));
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ready.completeExceptionally(cause);
        ctx.close();
    }

    @Override
    public CompletableFuture<XhrStreamingConnection> ready() {
        return ready;
    }

    @Override
    public boolean isOpen() {
        Channel ch = channel;
        return ch != null && ch.isActive();
    }

    @Override
    public ChannelFuture close() {
        return channel.close();
    }

    @Override
    public int recycles() {
        return recycles;
    }
}
