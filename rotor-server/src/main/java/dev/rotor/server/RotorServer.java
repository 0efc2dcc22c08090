package dev.rotor.server;

import dev.rotor.api.ApiExecutor;
import dev.rotor.config.AutocertSettings;
import dev.rotor.engine.Engine;
import dev.rotor.metrics.LatencyListener;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.admin.AdminLogin;
import dev.rotor.server.admin.LoginThrottle;
import dev.rotor.server.admin.WebAppResources;
import dev.rotor.server.http.ApiEndpoint;
import dev.rotor.server.http.BodyBudget;
import dev.rotor.server.http.LatencyTimers;
import dev.rotor.server.http.PrometheusEndpoint;
import dev.rotor.server.acme.Autocert;
import dev.rotor.server.acme.AutocertSniHandler;
import dev.rotor.server.acme.Http01Handler;
import dev.rotor.server.sockjs.SockJsEndpoint;
import dev.rotor.server.transport.BackPressureHandler;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.websocket.WebSocketFrames;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.BindException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Rotor node: the engine, the {@link Node} and one HTTP server per distinct port.
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #reload} any number of times, {@link #shutdown()} once.
 * Thread-safe.
 */
public final class RotorServer {
    private static final Logger log = LoggerFactory.getLogger(RotorServer.class);
    /**
     * Unsent bytes past which a connection is not writable, and below which it is writable again; while it is not,
     * the server stops reading from the peer ({@code BackPressureHandler}). Nothing on the fan-out path looks at
     * writability (pushes are bounded by {@code client_queue_max_size}), so the marks cost it no throughput; what
     * they cost is a pipeline event and a pair of read-interest changes each time a connection crosses them. A drain
     * writes everything queued for a connection and flushes once, so its whole burst counts as unsent until the
     * flush: with Netty's default 64 KiB mark a healthy subscriber would flip on every burst over 64 KiB (a backlog
     * after a busy moment, a history reply). 256 KiB keeps flips to peers that really fall behind, and stays small
     * next to the 10 MiB each client may queue: it is the bound on what a peer that does not read can make the
     * server hold in replies to what it sends (pongs, pipelined HTTP responses), plus one read's worth of requests.
     * The low mark sits at a quarter, so a paused peer is read again only after real draining, not one frame later.
     */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(64 * 1024, 256 * 1024);

    private final ServerConfig server;
    /** Null unless {@code ssl_autocert} is on. */
    private final AutocertSettings autocertSettings;
    private final Engine engine;
    private final Metrics metrics;
    /** The {@code /metrics} registry; null unless {@code prometheus} is on. */
    private final PrometheusMeterRegistry meters;
    private final ScheduledThreadPoolExecutor timers;
    private final Node node;
    /** Fan-out frames framed once per event loop; unused when WebSocket compression is on. */
    private final WebSocketFrames sharedFrames = new WebSocketFrames();
    /** Server channels by configured port string, in bind order; written only by start(). */
    private final Map<String, Channel> bound = new LinkedHashMap<>();
    private volatile boolean shuttingDown;
    /** Null until start(). */
    private EventLoopGroup bossGroup;
    private EventLoopGroup workerGroup;
    /** The transport the event loops run on, {@code auto} resolved; null until start(). */
    private volatile NettyTransport runningTransport;
    /** The worker loops' timer wheels; null until start(). */
    private LoopTimers loopTimers;
    /** Shared by every HTTP port; null until start(). */
    private volatile BodyBudget bodyBudget;
    /** Null unless {@code prometheus} is on; set by start(). */
    private volatile PrometheusEndpoint prometheus;
    /** Null unless {@code ssl_autocert} is on; set by start(). */
    private volatile Autocert autocert;
    /** The {@code ssl_autocert_http} server; null unless it runs. Written only by start(). */
    private Channel http01;

    public RotorServer(ServerConfig server, NodeConfig node, Engine engine) {
        this(server, node, engine, null);
    }

    /**
     * @param autocert the {@code ssl_autocert*} settings; null or disabled to use {@code ssl} (if on) instead
     */
    public RotorServer(ServerConfig server, NodeConfig node, Engine engine, AutocertSettings autocert) {
        this.server = server;
        this.autocertSettings = autocert != null && autocert.enabled() ? autocert : null;
        this.engine = engine;
        this.timers = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "rotor-timers");
            t.setDaemon(true);
            return t;
        });
        this.timers.setRemoveOnCancelPolicy(true);
        this.meters = server.prometheus() ? PrometheusEndpoint.newRegistry() : null;
        this.metrics = new Metrics(meters != null ? new LatencyTimers(meters) : LatencyListener.NONE);
        this.node = new Node(node, engine, metrics, timers, Clock.systemUTC());
    }

    /** Starts the engine, then binds every port; fails if a port cannot be bound. */
    public void start() throws Exception {
        NettyTransport transport = server.transport().resolve(); // before the engine: a missing transport is fatal
        node.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
        ApiExecutor executor = new ApiExecutor(node);
        // a Redis API entry is one API request: the HTTP API's body limit bounds it too (docs/security.md)
        engine.consumeApiQueue(new dev.rotor.api.ApiQueueConsumer(executor)::handle,
                server.http().effectiveMaxBodySize());
        ApiEndpoint api = new ApiEndpoint(node, executor);

        Map<String, Set<Route>> ports = new LinkedHashMap<>();
        ports.computeIfAbsent(server.port(), p -> EnumSet.noneOf(Route.class)).add(Route.RAW_WEBSOCKET);
        ports.get(server.port()).add(Route.SOCKJS);
        ports.computeIfAbsent(server.effectiveApiPort(), p -> EnumSet.noneOf(Route.class)).add(Route.API);
        // admin-and-web.md §1: web implies the admin socket
        if (server.admin() || server.web()) {
            ports.computeIfAbsent(server.effectiveAdminPort(), p -> EnumSet.noneOf(Route.class)).add(Route.ADMIN);
        }
        if (server.web()) {
            ports.computeIfAbsent(server.effectiveAdminPort(), p -> EnumSet.noneOf(Route.class)).add(Route.WEB);
        }
        if (server.prometheus()) {
            ports.computeIfAbsent(server.effectiveAdminPort(), p -> EnumSet.noneOf(Route.class))
                    .add(Route.PROMETHEUS);
        }

        Function<SocketChannel, ChannelHandler> tls = null;
        if (autocertSettings != null) {
            Autocert acme = Autocert.of(autocertSettings);
            autocert = acme;
            log.info("ssl_autocert: certificates from {} for {}", autocertSettings.directory(),
                    autocertSettings.hosts().isEmpty() ? "any host name" : String.join(", ", autocertSettings.hosts()));
            tls = ch -> new AutocertSniHandler(acme);
        } else if (server.ssl()) {
            SslContext ssl = tls();
            tls = ch -> ssl.newHandler(ch.alloc());
        }
        Class<? extends ServerChannel> channelClass = transport.serverChannelClass();
        bossGroup = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        workerGroup = WorkerLoops.create(server.effectiveEventLoops(), transport.ioHandlerFactory());
        runningTransport = transport;
        log.info("Netty transport: {} (netty_transport: {}), {} worker event loops", transport.key(),
                server.transport().key(), server.effectiveEventLoops());
        loopTimers = new LoopTimers(workerGroup);
        prometheus = meters != null
                ? new PrometheusEndpoint(meters, metrics, this.node::engineShards,
                        this.node::engineHistoryUsage, this.node::engineLosses, this.node.clientQueueBudget(),
                        workerGroup) : null;
        BodyBudget budget = new BodyBudget(server.http().effectiveBodyBudget());
        bodyBudget = budget;
        log.info("HTTP request bodies buffered before they are handled share a budget of {}",
                ByteCounts.describe(budget.limit()));
        // beyond v1: docs/security.md, "Client queues together"
        log.info("Client queues count at most {} together (client_queue_budget)",
                ByteCounts.describe(this.node.clientQueueBudget().budget()));
        LoginThrottle loginThrottle = new LoginThrottle(server.loginThrottle(), () -> System.nanoTime() / 1_000_000);
        HttpRouterHandler.AdminEndpoints admin = new HttpRouterHandler.AdminEndpoints(executor,
                new AdminLogin(node, loginThrottle, loopTimers),
                server.web() ? new WebAppResources(server.webPath()) : null, prometheus); // the interface only when on
        SockJsEndpoint sockjs = new SockJsEndpoint(node, server.httpPrefix(), server.effectiveSockjsUrl(),
                server.sockjsHeartbeatDelay(), server.effectiveSockjsMaxSessions(), this::isShuttingDown, loopTimers);
        HttpRouterHandler.Endpoints endpoints = new HttpRouterHandler.Endpoints(node, api, admin, sockjs,
                server.httpPrefix(), loopTimers, sharedFrames(), this::isShuttingDown);
        try {
            for (Map.Entry<String, Set<Route>> e : ports.entrySet()) {
                Set<Route> routes = e.getValue();
                HttpRouterHandler router = new HttpRouterHandler(endpoints, routes);
                ServerBootstrap b = new ServerBootstrap()
                        .group(bossGroup, workerGroup)
                        .channel(channelClass)
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                        .childHandler(new ServerInitializer(router, server, routes.contains(Route.RAW_WEBSOCKET), tls,
                                loopTimers, budget));
                Channel ch = bind(b, server.address(), Integer.parseInt(e.getKey()));
                bound.put(e.getKey(), ch);
                InetSocketAddress actual = (InetSocketAddress) ch.localAddress();
                log.info("Start serving {} endpoints on {}:{}",
                        routes.stream().map(Route::label).collect(Collectors.joining(", ")),
                        server.address(), actual.getPort());
            }
            if (autocertSettings != null && autocertSettings.http()) {
                startHttp01(channelClass, budget);
            }
        } catch (Exception e) {
            closeNetwork();
            throw e;
        }
    }

    /** TLS from PEM files (configuration.md §3.5: {@code ssl}, {@code ssl_cert}, {@code ssl_key}); every port uses it. */
    private SslContext tls() throws SSLException {
        try {
            return SslContextBuilder.forServer(new File(server.sslCert()), new File(server.sslKey())).build();
        } catch (IllegalArgumentException e) {
            throw new SSLException("cannot load ssl_cert " + server.sslCert() + " / ssl_key " + server.sslKey()
                    + ": " + e.getMessage(), e);
        }
    }

    /** Binds the {@code ssl_autocert_http} server (http-01 challenges, redirects to https) on its address. */
    private void startHttp01(Class<? extends ServerChannel> channelClass, BodyBudget budget)
            throws InterruptedException, BindException {
        String addr = autocertSettings.httpAddr();
        int colon = addr.lastIndexOf(':');
        String host = colon < 0 ? "" : addr.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(addr.substring(colon + 1));
        Http01Handler handler = new Http01Handler(autocert.challenges());
        ServerBootstrap b = new ServerBootstrap()
                .group(bossGroup, workerGroup)
                .channel(channelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new BackPressureHandler(loopTimers, server.writeStallTimeout()));
                        // challenge requests have no body worth more than 64 KiB; nothing is judged from the head
                        ServerInitializer.addHttpPhase(ch.pipeline(), server.http(),
                                Math.min(64 * 1024, server.http().effectiveMaxBodySize()), loopTimers.wheel(ch.eventLoop()),
                                budget, (ctx, head) -> null);
                        ch.pipeline().addLast(handler);
                    }
                });
        http01 = bind(b, host, port);
        log.info("Serving ACME http-01 challenges on {}:{}", host,
                ((InetSocketAddress) http01.localAddress()).getPort());
    }

    /**
     * Binds {@code b} to {@code host} (empty: every interface) and {@code port}, or fails with a message that names
     * both, e.g. {@code cannot listen on 127.0.0.1:8000: Address already in use}.
     */
    private static Channel bind(ServerBootstrap b, String host, int port) throws InterruptedException, BindException {
        InetSocketAddress address = host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
        try {
            return b.bind(address).sync().channel();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // sync() rethrows the bind failure as it is, checked or not
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            // Netty's native transport says "bind(..) failed: Address already in use"; keep only the reason
            reason = reason.startsWith("bind(") && reason.contains(": ") ? reason.substring(reason.indexOf(": ") + 2)
                    : reason;
            String shown = host.isEmpty() ? "0.0.0.0" : host.contains(":") ? "[" + host + "]" : host;
            BindException named = new BindException("cannot listen on " + shown + ":" + port + ": " + reason);
            named.initCause(e);
            throw named;
        }
    }

    /** The port of the {@code ssl_autocert_http} server, or -1 when it does not run. */
    public int boundHttp01Port() {
        return http01 == null ? -1 : ((InetSocketAddress) http01.localAddress()).getPort();
    }

    /** Swaps in a reloaded node configuration (SIGHUP). */
    public void reload(NodeConfig newConfig) {
        node.reload(newConfig);
    }

    /** First step of shutdown: client and API routes answer 503 from now on. */
    void markShuttingDown() {
        shuttingDown = true;
    }

    public boolean isShuttingDown() {
        return shuttingDown;
    }

    /**
     * The shared WebSocket frames for client connections, or null when {@code websocket_compression} is on:
     * pre-framed bytes would skip the permessage-deflate encoder of connections that negotiated it.
     */
    WebSocketFrames sharedFrames() {
        return server.websocketCompression() ? null : sharedFrames;
    }

    /**
     * Graceful shutdown (configuration.md §7): client and API routes answer 503, every authenticated connection is
     * closed with {@code shutting down}, then ports, event loops and the engine are released.
     */
    public CompletableFuture<Void> shutdown() {
        markShuttingDown();
        return CompletableFuture.runAsync(() -> {
            node.shutdown();
            // the close frames queued by node.shutdown() are written on the event loops; a SockJS close takes two
            // hops (the session's loop, then the loop of the request it answers), so wait for two rounds
            passEventLoops();
            passEventLoops();
            closeNetwork();
            engine.close();
            timers.shutdownNow();
            if (prometheus != null) {
                prometheus.close();
            }
        });
    }

    /** The {@code /metrics} registry; null unless {@code prometheus} is on. */
    PrometheusMeterRegistry meterRegistry() {
        return meters;
    }

    /** The transport the event loops run on ({@code netty_transport} with {@code auto} resolved); null before start. */
    NettyTransport transport() {
        return runningTransport;
    }

    /** Worker event loops running ({@code gomaxprocs}, or one per core); 0 before {@link #start()}. */
    int workerEventLoops() {
        int n = 0;
        if (workerGroup != null) {
            for (io.netty.util.concurrent.EventExecutor ignored : workerGroup) {
                n++;
            }
        }
        return n;
    }

    /** Waits until every worker event loop has run the tasks queued before this call (bounded by 1 s each). */
    private void passEventLoops() {
        if (workerGroup == null) {
            return;
        }
        for (io.netty.util.concurrent.EventExecutor loop : workerGroup) {
            if (!loop.isShuttingDown()) {
                loop.submit(() -> { }).awaitUninterruptibly(1, TimeUnit.SECONDS);
            }
        }
    }

    private void closeNetwork() {
        List<Channel> channels = new ArrayList<>(bound.values());
        if (http01 != null) {
            channels.add(http01);
        }
        if (autocert != null) {
            autocert.close();
        }
        for (Channel ch : channels) {
            ch.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (loopTimers != null) {
            loopTimers.close();
        }
        if (workerGroup != null) {
            // let close frames written by node.shutdown() reach the clients
            workerGroup.shutdownGracefully(100, 2000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (bossGroup != null) {
            bossGroup.shutdownGracefully(0, 1000, TimeUnit.MILLISECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** The port actually bound for the client endpoints (useful when configured as "0"). */
    public int boundPort() {
        return portOf(server.port());
    }

    /** The port actually bound for the admin endpoints (meaningful when admin or web is on). */
    public int boundAdminPort() {
        return portOf(server.effectiveAdminPort());
    }

    /** The port actually bound for the API. */
    public int boundApiPort() {
        return portOf(server.effectiveApiPort());
    }

    private int portOf(String configured) {
        Channel ch = bound.get(configured);
        return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
    }

    /** The budget of buffered request bodies; null before {@link #start()}. For tests. */
    BodyBudget bodyBudget() {
        return bodyBudget;
    }

    /** The node, for embedding and tests. */
    public Node node() {
        return node;
    }
}
