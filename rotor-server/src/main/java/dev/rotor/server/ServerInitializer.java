package dev.rotor.server;

import dev.rotor.server.http.BodyBudget;
import dev.rotor.server.http.BodyBudgetHandler;
import dev.rotor.server.http.HttpDeadlineHandler;
import dev.rotor.server.http.RequestHeadHandler;
import dev.rotor.server.transport.BackPressureHandler;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.websocket.DeflateExtensionHandler;
import dev.rotor.timer.TimerWheel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import io.netty.channel.ChannelHandler;
import java.util.function.Function;

/**
 * The one place where a port's pipeline is assembled: back-pressure, HTTP codec (with the head size limits), deadlines, the checks
 * made on a request head, the body budget, request aggregation (up to {@code http_max_body_size}), optional
 * permessage-deflate negotiation, and the router. The router replaces the HTTP phase with the WebSocket handlers
 * after an upgrade. Limits and their defaults: docs/security.md.
 */
final class ServerInitializer extends ChannelInitializer<SocketChannel> {
    private final HttpRouterHandler router;
    private final ServerConfig config;
    private final boolean clientPort;
    /** Makes a channel's TLS handler (fixed certificate or {@code ssl_autocert}); null when TLS is off. */
    private final Function<SocketChannel, ChannelHandler> tls;
    /** The worker loops' timer wheels, for the HTTP deadlines and the back-pressure handler's stall check. */
    private final LoopTimers timers;
    /** Shared by every port of the server. */
    private final BodyBudget budget;

    ServerInitializer(HttpRouterHandler router, ServerConfig config, boolean clientPort,
                      Function<SocketChannel, ChannelHandler> tls, LoopTimers timers, BodyBudget budget) {
        this.router = router;
        this.config = config;
        this.clientPort = clientPort;
        this.tls = tls;
        this.timers = timers;
        this.budget = budget;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        // first, and for the connection's whole life: a peer that does not read is not read from (docs/security.md)
        p.addLast("backpressure", new BackPressureHandler(timers, config.writeStallTimeout()));
        if (tls != null) {
            p.addLast("tls", tls.apply(ch));
        }
        addHttpPhase(p, config.http(), config.http().effectiveMaxBodySize(), timers.wheel(ch.eventLoop()), budget,
                router::judgeHead);
        if (clientPort && config.websocketCompression()) {
            p.addLast("ws-compression", compression());
        }
        p.addLast("router", router);
    }

    /**
     * Adds the HTTP phase of a connection, up to and including aggregation: the codec with the head limits, the
     * deadlines, the checks on each request head, the body budget, and the aggregator (bodies up to
     * {@code maxBody}). Every HTTP server of the process goes through here.
     */
    static void addHttpPhase(ChannelPipeline p, HttpLimitsConfig limits, int maxBody, TimerWheel wheel,
            BodyBudget budget, RequestHeadHandler.Judge judge) {
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(limits.maxUrlLength())
                .setMaxHeaderSize(limits.maxHeaderSize())));
        p.addLast("http-deadlines", new HttpDeadlineHandler(limits.readHeaderTimeout(), limits.idleTimeout(),
                limits.readBodyTimeout(), wheel));
        p.addLast("http-head", new RequestHeadHandler(maxBody, judge));
        p.addLast("http-budget", new BodyBudgetHandler(budget));
        p.addLast("aggregator", new HttpObjectAggregator(maxBody));
    }

    /**
     * Maps Go's flate levels (-2…9) to zlib's (0…9): -1 is Go's default compression (zlib 6), -2 is Huffman-only,
     * which zlib has no level for; the fastest level (1) is the closest.
     */
    static int zlibLevel(int goLevel) {
        if (goLevel == -1) {
            return 6;
        }
        if (goLevel < -1) {
            return 1;
        }
        return Math.min(9, goLevel);
    }

    /**
     * permessage-deflate, compressing only messages longer than {@code websocket_compression_min_size}. A compressed
     * frame inflates to at most the message limit ({@code client_request_max_size}): without that bound a frame of
     * 64 KiB of zeros inflates to about 64 MiB before the frame aggregator sees its size, before any login.
     */
    private DeflateExtensionHandler compression() {
        int minSize = config.websocketCompressionMinSize();
        WebSocketExtensionFilterProvider filter = minSize <= 0 ? WebSocketExtensionFilterProvider.DEFAULT
                : new WebSocketExtensionFilterProvider() {
                    @Override
                    public WebSocketExtensionFilter encoderFilter() {
                        return frame -> frame.content().readableBytes() <= minSize;
                    }

                    @Override
                    public WebSocketExtensionFilter decoderFilter() {
                        return WebSocketExtensionFilter.NEVER_SKIP;
                    }
                };
        int level = zlibLevel(config.websocketCompressionLevel());
        return new DeflateExtensionHandler(
                new PerMessageDeflateServerExtensionHandshaker(level, false, 15, true, false, filter,
                        router.messageLimit()));
    }
}
