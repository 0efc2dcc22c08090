package dev.rotor.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Writes HTTP responses the way v1 (Go net/http) does: {@code http.Error} bodies are the status text plus a
 * newline as {@code text/plain; charset=utf-8} with {@code X-Content-Type-Options: nosniff}. Thread-safe.
 */
public final class HttpResponses {
    private HttpResponses() {
    }

    /** Go's {@code http.Error(w, text, status)}. */
    public static void error(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status, String text) {
        send(ctx, request, errorResponse(status, text));
    }

    /** The response of Go's {@code http.Error(w, text, status)}, not yet sent. */
    public static FullHttpResponse errorResponse(HttpResponseStatus status, String text) {
        FullHttpResponse r = response(status, Unpooled.copiedBuffer(text + "\n", StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        r.headers().set("X-Content-Type-Options", "nosniff");
        return r;
    }

    /** The standard error for a status: its reason phrase, e.g. {@code Bad Request}. */
    public static void error(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status) {
        error(ctx, request, status, status.reasonPhrase());
    }

    /** Go's NotFound handler: {@code 404 page not found}. */
    public static void notFound(ChannelHandlerContext ctx, HttpRequest request) {
        error(ctx, request, HttpResponseStatus.NOT_FOUND, "404 page not found");
    }

    /** An empty-bodied response (e.g. 503 while shutting down). */
    public static void empty(ChannelHandlerContext ctx, HttpRequest request, HttpResponseStatus status) {
        send(ctx, request, response(status, Unpooled.EMPTY_BUFFER));
    }

    /** A JSON body. */
    public static void json(ChannelHandlerContext ctx, HttpRequest request, byte[] body) {
        FullHttpResponse r = response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        send(ctx, request, r);
    }

    /**
     * A permanent redirect, as Go's ServeMux does for a missing trailing slash: like Go's {@code http.Redirect},
     * the small HTML body only for GET (and its content type for GET and HEAD), an empty body otherwise
     * (rubycent-wire.md: a POST to {@code /api} got {@code Content-Length: 0}).
     */
    public static void redirect(ChannelHandlerContext ctx, HttpRequest request, String location) {
        boolean get = request.method().equals(HttpMethod.GET);
        FullHttpResponse r = response(HttpResponseStatus.MOVED_PERMANENTLY, get
                ? Unpooled.copiedBuffer("<a href=\"" + location + "\">Moved Permanently</a>.\n\n",
                        StandardCharsets.UTF_8)
                : Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        if (get || request.method().equals(HttpMethod.HEAD)) {
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
        }
        send(ctx, request, r);
    }

    public static FullHttpResponse response(HttpResponseStatus status, ByteBuf body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        HttpUtil.setContentLength(r, body.readableBytes());
        return r;
    }

    /** Sends a response from any thread, keeping the connection open only when {@code keepAlive}. */
    public static void send(io.netty.channel.Channel channel, boolean keepAlive, FullHttpResponse response) {
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            channel.writeAndFlush(response, channel.voidPromise());
        } else {
            channel.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Sends a response, honouring keep-alive. */
    public static void send(ChannelHandlerContext ctx, HttpRequest request, FullHttpResponse response) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
