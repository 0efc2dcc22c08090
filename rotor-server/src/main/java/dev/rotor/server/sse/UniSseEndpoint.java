package dev.rotor.server.sse;

import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.http.HttpPhase;
import dev.rotor.server.http.HttpResponses;
import dev.rotor.server.transport.LoopTimers;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.WriteTimeoutHandler;
import java.util.function.BooleanSupplier;

/**
 * The unidirectional Server-Sent Events endpoint {@code <http_prefix>/connection/uni_sse} (beyond v1, docs/sse.md):
 * a {@code GET} whose query carries the v1 connect credentials and the channels, answered with an event stream of
 * the replies and pushes a WebSocket client would get. This class checks the request and hands the connection to
 * a {@link UniSseHandler}; errors found here are plain HTTP errors on a connection that stays usable.
 *
 * <p>CORS: like v1's WebSocket endpoint, which accepts any {@code Origin}, the stream may be opened from any page;
 * the credentials travel in the query, not in cookies, so echoing the origin (with credentials allowed, for an
 * {@code EventSource} opened {@code withCredentials}) grants a page nothing it could not already ask for.
 *
 * <p>Stateless and thread-safe.
 */
public final class UniSseEndpoint {
    private final Node node;
    private final LoopTimers timers;
    private final BooleanSupplier shuttingDown;

    public UniSseEndpoint(Node node, LoopTimers timers, BooleanSupplier shuttingDown) {
        this.node = node;
        this.timers = timers;
        this.shuttingDown = shuttingDown;
    }

    /** Serves one request routed to the endpoint, on the connection's event loop. */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (shuttingDown.getAsBoolean()) {
            HttpResponses.empty(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        if (request.method().equals(HttpMethod.OPTIONS)) {
            preflight(ctx, request);
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            FullHttpResponse r = HttpResponses.errorResponse(HttpResponseStatus.METHOD_NOT_ALLOWED,
                    HttpResponseStatus.METHOD_NOT_ALLOWED.reasonPhrase());
            r.headers().set(HttpHeaderNames.ALLOW, "GET, OPTIONS");
            HttpResponses.send(ctx, request, r);
            return;
        }
        NodeConfig config = node.config();
        UniSseQuery query;
        try {
            query = UniSseQuery.parse(request.uri(), request.headers().get("Last-Event-ID"),
                    config.clientChannelLimit());
        } catch (UniSseQuery.BadQueryException e) {
            error(ctx, request, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        byte[] commands = query.commands();
        if (commands.length > config.clientRequestMaxSize()) {
            // the request stands for one client frame, which client_request_max_size bounds (client-protocol.md §3)
            error(ctx, request, HttpResponseStatus.BAD_REQUEST, "limit exceeded: the request is larger than "
                    + "client_request_max_size");
            return;
        }
        HttpHeaders headers = cors(request);
        headers.set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        headers.set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store");
        // nginx and similar proxies would otherwise buffer the stream
        headers.set("X-Accel-Buffering", "no");
        UniSseHandler handler = new UniSseHandler(node, query, commands, headers,
                request.protocolVersion().equals(HttpVersion.HTTP_1_0), timers.timers(ctx.channel().eventLoop()),
                timers.wheel(ctx.channel().eventLoop()), config.pingInterval());
        ChannelPipeline p = ctx.pipeline();
        // from here on the connection belongs to the stream; the router (this caller) leaves its pipeline, and so do
        // the handlers of further requests: anything decoded after this one reaches the stream's handler, which closes
        // the connection, rather than being answered before or inside the stream (a refused head, 100 Continue) or
        // buffered (a body)
        p.replace(ctx.handler(), "uni-sse", handler);
        HttpPhase.end(p);
        int writeTimeout = config.clientMessageWriteTimeout();
        if (writeTimeout > 0) {
            p.addBefore("uni-sse", "uni-sse-write-timeout", new WriteTimeoutHandler(writeTimeout));
        }
    }

    private static void error(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String text) {
        FullHttpResponse r = HttpResponses.errorResponse(status, text);
        r.headers().add(cors(request));
        HttpResponses.send(ctx, request, r);
    }

    /** The CORS preflight of a cross-origin request with a non-simple header (some browsers: Last-Event-ID). */
    private static void preflight(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
        r.headers().add(cors(request));
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, "GET");
        String requested = request.headers().get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
        if (requested != null && !requested.isEmpty()) {
            r.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requested);
        }
        r.headers().set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, 86400);
        HttpResponses.send(ctx, request, r);
    }

    /** Allows the request's origin ({@code *} without one), with credentials. */
    private static HttpHeaders cors(FullHttpRequest request) {
        HttpHeaders h = new DefaultHttpHeaders();
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        boolean any = origin == null || origin.isEmpty() || origin.equals("null");
        h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, any ? "*" : origin);
        if (!any) {
            h.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
            h.set(HttpHeaderNames.VARY, HttpHeaderNames.ORIGIN);
        }
        return h;
    }
}
