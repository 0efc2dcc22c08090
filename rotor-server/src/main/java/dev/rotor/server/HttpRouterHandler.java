package dev.rotor.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.engine.EngineShard;
import dev.rotor.node.Node;
import dev.rotor.server.http.ApiEndpoint;
import dev.rotor.server.http.Forms;
import dev.rotor.server.http.HttpAnswerQueue;
import dev.rotor.server.http.HttpResponses;
import dev.rotor.server.http.PrometheusEndpoint;
import dev.rotor.server.http.RequestHeadHandler;
import dev.rotor.server.sockjs.SockJsEndpoint;
import dev.rotor.server.sse.UniSseEndpoint;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.ReadGate;
import dev.rotor.api.ApiExecutor;
import dev.rotor.server.admin.AdminLogin;
import dev.rotor.server.admin.AdminSocketHandler;
import dev.rotor.server.admin.WebAppResources;
import dev.rotor.server.websocket.WebSocketFrames;
import dev.rotor.server.websocket.WebSocketSessionHandler;
import dev.rotor.server.websocket.WebSocketUpgrade;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes HTTP requests on one port to the endpoint groups placed on it (admin-and-web.md §1): the raw WebSocket
 * upgrade, SockJS, the API, the admin socket, web login and the web interface, and 404 for the rest. Paths are
 * matched after {@code http_prefix}. Shareable: holds no per-connection state.
 */
@ChannelHandler.Sharable
final class HttpRouterHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouterHandler.class);

    private final Node node;
    private final ApiEndpoint api;
    private final AdminEndpoints admin;
    private final SockJsEndpoint sockjs;
    private final Set<Route> routes;
    private final String prefix;
    /** True once the server answers 503 to new client connections and API requests. */
    private final BooleanSupplier shuttingDown;
    /** Pre-framed bytes shared by raw WebSocket connections; null when {@code websocket_compression} is on. */
    private final WebSocketFrames sharedFrames;
    /** The worker loops' timer wheels, for the keepalive and session timers of upgraded connections. */
    private final LoopTimers timers;

    /** The admin-side handlers, shared by all ports. */
    record AdminEndpoints(ApiExecutor executor, AdminLogin auth, WebAppResources web,
            PrometheusEndpoint prometheus) {
    }

    /**
     * Everything the router hands requests to, shared by all ports: the node (for sessions, metrics and config),
     * the endpoint handlers, {@code http_prefix}, the timer wheels, the shared WebSocket frames (null when
     * {@code websocket_compression} is on) and the server's shutting-down flag.
     */
    record Endpoints(Node node, ApiEndpoint api, AdminEndpoints admin, SockJsEndpoint sockjs, String prefix,
            LoopTimers timers, WebSocketFrames sharedFrames, BooleanSupplier shuttingDown) {
    }

    /** @param routes the endpoint groups placed on this router's port */
    HttpRouterHandler(Endpoints endpoints, Set<Route> routes) {
        this.node = endpoints.node();
        this.api = endpoints.api();
        this.admin = endpoints.admin();
        this.sockjs = endpoints.sockjs();
        this.prefix = endpoints.prefix();
        this.timers = endpoints.timers();
        this.sharedFrames = endpoints.sharedFrames();
        this.shuttingDown = endpoints.shuttingDown();
        this.routes = routes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!ctx.channel().isActive()) {
            // decoded as the connection closed (a request cut short by the close): nobody can read an answer, and
            // the gate has dropped what waited already
            return;
        }
        if (ReadGate.mustWait(ctx.channel())) {
            // an earlier request's answer comes later, or the peer has not read the earlier answers (pipelining):
            // this one is handled after that
            request.retain();
            ReadGate.of(ctx.channel()).defer(new ReadGate.Waiting() {
                @Override
                public void handle() {
                    try {
                        if (!ctx.isRemoved()) {
                            // else an earlier request upgraded the connection (a WebSocket, an event stream), and
                            // the router has left it: what was pipelined behind the upgrade is not HTTP's any more
                            HttpRouterHandler.this.handle(ctx, request);
                        }
                    } finally {
                        request.release();
                    }
                }

                @Override
                public void drop() {
                    request.release();
                }
            });
            return;
        }
        handle(ctx, request);
    }

    private void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        try {
            if (route(ctx, request) && !ctx.channel().isWritable()) {
                // what the answer holds until the peer reads it counts with the client queues (docs/security.md);
                // below the high water mark (256 KiB) a connection holds too little to matter, and the check costs
                // every other request one volatile read
                HttpAnswerQueue.count(ctx.channel(), node.clientQueueBudget());
            }
        } catch (Forms.MalformedFormException e) {
            // thrown by form parsing, before the endpoint has answered (docs/security.md)
            log.debug("malformed form from {}: {}", ctx.channel().remoteAddress(), e.getMessage());
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST);
        }
    }

    /**
     * The verdict on a request head before its body is read ({@link RequestHeadHandler}): the API refuses requests
     * that cannot be valid; every other endpoint reads the body. Mirrors the routing of {@link #route}.
     */
    FullHttpResponse judgeHead(ChannelHandlerContext ctx, HttpRequest head) {
        if (!routes.contains(Route.API) || shuttingDown.getAsBoolean()) {
            return null;
        }
        String path = new QueryStringDecoder(head.uri()).path();
        if (!path.startsWith(prefix)) {
            return null;
        }
        path = path.substring(prefix.length());
        if (!path.equals("/api") && !path.startsWith("/api/")) {
            return null;
        }
        boolean v2 = (path.equals("/api") || path.equals("/api/")) && ApiEndpoint.isV2(head);
        if (!v2 && path.equals("/api")) {
            return null; // redirected
        }
        return api.judgeHead(ctx, head, v2);
    }

    /**
     * Hands the request to its endpoint. Returns true for a plain HTTP answer, written by now or later; false when
     * the connection became a client's (a WebSocket, an event stream, a SockJS transport), whose bytes its session
     * counts.
     */
    private boolean route(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!path.startsWith(prefix)) {
            HttpResponses.notFound(ctx, request);
            return true;
        }
        path = path.substring(prefix.length());
        if (path.equals("/health") && (routes.contains(Route.RAW_WEBSOCKET) || routes.contains(Route.ADMIN))) {
            health(ctx, request);
        } else if (routes.contains(Route.RAW_WEBSOCKET) && path.equals("/connection/websocket")) {
            websocket(ctx, request);
            return false;
        } else if (routes.contains(Route.RAW_WEBSOCKET) && path.equals("/connection/uni_sse")) {
            new UniSseEndpoint(node, timers, shuttingDown).handle(ctx, request); // beyond v1: docs/sse.md
            return false;
        } else if (routes.contains(Route.SOCKJS) && (path.equals("/connection") || path.startsWith("/connection/"))) {
            // client-protocol.md §1.2; the exact raw WebSocket path above wins over SockJS's own /websocket
            sockjs.handle(ctx, request, path.substring("/connection".length()));
            return false;
        } else if (routes.contains(Route.API) && (path.equals("/api") || path.startsWith("/api/"))) {
            api(ctx, request, path);
        } else if (routes.contains(Route.PROMETHEUS) && path.equals("/metrics")) {
            admin.prometheus().handle(ctx, request);
        } else if (routes.contains(Route.ADMIN) && path.equals("/socket")) {
            adminSocket(ctx, request);
            return false;
        } else if (routes.contains(Route.WEB) && path.startsWith("/auth/")) {
            admin.auth().handle(ctx, request);
        } else if (routes.contains(Route.WEB) && path.equals("/auth")) {
            HttpResponses.redirect(ctx, request, prefix + "/auth/");
        } else if (routes.contains(Route.WEB)) {
            admin.web().handle(ctx, request, path);
        } else {
            HttpResponses.notFound(ctx, request);
        }
        return true;
    }

    /**
     * http-api.md §1. v1 compat: {@code /api} without the slash is redirected to {@code /api/}, as v1's mux did,
     * unless the request speaks the v2 dialect (an {@code apikey} Authorization header), which the Ruby gem sends
     * to {@code /api} itself and which is served on {@code /api} and {@code /api/} only.
     */
    private void api(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        boolean v2 = (path.equals("/api") || path.equals("/api/")) && ApiEndpoint.isV2(request);
        if (!v2 && path.equals("/api")) {
            HttpResponses.redirect(ctx, request, prefix + "/api/");
        } else if (shuttingDown.getAsBoolean()) {
            HttpResponses.empty(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE);
        } else if (v2) {
            api.handleV2(ctx, request);
        } else {
            api.handle(ctx, request);
        }
    }

    /**
     * {@code GET /health} (beyond v1): 200 {@code {"status":"ok"}} while the engine is healthy (for Redis: every
     * shard connected and subscribed) and the node is not shutting down, else 503 {@code {"status":"unavailable"}}.
     * With {@code ?verbose} the same status code, and the body adds the engine's name (as {@code info} reports it)
     * and each shard's state: {@code {"status":"ok","engine":"Redis","shards":[{"shard":0,"connected":true,
     * "reconnects":0,"channels":3}]}} (no shards on the memory engine).
     */
    private void health(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean ok = !shuttingDown.getAsBoolean() && node.engineHealthy();
        String body;
        if (new QueryStringDecoder(request.uri()).parameters().containsKey("verbose")) {
            ObjectNode json = JsonNodeFactory.instance.objectNode();
            json.put("status", ok ? "ok" : "unavailable");
            json.put("engine", node.engineName());
            ArrayNode shards = json.putArray("shards");
            for (EngineShard s : node.engineShards()) {
                // no address: this answers on the public client port (the admin port's /metrics has it)
                shards.addObject().put("shard", s.index()).put("connected", s.connected())
                        .put("reconnects", s.reconnects()).put("channels", s.channels());
            }
            body = json.toString();
        } else {
            body = ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}";
        }
        var response = HttpResponses.response(ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpResponses.send(ctx, request, response);
    }

    /** admin-and-web.md §3.1: not disabled during shutdown; a non-upgrade request gets 200 with an empty body. */
    private void adminSocket(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!WebSocketUpgrade.isUpgrade(request)) {
            HttpResponses.empty(ctx, request, HttpResponseStatus.OK);
            return;
        }
        upgrade(ctx, request, new AdminSocketHandler(node, admin.executor(),
                timers.timers(ctx.channel().eventLoop())));
    }

    /** client-protocol.md §1.1. */
    private void websocket(ChannelHandlerContext ctx, FullHttpRequest request) {
        node.metrics().inc(dev.rotor.metrics.Counter.HTTP_RAW_WS_NUM_REQUESTS);
        if (shuttingDown.getAsBoolean()) {
            HttpResponses.empty(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE);
            return;
        }
        if (!request.method().equals(HttpMethod.GET)) {
            HttpResponses.error(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED);
            return;
        }
        if (!WebSocketUpgrade.isUpgrade(request)) {
            var response = HttpResponses.response(HttpResponseStatus.BAD_REQUEST,
                    Unpooled.copiedBuffer("Bad Request\n", StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            response.headers().set("X-Content-Type-Options", "nosniff");
            response.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            HttpResponses.send(ctx, request, response);
            return;
        }
        upgrade(ctx, request, new WebSocketSessionHandler(node, timers.timers(ctx.channel().eventLoop()),
                sharedFrames));
    }

    /** Upgrades with the client limits: frames up to {@code client_request_max_size}, keepalive, write timeout. */
    private void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, ChannelHandler session) {
        int max = messageLimit();
        WebSocketUpgrade.upgrade(ctx, request, session, max, node.config().pingInterval(),
                node.config().clientMessageWriteTimeout(), timers);
    }

    /** The largest WebSocket message a client may send now: {@code client_request_max_size} (reloadable). */
    int messageLimit() {
        return WebSocketUpgrade.messageLimit(node.config().clientRequestMaxSize());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // e.g. more than the codec's 128 requests pipelined and not yet answered (a peer that does not read)
        log.debug("closing {}: {}", ctx.channel(), cause.toString());
        ctx.close();
    }
}
