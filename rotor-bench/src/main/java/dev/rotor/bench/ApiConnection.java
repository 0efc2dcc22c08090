package dev.rotor.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One keep-alive HTTP/1.1 connection to {@code /api/} with at most one request in flight (no pipelining, as real
 * API clients do). Confined to its event loop: call {@link #send} only from {@link #eventLoopExecute} tasks or
 * from the completion callback.
 */
final class ApiConnection extends SimpleChannelInboundHandler<FullHttpResponse> {
    private static final ByteBuf ERROR = Unpooled.unreleasableBuffer(
            Unpooled.copiedBuffer("\"error\":\"", StandardCharsets.US_ASCII));

    /** The outcome of one request, on the event loop. */
    interface Done {
        void done(ApiConnection conn, boolean ok, long startedNanos);
    }

    private final Target target;
    private final Done done;
    private Channel channel;
    /** Send time of the request in flight; 0 when idle. Event loop only. */
    private long inFlightSince;

    private ApiConnection(Target target, Done done) {
        this.target = target;
        this.done = done;
    }

    /** Connects synchronously (bounded by the connect timeout). */
    static ApiConnection open(Bootstrap template, Target target, Done done) throws InterruptedException {
        ApiConnection conn = new ApiConnection(target, done);
        conn.channel = template.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(16 * 1024 * 1024), conn);
            }
        }).connect(target.host(), target.port()).sync().channel();
        return conn;
    }

    boolean idle() {
        return inFlightSince == 0;
    }

    void eventLoopExecute(Runnable task) {
        channel.eventLoop().execute(task);
    }

    void schedule(Runnable task, long delay, TimeUnit unit) {
        channel.eventLoop().schedule(task, delay, unit);
    }

    /** Sends one signed (unless insecure) POST; {@code sign} may be precomputed, or null to compute it. */
    void send(byte[] body, String sign) {
        FullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/",
                Unpooled.wrappedBuffer(body));
        req.headers().set(HttpHeaderNames.HOST, target.host())
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        String s = sign != null ? sign : target.apiSign(body);
        if (s != null) {
            req.headers().set("X-API-Sign", s);
        }
        inFlightSince = System.nanoTime();
        channel.writeAndFlush(req, channel.voidPromise());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
        long started = inFlightSince;
        inFlightSince = 0;
        boolean ok = response.status().code() == 200 && ByteBufUtil.indexOf(ERROR, response.content()) < 0;
        done.done(this, ok, started);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    boolean isOpen() {
        return channel.isActive();
    }

    void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
