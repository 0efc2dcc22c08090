package dev.rotor.server;

import dev.rotor.server.admin.LoginThrottleConfig;
import java.util.Objects;

/**
 * Network-level settings fixed at startup (configuration.md §3.5, admin-and-web.md §1): ports, bind address,
 * route prefix, SockJS and WebSocket options, TLS, the handler switches and the HTTP limits. Immutable; not reloadable.
 * Ports are strings like v1's; an empty {@code apiPort}/{@code adminPort} means "same as {@code port}".
 */
public record ServerConfig(
        String address,
        String port,
        String apiPort,
        String adminPort,
        String httpPrefix,
        String sockjsUrl,
        int sockjsHeartbeatDelay,
        int sockjsMaxSessions,
        boolean websocketCompression,
        int websocketCompressionLevel,
        int websocketCompressionMinSize,
        int websocketReadBufferSize,
        int websocketWriteBufferSize,
        boolean admin,
        boolean web,
        String webPath,
        boolean debug,
        boolean prometheus,
        boolean ssl,
        String sslCert,
        String sslKey,
        int eventLoops,
        NettyTransport transport,
        int writeStallTimeout,
        HttpLimitsConfig http,
        LoginThrottleConfig loginThrottle) {

    public ServerConfig {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(apiPort, "apiPort");
        Objects.requireNonNull(adminPort, "adminPort");
        Objects.requireNonNull(httpPrefix, "httpPrefix");
        Objects.requireNonNull(sockjsUrl, "sockjsUrl");
        Objects.requireNonNull(webPath, "webPath");
        Objects.requireNonNull(sslCert, "sslCert");
        Objects.requireNonNull(sslKey, "sslKey");
        Objects.requireNonNull(transport, "transport");
        if (writeStallTimeout < 0) {
            throw new IllegalArgumentException("writeStallTimeout must be 0 (off) or positive, got " + writeStallTimeout);
        }
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(loginThrottle, "loginThrottle");
        if (sockjsMaxSessions < 0) {
            throw new IllegalArgumentException("sockjsMaxSessions must be 0 (automatic) or positive, got "
                    + sockjsMaxSessions);
        }
        if (eventLoops < 0) {
            throw new IllegalArgumentException("eventLoops must be 0 (one per core) or positive, got " + eventLoops);
        }
    }

    /**
     * Worker event loops: {@code gomaxprocs} when positive, else one per available core. Every handler is
     * non-blocking, so more loops than cores only add context switches (docs/benchmarks.md: fan-out per server
     * CPU-second rose by 27–34 % with one loop per core instead of Netty's default of two per core).
     */
    public int effectiveEventLoops() {
        return eventLoops > 0 ? eventLoops : Runtime.getRuntime().availableProcessors();
    }

    /** v1's SockJS client URL when {@code sockjs_url} is empty (configuration.md §3.5). */
    public static final String SOCKJS_LIBRARY_DEFAULT_URL =
            "//cdnjs.cloudflare.com/ajax/libs/sockjs-client/0.3.4/sockjs.min.js";

    /** The SockJS client URL the iframe page loads. */
    public String effectiveSockjsUrl() {
        return sockjsUrl.isEmpty() ? SOCKJS_LIBRARY_DEFAULT_URL : sockjsUrl;
    }

    /** Effective API port. */
    public String effectiveApiPort() {
        return apiPort.isEmpty() ? port : apiPort;
    }

    /** Effective admin port. */
    public String effectiveAdminPort() {
        return adminPort.isEmpty() ? port : adminPort;
    }

    /** {@code sockjs_max_sessions} with 0 resolved to {@link #defaultSockjsMaxSessions()}. */
    public int effectiveSockjsMaxSessions() {
        return sockjsMaxSessions > 0 ? sockjsMaxSessions : defaultSockjsMaxSessions();
    }

    /**
     * One SockJS HTTP session per 16 KiB of maximum heap, at least 1,024: a session with its client state and buffers
     * costs a few KiB, so this many cannot fill the heap (16,384 sessions on a 256 MiB heap, 65,536 on 1 GiB).
     */
    public static int defaultSockjsMaxSessions() {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1024, Runtime.getRuntime().maxMemory() / (16 * 1024)));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with v1.8.0 defaults; not thread-safe. */
    public static final class Builder {
        private String address = "";
        private String port = "8000";
        private String apiPort = "";
        private String adminPort = "";
        private String httpPrefix = "";
        private String sockjsUrl = "//cdn.jsdelivr.net/sockjs/1.1/sockjs.min.js";
        private int sockjsHeartbeatDelay = 25;
        private int sockjsMaxSessions;
        private boolean websocketCompression;
        private int websocketCompressionLevel = 1;
        private int websocketCompressionMinSize;
        private int websocketReadBufferSize;
        private int websocketWriteBufferSize;
        private boolean admin;
        private boolean web;
        private String webPath = "";
        private boolean debug;
        private boolean prometheus;
        private int eventLoops;
        private NettyTransport transport = NettyTransport.AUTO;
        private boolean ssl;
        private String sslCert = "";
        private String sslKey = "";
        private int writeStallTimeout = 30;
        private HttpLimitsConfig http = HttpLimitsConfig.defaults();
        private LoginThrottleConfig loginThrottle = LoginThrottleConfig.builder().build();

        public Builder address(String v) { address = v; return this; }
        public Builder port(String v) { port = v; return this; }
        public Builder apiPort(String v) { apiPort = v; return this; }
        public Builder adminPort(String v) { adminPort = v; return this; }
        public Builder httpPrefix(String v) { httpPrefix = v; return this; }
        public Builder sockjsUrl(String v) { sockjsUrl = v; return this; }
        public Builder sockjsHeartbeatDelay(int v) { sockjsHeartbeatDelay = v; return this; }
        /** Beyond v1: the most SockJS HTTP sessions held at once; 0 = {@link #defaultSockjsMaxSessions()}. */
        public Builder sockjsMaxSessions(int v) { sockjsMaxSessions = v; return this; }
        public Builder websocketCompression(boolean v) { websocketCompression = v; return this; }
        public Builder websocketCompressionLevel(int v) { websocketCompressionLevel = v; return this; }
        public Builder websocketCompressionMinSize(int v) { websocketCompressionMinSize = v; return this; }
        public Builder websocketReadBufferSize(int v) { websocketReadBufferSize = v; return this; }
        public Builder websocketWriteBufferSize(int v) { websocketWriteBufferSize = v; return this; }
        public Builder admin(boolean v) { admin = v; return this; }
        public Builder web(boolean v) { web = v; return this; }
        public Builder webPath(String v) { webPath = v; return this; }
        public Builder debug(boolean v) { debug = v; return this; }
        /** Beyond v1: {@code /metrics} in Prometheus text format on the admin port. */
        public Builder prometheus(boolean v) { prometheus = v; return this; }
        /** 0 = one per core. */
        public Builder eventLoops(int v) { eventLoops = v; return this; }
        /** Beyond v1: the Netty transport ({@code netty_transport}); {@code AUTO} = epoll when available, else nio. */
        public Builder transport(NettyTransport v) { transport = v; return this; }
        public Builder ssl(boolean v) { ssl = v; return this; }
        public Builder sslCert(String v) { sslCert = v; return this; }
        public Builder sslKey(String v) { sslKey = v; return this; }
        /** Beyond v1: seconds a connection may stay unwritable with the peer reading nothing; 0 = no limit. */
        public Builder writeStallTimeout(int v) { writeStallTimeout = v; return this; }
        /** Beyond v1: HTTP deadlines and size limits (docs/security.md). */
        public Builder http(HttpLimitsConfig v) { http = v; return this; }
        /** Beyond v1: how {@code /auth/} slows down password guessing. */
        public Builder loginThrottle(LoginThrottleConfig v) { loginThrottle = v; return this; }

        public ServerConfig build() {
            return new ServerConfig(address, port, apiPort, adminPort, httpPrefix, sockjsUrl, sockjsHeartbeatDelay,
                    sockjsMaxSessions, websocketCompression, websocketCompressionLevel, websocketCompressionMinSize,
                    websocketReadBufferSize, websocketWriteBufferSize, admin, web, webPath, debug, prometheus, ssl, sslCert,
                    sslKey, eventLoops, transport, writeStallTimeout, http, loginThrottle);
        }
    }
}
