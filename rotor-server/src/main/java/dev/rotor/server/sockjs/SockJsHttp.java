package dev.rotor.server.sockjs;

import dev.rotor.server.http.HttpResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The HTTP header rules of SockJS 0.3.3: CORS, no-cache and one-year caching, preflight answers. Stateless. */
final class SockJsHttp {
    static final String NO_CACHE = "no-store, no-cache, no-transform, must-revalidate, max-age=0";
    static final long ONE_YEAR_SECONDS = 31_536_000L;

    private SockJsHttp() {
    }

    /**
     * CORS headers for a request: {@code Access-Control-Allow-Origin} echoes {@code Origin}, or {@code *} when
     * absent or {@code null} (a page loaded from file://), with credentials allowed; requested headers are echoed.
     */
    static HttpHeaders cors(FullHttpRequest request) {
        HttpHeaders h = new DefaultHttpHeaders();
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN,
                origin == null || origin.isEmpty() || origin.equals("null") ? "*" : origin);
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        String requested = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        if (requested != null && !requested.isEmpty()) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
        }
        return h;
    }

    static HttpHeaders noCache(HttpHeaders h) {
        return h.set(HttpHeaderNames.CACHE_CONTROL, NO_CACHE);
    }

    /** Strong caching for a year, as SockJS asks for the iframe page and preflight answers. */
    static HttpHeaders cacheForever(HttpHeaders h) {
        h.set(HttpHeaderNames.CACHE_CONTROL, "public, max-age=" + ONE_YEAR_SECONDS);
        h.set(HttpHeaderNames.EXPIRES, DateTimeFormatter.RFC_1123_DATE_TIME.format(
                ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(ONE_YEAR_SECONDS)));
        return h;
    }

    /** A CORS preflight answer: 204, cacheable, with the allowed methods. */
    static void options(ChannelHandlerContext ctx, FullHttpRequest request, String methods) {
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
        r.headers().add(cacheForever(cors(request)));
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, ONE_YEAR_SECONDS);
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, methods);
        HttpResponses.send(ctx, request, r);
    }

    /** 405 with {@code Allow} and no body or content type. */
    static void methodNotAllowed(ChannelHandlerContext ctx, FullHttpRequest request, String allowed) {
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.METHOD_NOT_ALLOWED, Unpooled.EMPTY_BUFFER);
        r.headers().set(HttpHeaderNames.ALLOW, allowed);
        HttpResponses.send(ctx, request, r);
    }
}
