package dev.rotor.server.acme;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code ssl_autocert_http} server's handler, as Go autocert's {@code HTTPHandler(nil)} that v1 mounts:
 * {@code /.well-known/acme-challenge/<token>} answers the key authorization of a pending http-01 challenge (404
 * otherwise); any other GET or HEAD is redirected (302) to the same URL over https; other methods get 400.
 * Stateless and {@link Sharable}.
 */
@ChannelHandler.Sharable
public final class Http01Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    static final String PREFIX = "/.well-known/acme-challenge/";

    private final Challenges challenges;

    public Http01Handler(Challenges challenges) {
        this.challenges = challenges;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        String target = req.uri();
        String host = req.headers().get(HttpHeaderNames.HOST, "");
        String lower = target.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            // the absolute form (RFC 9112 §3.2.2): its authority, without user info, replaces Host, as Go's server
            // does; an empty one leaves Host
            int authority = target.indexOf("//") + 2;
            int slash = target.indexOf('/', authority);
            String named = target.substring(authority, slash < 0 ? target.length() : slash);
            named = named.substring(named.lastIndexOf('@') + 1);
            if (!named.isEmpty()) {
                host = named;
            }
            target = slash < 0 ? "/" : target.substring(slash);
        }
        String path = target;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        FullHttpResponse res;
        if (path.startsWith(PREFIX)) {
            Optional<String> auth = challenges.http(path.substring(PREFIX.length()));
            res = auth.isPresent() ? text(HttpResponseStatus.OK, auth.get())
                    : text(HttpResponseStatus.NOT_FOUND, "404 page not found\n");
        } else if (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD)) {
            int colon = host.lastIndexOf(':');
            if (colon > host.lastIndexOf(']')) {
                host = host.substring(0, colon);
            }
            res = text(HttpResponseStatus.FOUND, "");
            res.headers().set(HttpHeaderNames.LOCATION, "https://" + host + target);
        } else {
            res = text(HttpResponseStatus.BAD_REQUEST, "Use HTTPS\n");
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(res, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(res);
        } else {
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        HttpUtil.setContentLength(res, res.content().readableBytes());
        return res;
    }
}
