package dev.rotor.config;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every top-level configuration key Rotor understands, with its type, built-in default, environment binding and
 * whether SIGHUP applies it (configuration.md §3, §4, §7). {@code namespaces} is structured and handled apart.
 * Immutable.
 */
public enum ConfigKey {
    // §3.1 security and modes
    SECRET("secret", Type.STRING, "", Env.BOUND, Reload.YES),
    INSECURE("insecure", Type.BOOL, false, Env.BOUND, Reload.YES),
    INSECURE_API("insecure_api", Type.BOOL, false, Env.BOUND, Reload.YES),
    INSECURE_ADMIN("insecure_admin", Type.BOOL, false, Env.BOUND, Reload.YES),
    ADMIN("admin", Type.BOOL, false, Env.BOUND, Reload.YES),
    ADMIN_PASSWORD("admin_password", Type.STRING, "", Env.BOUND, Reload.YES),
    ADMIN_SECRET("admin_secret", Type.STRING, "", Env.BOUND, Reload.YES),
    WEB("web", Type.BOOL, false, Env.BOUND, Reload.NO),
    WEB_PATH("web_path", Type.STRING, "", Env.BOUND, Reload.NO),
    DEBUG("debug", Type.BOOL, false, Env.BOUND, Reload.NO),
    /** Beyond v1: serve Prometheus metrics at {@code /metrics} on the admin port. */
    PROMETHEUS("prometheus", Type.BOOL, false, Env.NONE, Reload.NO),
    /** Beyond v1: the key of the {@code Authorization: apikey} (Centrifugo v2) HTTP API dialect. */
    API_KEY("api_key", Type.STRING, "", Env.NONE, Reload.YES),
    /** Beyond v1: the HS256/384/512 key of JWT tokens; empty means {@code secret}. */
    TOKEN_HMAC_SECRET_KEY("token_hmac_secret_key", Type.STRING, "", Env.NONE, Reload.YES),
    /** Beyond v1: PEM public key enabling RS256/384/512 JWT tokens. */
    TOKEN_RSA_PUBLIC_KEY("token_rsa_public_key", Type.STRING, "", Env.NONE, Reload.YES),
    /** Beyond v1: PEM public key enabling ES256/384/512 JWT tokens. */
    TOKEN_ECDSA_PUBLIC_KEY("token_ecdsa_public_key", Type.STRING, "", Env.NONE, Reload.YES),
    /** Beyond v1: delay of the answer to an address's first failed {@code /auth/} login; doubles per failure. */
    ADMIN_AUTH_DELAY_MS("admin_auth_delay_ms", Type.INT, 1000, Env.NONE, Reload.NO),
    /** Beyond v1: the cap of that delay. */
    ADMIN_AUTH_MAX_DELAY_MS("admin_auth_max_delay_ms", Type.INT, 10000, Env.NONE, Reload.NO),
    /** Beyond v1: failed {@code /auth/} logins per second over all addresses; past it attempts get 429. */
    ADMIN_AUTH_MAX_FAILURES_PER_SECOND("admin_auth_max_failures_per_second", Type.INT, 10, Env.NONE, Reload.NO),
    /** v1 compat: bound to {@code CENTRIFUGO_INSECURE_WEB} but used by nothing (§4). */
    INSECURE_WEB("insecure_web", Type.BOOL, false, Env.BOUND, Reload.NO),

    // §3.2 node and connection behaviour
    NAME("name", Type.STRING, "", Env.NONE, Reload.YES),
    CONNECTION_LIFETIME("connection_lifetime", Type.INT, 0, Env.BOUND, Reload.YES),
    EXPIRED_CONNECTION_CLOSE_DELAY("expired_connection_close_delay", Type.INT, 25, Env.NONE, Reload.YES),
    STALE_CONNECTION_CLOSE_DELAY("stale_connection_close_delay", Type.INT, 25, Env.NONE, Reload.YES),
    PING_INTERVAL("ping_interval", Type.INT, 25, Env.NONE, Reload.YES),
    CLIENT_MESSAGE_WRITE_TIMEOUT("client_message_write_timeout", Type.INT, 0, Env.NONE, Reload.YES),
    CLIENT_REQUEST_MAX_SIZE("client_request_max_size", Type.INT, 65536, Env.NONE, Reload.YES),
    CLIENT_QUEUE_MAX_SIZE("client_queue_max_size", Type.LONG, 10485760L, Env.NONE, Reload.YES),
    CLIENT_QUEUE_INITIAL_CAPACITY("client_queue_initial_capacity", Type.INT, 2, Env.NONE, Reload.YES),
    /** Beyond v1: the bytes all client queues may count together; 0 = a quarter of the heap (docs/security.md). */
    CLIENT_QUEUE_BUDGET("client_queue_budget", Type.LONG, 0L, Env.NONE, Reload.YES),
    CLIENT_CHANNEL_LIMIT("client_channel_limit", Type.INT, 128, Env.NONE, Reload.YES),
    USER_CONNECTION_LIMIT("user_connection_limit", Type.INT, 0, Env.NONE, Reload.YES),
    MAX_CHANNEL_LENGTH("max_channel_length", Type.INT, 255, Env.NONE, Reload.YES),
    PRESENCE_PING_INTERVAL("presence_ping_interval", Type.INT, 25, Env.NONE, Reload.YES),
    PRESENCE_EXPIRE_INTERVAL("presence_expire_interval", Type.INT, 60, Env.NONE, Reload.YES),
    NODE_PING_INTERVAL("node_ping_interval", Type.INT, 3, Env.NONE, Reload.YES),
    NODE_METRICS_INTERVAL("node_metrics_interval", Type.INT, 60, Env.NONE, Reload.YES),
    PRIVATE_CHANNEL_PREFIX("private_channel_prefix", Type.STRING, "$", Env.NONE, Reload.YES),
    NAMESPACE_CHANNEL_BOUNDARY("namespace_channel_boundary", Type.STRING, ":", Env.NONE, Reload.YES),
    USER_CHANNEL_BOUNDARY("user_channel_boundary", Type.STRING, "#", Env.NONE, Reload.YES),
    USER_CHANNEL_SEPARATOR("user_channel_separator", Type.STRING, ",", Env.NONE, Reload.YES),
    CLIENT_CHANNEL_BOUNDARY("client_channel_boundary", Type.STRING, "&", Env.NONE, Reload.YES),

    // §3.3 top-level channel options
    WATCH("watch", Type.BOOL, false, Env.BOUND, Reload.YES),
    PUBLISH("publish", Type.BOOL, false, Env.BOUND, Reload.YES),
    ANONYMOUS("anonymous", Type.BOOL, false, Env.BOUND, Reload.YES),
    PRESENCE("presence", Type.BOOL, false, Env.BOUND, Reload.YES),
    JOIN_LEAVE("join_leave", Type.BOOL, false, Env.BOUND, Reload.YES),
    HISTORY_SIZE("history_size", Type.INT, 0, Env.BOUND, Reload.YES),
    HISTORY_LIFETIME("history_lifetime", Type.INT, 0, Env.BOUND, Reload.YES),
    RECOVER("recover", Type.BOOL, false, Env.BOUND, Reload.YES),
    HISTORY_DROP_INACTIVE("history_drop_inactive", Type.BOOL, false, Env.BOUND, Reload.YES),

    // §3.5 HTTP server
    ADDRESS("address", Type.STRING, "", Env.BOUND, Reload.NO),
    PORT("port", Type.STRING, "8000", Env.BOUND, Reload.NO),
    API_PORT("api_port", Type.STRING, "", Env.BOUND, Reload.NO),
    ADMIN_PORT("admin_port", Type.STRING, "", Env.BOUND, Reload.NO),
    HTTP_PREFIX("http_prefix", Type.STRING, "", Env.NONE, Reload.NO),
    SOCKJS_URL("sockjs_url", Type.STRING, "//cdn.jsdelivr.net/sockjs/1.1/sockjs.min.js", Env.NONE, Reload.NO),
    SOCKJS_HEARTBEAT_DELAY("sockjs_heartbeat_delay", Type.INT, 25, Env.NONE, Reload.NO),
    /** Beyond v1: the most SockJS HTTP sessions held at once; 0 = one per 16 KiB of maximum heap. */
    SOCKJS_MAX_SESSIONS("sockjs_max_sessions", Type.INT, 0, Env.NONE, Reload.NO),
    WEBSOCKET_COMPRESSION("websocket_compression", Type.BOOL, false, Env.NONE, Reload.NO),
    WEBSOCKET_COMPRESSION_LEVEL("websocket_compression_level", Type.INT, 1, Env.NONE, Reload.NO),
    WEBSOCKET_COMPRESSION_MIN_SIZE("websocket_compression_min_size", Type.INT, 0, Env.NONE, Reload.NO),
    WEBSOCKET_READ_BUFFER_SIZE("websocket_read_buffer_size", Type.INT, 0, Env.NONE, Reload.NO),
    WEBSOCKET_WRITE_BUFFER_SIZE("websocket_write_buffer_size", Type.INT, 0, Env.NONE, Reload.NO),
    /** Beyond v1: seconds a connection may stay unwritable while its peer reads nothing (docs/security.md). */
    WRITE_STALL_TIMEOUT("write_stall_timeout", Type.INT, 30, Env.NONE, Reload.NO),
    SSL("ssl", Type.BOOL, false, Env.BOUND, Reload.NO),
    SSL_CERT("ssl_cert", Type.STRING, "", Env.BOUND, Reload.NO),
    SSL_KEY("ssl_key", Type.STRING, "", Env.BOUND, Reload.NO),
    SSL_AUTOCERT("ssl_autocert", Type.BOOL, false, Env.NONE, Reload.NO),
    SSL_AUTOCERT_HOST_WHITELIST("ssl_autocert_host_whitelist", Type.STRING, "", Env.NONE, Reload.NO),
    SSL_AUTOCERT_CACHE_DIR("ssl_autocert_cache_dir", Type.STRING, "", Env.NONE, Reload.NO),
    SSL_AUTOCERT_EMAIL("ssl_autocert_email", Type.STRING, "", Env.NONE, Reload.NO),
    SSL_AUTOCERT_FORCE_RSA("ssl_autocert_force_rsa", Type.BOOL, false, Env.NONE, Reload.NO),
    SSL_AUTOCERT_SERVER_NAME("ssl_autocert_server_name", Type.STRING, "", Env.NONE, Reload.NO),
    SSL_AUTOCERT_HTTP("ssl_autocert_http", Type.BOOL, false, Env.NONE, Reload.NO),
    SSL_AUTOCERT_HTTP_ADDR("ssl_autocert_http_addr", Type.STRING, ":80", Env.NONE, Reload.NO),
    // beyond v1: another ACME CA (e.g. a private one) and a PEM bundle to trust for its HTTPS endpoint
    SSL_AUTOCERT_DIRECTORY("ssl_autocert_directory", Type.STRING, "https://acme-v02.api.letsencrypt.org/directory",
            Env.NONE, Reload.NO),
    SSL_AUTOCERT_DIRECTORY_CA("ssl_autocert_directory_ca", Type.STRING, "", Env.NONE, Reload.NO),
    // beyond v1: HTTP deadlines and limits (docs/security.md); defaults as in HttpLimitsConfig.Builder
    HTTP_READ_HEADER_TIMEOUT("http_read_header_timeout", Type.INT, 10, Env.NONE, Reload.NO),
    HTTP_IDLE_TIMEOUT("http_idle_timeout", Type.INT, 60, Env.NONE, Reload.NO),
    HTTP_READ_BODY_TIMEOUT("http_read_body_timeout", Type.INT, 60, Env.NONE, Reload.NO),
    HTTP_MAX_HEADER_SIZE("http_max_header_size", Type.INT, 16384, Env.NONE, Reload.NO),
    HTTP_MAX_URL_LENGTH("http_max_url_length", Type.INT, 8192, Env.NONE, Reload.NO),
    HTTP_MAX_BODY_SIZE("http_max_body_size", Type.INT, 0, Env.NONE, Reload.NO),
    HTTP_BODY_BUDGET("http_body_budget", Type.LONG, 0L, Env.NONE, Reload.NO),

    // §3.6 process
    ENGINE("engine", Type.STRING, "memory", Env.BOUND, Reload.NO),
    LOG_LEVEL("log_level", Type.STRING, "info", Env.NONE, Reload.YES),
    LOG_FILE("log_file", Type.STRING, "", Env.NONE, Reload.YES),
    PID_FILE("pid_file", Type.STRING, "", Env.NONE, Reload.NO),
    GOMAXPROCS("gomaxprocs", Type.INT, 0, Env.NONE, Reload.NO),
    /** Beyond v1: the Netty transport, {@code auto}, {@code epoll}, {@code io_uring} or {@code nio}. */
    NETTY_TRANSPORT("netty_transport", Type.STRING, "auto", Env.NONE, Reload.NO),
    /** Beyond v1: connections of the JIT warm-up before the ports open (docs/configuration.md), 0 = none. */
    WARMUP_CONNECTIONS("warmup_connections", Type.INT, 0, Env.BOUND, Reload.NO),

    // §3.7 engines: the engine keys, handed to the engine as EngineValues (keep them together, in this order)
    /** Beyond v1: bytes the memory engine's histories may count together (docs/security.md); 0 = a quarter of heap. */
    MEMORY_HISTORY_BUDGET("memory_history_budget", Type.LONG, 0L, Env.NONE, Reload.NO),
    REDIS_HOST("redis_host", Type.STRING, "127.0.0.1", Env.BOUND, Reload.NO),
    REDIS_PORT("redis_port", Type.STRING, "6379", Env.BOUND, Reload.NO),
    REDIS_URL("redis_url", Type.STRING, "", Env.BOUND, Reload.NO),
    REDIS_PASSWORD("redis_password", Type.STRING, "", Env.NONE, Reload.NO),
    REDIS_DB("redis_db", Type.STRING, "0", Env.NONE, Reload.NO),
    REDIS_POOL("redis_pool", Type.INT, 256, Env.NONE, Reload.NO),
    REDIS_API("redis_api", Type.BOOL, false, Env.NONE, Reload.NO),
    REDIS_API_NUM_SHARDS("redis_api_num_shards", Type.INT, 0, Env.NONE, Reload.NO),
    REDIS_MASTER_NAME("redis_master_name", Type.STRING, "", Env.NONE, Reload.NO),
    REDIS_SENTINELS("redis_sentinels", Type.STRING, "", Env.NONE, Reload.NO),
    /** Beyond v1: Redis Cluster seed nodes, {@code host:port} as a comma list or an array; empty means no cluster. */
    REDIS_CLUSTER_ADDRS("redis_cluster_addrs", Type.STRING, "", Env.NONE, Reload.NO),
    REDIS_PREFIX("redis_prefix", Type.STRING, "centrifugo", Env.NONE, Reload.NO),
    REDIS_CONNECT_TIMEOUT("redis_connect_timeout", Type.INT, 1, Env.NONE, Reload.NO),
    REDIS_READ_TIMEOUT("redis_read_timeout", Type.INT, 10, Env.NONE, Reload.NO),
    REDIS_WRITE_TIMEOUT("redis_write_timeout", Type.INT, 1, Env.NONE, Reload.NO),
    REDIS_PUBSUB_NUM_WORKERS("redis_pubsub_num_workers", Type.INT, 0, Env.NONE, Reload.NO),
    // beyond v1: acknowledge a publication with history once this many replicas have it (WAIT), within this many ms
    REDIS_WAIT_REPLICAS("redis_wait_replicas", Type.INT, 0, Env.NONE, Reload.NO),
    REDIS_WAIT_TIMEOUT("redis_wait_timeout", Type.INT, 1000, Env.NONE, Reload.NO);

    /** Environment variable prefix; a bound key {@code k} is read from {@code CENTRIFUGO_<UPPER(k)>} (§4). */
    public static final String ENV_PREFIX = "CENTRIFUGO_";

    /** Value type of a key; reads are lenient across these (configuration.md §1). */
    public enum Type { STRING, BOOL, INT, LONG }

    private enum Env { BOUND, NONE }

    private enum Reload { YES, NO }

    private static final Map<String, ConfigKey> BY_KEY =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(ConfigKey::key, Function.identity()));

    private final String key;
    private final Type type;
    private final Object defaultValue;
    private final boolean envBound;
    private final boolean reloadable;

    ConfigKey(String key, Type type, Object defaultValue, Env env, Reload reload) {
        this.key = key;
        this.type = type;
        this.defaultValue = defaultValue;
        this.envBound = env == Env.BOUND;
        this.reloadable = reload == Reload.YES;
    }

    /** The key as written in the file, lower-case snake_case. */
    public String key() { return key; }

    public Type type() { return type; }

    /** Built-in default: a {@code String}, {@code Boolean}, {@code Integer} or {@code Long} matching {@link #type()}. */
    public Object defaultValue() { return defaultValue; }

    /** True when {@link #envName()} is read (only the keys listed in configuration.md §4). */
    public boolean envBound() { return envBound; }

    /** The environment variable name, e.g. {@code CENTRIFUGO_SECRET}; meaningful only when {@link #envBound()}. */
    public String envName() { return ENV_PREFIX + key.toUpperCase(Locale.ROOT); }

    /** True when a SIGHUP applies a changed value to the running node (§7). */
    public boolean reloadable() { return reloadable; }

    /** The key named {@code key} (case-insensitive), if Rotor knows it. */
    public static Optional<ConfigKey> of(String key) {
        return Optional.ofNullable(BY_KEY.get(key.toLowerCase(Locale.ROOT)));
    }
}
