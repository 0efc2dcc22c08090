package dev.rotor.server;

import dev.rotor.node.Node;
import dev.rotor.server.http.ApiHandler;
import dev.rotor.server.http.HttpResponses;
import dev.rotor.server.http.PrometheusHandler;
import dev.rotor.api.ApiExecutor;
import dev.rotor.server.admin.AdminAuthHandler;
import dev.rotor.server.admin.AdminSocketHandler;
import dev.rotor.server.admin.WebAppHandler;
import dev.rotor.server.websocket.WebSocketKeepaliveHandler;
import dev.rotor.server.websocket.SharedFrames;
import dev.rotor.server.websocket.WebSocketSessionHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.util.Set;

/**
 * Routes HTTP requests on one port to the endpoint groups placed on it (admin-and-web.md §1): the raw WebSocket
 * upgrade, the API, the admin socket, web login and the web interface, and 404 for the rest. Paths are matched after {@code http_prefix}. Shareable: holds no
 * per-connection state.
 */
@ChannelHandler.Sharable
final class HttpRouterHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final int MAX_WS_MESSAGE = 64 * 1024 * 1024;

    private final Node node;
    private final ApiHandler api;
    private final AdminEndpoints admin;
    private final Set<Route> routes;
    private final String prefix;
    private final RotorServer server;
    /** One encoded frame per event loop for fan-out (shared by every connection of this port). */
    private final SharedFrames frames = new SharedFrames();
    /**
     * The decoder config for the last limit seen; every connection's decoder keeps a reference to it, so sharing
     * one saves an object per connection. Replaced when a reload changes the limit; races only build a spare.
     */
    private volatile WebSocketDecoderConfig decoderConfig;

    /** The admin-side handlers, shared by all ports. */
    record AdminEndpoints(ApiExecutor executor, AdminAuthHandler auth, WebAppHandler web,
            PrometheusHandler prometheus) {
    }

    HttpRouterHandler(RotorServer server, Node node, ApiHandler api, AdminEndpoints admin, Set<Route> routes,
            String prefix) {
        this.server = server;
        this.node = node;
        this.api = api;
        this.admin = admin;
        this.routes = routes;
        this.prefix = prefix;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.startsWith(prefix)) {
            HttpResponses.notFound(ctx, request);
            return;
        }
        path = path.substring(prefix.length());
        if (routes.contains(Route.RAW_WEBSOCKET) && path.equals("/connection/websocket")) {
            websocket(ctx, request);
        } else if (routes.contains(Route.API) && path.startsWith("/api/")) {
            if (server.isShuttingDown()) {
                HttpResponses.empty(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE);
            } else {
                api.handle(ctx, request);
            }
        } else if (routes.contains(Route.API) && path.equals("/api")) {
            HttpResponses.redirect(ctx, request, prefix + "/api/");
        } else if (routes.contains(Route.PROMETHEUS) && path.equals("/metrics")) {
            admin.prometheus().handle(ctx, request);
        } else if (routes.contains(Route.ADMIN) && path.equals("/socket")) {
            adminSocket(ctx, request);
        } else if (routes.contains(Route.WEB) && path.startsWith("/auth/")) {
            admin.auth().handle(ctx, request);
        } else if (routes.contains(Route.WEB) && path.equals("/auth")) {
            HttpResponses.redirect(ctx, request, prefix + "/auth/");
        } else if (routes.contains(Route.WEB)) {
            admin.web().handle(ctx, request, path);
        } else {
            HttpResponses.notFound(ctx, request);
        }
    }

    /** admin-and-web.md §3.1: not disabled during shutdown; a non-upgrade request gets 200 with an empty body. */
    private void adminSocket(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!isUpgrade(request)) {
            HttpResponses.empty(ctx, request, HttpResponseStatus.OK);
            return;
        }
        upgrade(ctx, request, new AdminSocketHandler(node, admin.executor()));
    }

    private static boolean isUpgrade(FullHttpRequest request) {
        return request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }

    /** client-protocol.md §1.1. */
    private void websocket(ChannelHandlerContext ctx, FullHttpRequest request) {
        node.metrics().inc(dev.rotor.metrics.Counter.HTTP_RAW_WS_NUM_REQUESTS);
        if (server.isShuttingDown()) {
            HttpResponses.empty(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            HttpResponses.error(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED);
            return;
        }
        if (!isUpgrade(request)) {
            var response = HttpResponses.response(HttpResponseStatus.BAD_REQUEST,
                    io.netty.buffer.Unpooled.copiedBuffer("Bad Request\n", java.nio.charset.StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().set("X-Content-Type-Options", "nosniff");
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            HttpResponses.send(ctx, request, response);
            return;
        }
        upgrade(ctx, request, new WebSocketSessionHandler(node, frames));
    }

    /**
     * Completes a WebSocket handshake and replaces HTTP handling with the WebSocket pipeline: frame aggregation up to
     * {@code client_request_max_size}, optional write timeout, keepalive, then {@code session}.
     */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ChannelHandler session) {
        int limit = node.config().clientRequestMaxSize();
        // a limit of 0 means "no transport limit" at this level; the session rejects every frame then (§3)
        int max = limit <= 0 ? MAX_WS_MESSAGE : limit;
        WebSocketDecoderConfig decoderConfig = decoderConfig(max);
        WebSocketServerHandshakerFactory factory = new WebSocketServerHandshakerFactory(
                "ws://" + request.headers().get(HttpHeaderNames.HOST, "localhost") + request.uri(), null,
                decoderConfig);
        WebSocketServerHandshaker handshaker = factory.newHandshaker(request);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        ChannelPipeline p = ctx.pipeline();
        handshaker.handshake(ctx.channel(), request).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        if (p.get(HttpObjectAggregator.class) != null) {
            p.remove(HttpObjectAggregator.class);
        }
        int writeTimeout = node.config().clientMessageWriteTimeout();
        if (writeTimeout > 0) {
            p.addLast("ws-write-timeout", new io.netty.handler.timeout.WriteTimeoutHandler(writeTimeout));
        }
        p.addLast("ws-aggregator", new WebSocketFrameAggregator(max));
        int pingInterval = node.config().pingInterval();
        if (pingInterval > 0) {
            p.addLast("ws-keepalive", new WebSocketKeepaliveHandler(pingInterval));
        }
        p.addLast("ws-session", session);
        p.remove(this);
    }

    private WebSocketDecoderConfig decoderConfig(int max) {
        WebSocketDecoderConfig c = decoderConfig;
        if (c == null || c.maxFramePayloadLength() != max) {
            c = WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(max)
                    .allowExtensions(true)
                    .allowMaskMismatch(true)
                    .closeOnProtocolViolation(false)
                    .build();
            decoderConfig = c;
        }
        return c;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
