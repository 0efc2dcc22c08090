package dev.rotor.config;

import static dev.rotor.config.ConfigKey.*;

import dev.rotor.auth.JwtKeys;
import dev.rotor.channel.ChannelNaming;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.HttpLimitsConfig;
import dev.rotor.server.NettyTransport;
import dev.rotor.server.ServerConfig;
import dev.rotor.server.admin.LoginThrottleConfig;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Loads, validates and reloads the configuration of one process from its config file, environment and explicitly
 * given flags (configuration.md §1–4, §7). The loader remembers all three, so that a SIGHUP re-reads the same file
 * and re-applies the same environment and flags. Immutable and thread-safe.
 */
public final class ConfigLoader {
    /** The most connections {@code warmup_connections} accepts: a warm-up is also bounded by its time limit. */
    public static final int MAX_WARMUP_CONNECTIONS = 1_000_000;

    private final Path file;
    private final Map<String, String> env;
    private final Map<String, Object> flags;
    private final Supplier<String> hostname;

    /**
     * @param file  the config file ({@code -c}); its extension picks the format
     * @param env   the process environment; only {@code CENTRIFUGO_*} variables of bound keys are used (§4)
     * @param flags flags given explicitly on the command line, by config key (e.g. {@code "port" -> "8001"});
     *              values are {@code String}, {@code Boolean}, {@code Integer} or {@code Long}
     */
    public ConfigLoader(Path file, Map<String, String> env, Map<String, ?> flags) {
        this(file, env, flags, Hostname::local);
    }

    /** As above, with the host name source for the default node name {@code <hostname>_<port>}. */
    public ConfigLoader(Path file, Map<String, String> env, Map<String, ?> flags, Supplier<String> hostname) {
        this.file = Objects.requireNonNull(file, "file");
        this.env = Map.copyOf(env);
        Map<String, Object> f = new LinkedHashMap<>();
        flags.forEach((k, v) -> {
            if (ConfigKey.of(k).isEmpty()) {
                throw new IllegalArgumentException("not a configuration key: " + k);
            }
            f.put(k, Objects.requireNonNull(v, k));
        });
        this.flags = Map.copyOf(f);
        this.hostname = Objects.requireNonNull(hostname, "hostname");
    }

    /**
     * The result of the first load: the configuration, whether the config file was found, and one message per key
     * of the file that Rotor does not know ({@link #unknownKeys(ConfigFile)}), to log as warnings.
     */
    public record Loaded(RotorConfig config, boolean fileFound, List<String> unknownKeys) {}

    /** The result of {@link #inspect}: the validated configuration and the file's unknown keys. */
    public record Checked(RotorConfig config, List<String> unknownKeys) {}

    /**
     * The result of a reload: the new configuration and the file's unknown keys, or the unchanged old one and the
     * message to log as critical.
     */
    public record Reloaded(RotorConfig config, Optional<String> error, List<String> unknownKeys) {
        public boolean ok() {
            return error.isEmpty();
        }
    }

    public Path file() {
        return file;
    }

    /**
     * Loads the startup configuration. A missing file (or one with an unsupported extension) is not an error: the
     * result says {@code fileFound == false} and defaults, env and flags apply (§2).
     *
     * @throws ConfigParseException when the file does not parse
     * @throws ConfigException      when a value is invalid; the message names the key
     */
    public Loaded load() {
        Optional<ConfigFile> f = ConfigFile.read(file);
        ConfigFile contents = f.orElse(ConfigFile.EMPTY);
        return new Loaded(build(new ConfigSources(flags, env, contents)), f.isPresent(), unknownKeys(contents));
    }

    /**
     * Re-reads the same file and rebuilds the reloadable part (node settings, log level and file) from file + env +
     * flags + defaults, like SIGHUP in v1 (§7). Keys removed from the file fall back to env/flag/default. Never
     * throws for a bad configuration: the old one is kept and the error returned.
     */
    public Reloaded reload(RotorConfig current) {
        try {
            Optional<ConfigFile> f = ConfigFile.read(file);
            if (f.isEmpty()) {
                return new Reloaded(current, Optional.of("No config file found"), List.of());
            }
            ConfigSources s = new ConfigSources(flags, env, f.get());
            NodeConfig node = buildNode(s);
            return new Reloaded(current.withReloadable(node, s.string(LOG_LEVEL), s.string(LOG_FILE)), Optional.empty(),
                    unknownKeys(f.get()));
        } catch (ConfigParseException e) {
            return new Reloaded(current, Optional.of("Error parsing configuration: " + e.getMessage()), List.of());
        } catch (ConfigException e) {
            return new Reloaded(current, Optional.of(e.getMessage()), List.of());
        }
    }

    /**
     * Validates the file alone (no env, no flags), as v1's {@code checkconfig} did (§5.2).
     *
     * @throws ConfigException when the file is missing, does not parse or is invalid, with v1's messages
     */
    public static RotorConfig check(Path file) {
        return inspect(file, Map.of()).config();
    }

    /**
     * What {@code checkconfig} does: reads the file, applies the environment as the server would (not v1, which
     * ignored it, so that a bad {@code CENTRIFUGO_*} variable showed only at start), validates, and lists the
     * file's unknown keys.
     *
     * @throws ConfigException when the file is missing, does not parse or is invalid, with v1's messages
     */
    public static Checked inspect(Path file, Map<String, String> env) {
        ConfigFile f = ConfigFile.read(file).orElseThrow(() -> new ConfigException(
                // v1 compat: v1's text, with Rotor's command name.
                "Unable to locate config file, use \"rotor genconfig -c " + file + "\" command to generate one"));
        RotorConfig config = new ConfigLoader(file, env, Map.of()).build(new ConfigSources(Map.of(), env, f));
        return new Checked(config, unknownKeys(f));
    }

    /**
     * One message per key of {@code file} that Rotor does not know, top-level keys first, then namespace options,
     * each with a "did you mean" hint when a known key is close, e.g. {@code unknown key "prescence" in the config
     * file, did you mean "presence"?}. v1 ignored unknown keys silently; they are still ignored, but reported.
     */
    public static List<String> unknownKeys(ConfigFile file) {
        List<String> known = new ArrayList<>();
        for (ConfigKey k : ConfigKey.values()) {
            known.add(k.key());
        }
        known.add(ConfigFile.NAMESPACES);
        List<String> messages = new ArrayList<>();
        for (String key : file.values().keySet()) {
            if (ConfigKey.of(key).isEmpty()) {
                messages.add(KeyHints.unknown("unknown key", key, "the config file", known));
            }
        }
        messages.addAll(Namespaces.unknownOptions(file.namespaces()));
        return List.copyOf(messages);
    }

    /** Package-private for ConfigFuzzTest, which builds from parsed text without a file. */
    RotorConfig build(ConfigSources s) {
        NodeConfig node = buildNode(s);
        ServerConfig server = buildServer(s);
        AutocertSettings autocert = new AutocertSettings(s.bool(SSL_AUTOCERT), s.string(SSL_AUTOCERT_HOST_WHITELIST),
                s.string(SSL_AUTOCERT_CACHE_DIR), s.string(SSL_AUTOCERT_EMAIL), s.bool(SSL_AUTOCERT_FORCE_RSA),
                s.string(SSL_AUTOCERT_SERVER_NAME), s.bool(SSL_AUTOCERT_HTTP), s.string(SSL_AUTOCERT_HTTP_ADDR),
                s.string(SSL_AUTOCERT_DIRECTORY), s.string(SSL_AUTOCERT_DIRECTORY_CA));
        if (server.ssl() && !autocert.enabled() && (server.sslCert().isEmpty() || server.sslKey().isEmpty())) {
            throw new ConfigException("config error: ssl: ssl_cert and ssl_key must both be set when ssl is enabled");
        }
        int warmup = s.integer(WARMUP_CONNECTIONS);
        if (warmup < 0 || warmup > MAX_WARMUP_CONNECTIONS) {
            throw new ConfigException("config error: " + WARMUP_CONNECTIONS.key() + ": expected 0 (no warm-up) to "
                    + MAX_WARMUP_CONNECTIONS + " connections, got " + warmup);
        }
        return new RotorConfig(node, server, s.string(ENGINE), s.string(LOG_LEVEL), s.string(LOG_FILE),
                s.string(PID_FILE), s.integer(GOMAXPROCS), warmup, EngineValues.read(s), autocert);
    }

    private NodeConfig buildNode(ConfigSources s) {
        String name = s.string(NAME);
        if (name.isEmpty()) {
            name = hostname.get() + "_" + s.string(PORT); // e.g. myhost_8000 (§3.2)
        }
        ChannelOptions topLevel = ChannelOptions.builder()
                .watch(s.bool(WATCH))
                .publish(s.bool(PUBLISH))
                .anonymous(s.bool(ANONYMOUS))
                .presence(s.bool(PRESENCE))
                .joinLeave(s.bool(JOIN_LEAVE))
                .historySize(s.integer(HISTORY_SIZE))
                .historyLifetime(s.integer(HISTORY_LIFETIME))
                .recover(s.bool(RECOVER))
                .historyDropInactive(s.bool(HISTORY_DROP_INACTIVE))
                .build();
        ChannelNaming naming = new ChannelNaming(s.string(PRIVATE_CHANNEL_PREFIX), s.string(NAMESPACE_CHANNEL_BOUNDARY),
                s.string(USER_CHANNEL_BOUNDARY), s.string(USER_CHANNEL_SEPARATOR), s.string(CLIENT_CHANNEL_BOUNDARY));
        return NodeConfig.builder()
                .name(name)
                .version(RotorVersion.current())
                .secret(s.string(SECRET))
                .insecure(s.bool(INSECURE))
                .insecureApi(s.bool(INSECURE_API))
                .insecureAdmin(s.bool(INSECURE_ADMIN))
                .apiKey(s.string(API_KEY))
                .jwtKeys(jwtKeys(s))
                .admin(s.bool(ADMIN))
                .web(s.bool(WEB))
                .adminPassword(s.string(ADMIN_PASSWORD))
                .adminSecret(s.string(ADMIN_SECRET))
                .connectionLifetime(s.integer(CONNECTION_LIFETIME))
                .expiredConnectionCloseDelay(s.integer(EXPIRED_CONNECTION_CLOSE_DELAY))
                .staleConnectionCloseDelay(s.integer(STALE_CONNECTION_CLOSE_DELAY))
                .pingInterval(s.integer(PING_INTERVAL))
                .clientMessageWriteTimeout(s.integer(CLIENT_MESSAGE_WRITE_TIMEOUT))
                .clientRequestMaxSize(s.integer(CLIENT_REQUEST_MAX_SIZE))
                .clientQueueMaxSize(s.longValue(CLIENT_QUEUE_MAX_SIZE))
                .clientQueueInitialCapacity(s.integer(CLIENT_QUEUE_INITIAL_CAPACITY))
                .clientQueueBudget(clientQueueBudget(s))
                .clientChannelLimit(s.integer(CLIENT_CHANNEL_LIMIT))
                .userConnectionLimit(s.integer(USER_CONNECTION_LIMIT))
                .maxChannelLength(s.integer(MAX_CHANNEL_LENGTH))
                .presencePingInterval(s.integer(PRESENCE_PING_INTERVAL))
                .presenceExpireInterval(s.integer(PRESENCE_EXPIRE_INTERVAL))
                .nodePingInterval(s.integer(NODE_PING_INTERVAL))
                .nodeMetricsInterval(s.integer(NODE_METRICS_INTERVAL))
                .naming(naming)
                .topLevel(topLevel)
                .namespaces(Namespaces.validate(Namespaces.decode(s.file().namespaces())))
                .build();
    }

    /** Beyond v1: JWT keys; a PEM key that does not parse is a config error naming the key. */
    private static JwtKeys jwtKeys(ConfigSources s) {
        RSAPublicKey rsa;
        ECPublicKey ec;
        try {
            rsa = JwtKeys.rsaPublicKey(s.string(TOKEN_RSA_PUBLIC_KEY));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config error: " + TOKEN_RSA_PUBLIC_KEY.key() + ": " + e.getMessage());
        }
        try {
            ec = JwtKeys.ecPublicKey(s.string(TOKEN_ECDSA_PUBLIC_KEY));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config error: " + TOKEN_ECDSA_PUBLIC_KEY.key() + ": " + e.getMessage());
        }
        return new JwtKeys(s.string(TOKEN_HMAC_SECRET_KEY), rsa, ec);
    }

    private static ServerConfig buildServer(ConfigSources s) {
        int level = s.integer(WEBSOCKET_COMPRESSION_LEVEL);
        if (level < -2 || level > 9) {
            // The deflate levels of Go's compress/flate, which v1 passes through (§3.5).
            throw new ConfigException("config error: websocket_compression_level: expected a level from -2 to 9, got "
                    + level);
        }
        return ServerConfig.builder()
                .address(s.string(ADDRESS))
                .port(port(s, PORT, false))
                .apiPort(port(s, API_PORT, true))
                .adminPort(port(s, ADMIN_PORT, true))
                .httpPrefix(s.string(HTTP_PREFIX))
                .sockjsUrl(s.string(SOCKJS_URL))
                .sockjsHeartbeatDelay(s.integer(SOCKJS_HEARTBEAT_DELAY))
                .sockjsMaxSessions(nonNegative(s, SOCKJS_MAX_SESSIONS))
                .websocketCompression(s.bool(WEBSOCKET_COMPRESSION))
                .websocketCompressionLevel(level)
                .websocketCompressionMinSize(s.integer(WEBSOCKET_COMPRESSION_MIN_SIZE))
                .websocketReadBufferSize(s.integer(WEBSOCKET_READ_BUFFER_SIZE))
                .websocketWriteBufferSize(s.integer(WEBSOCKET_WRITE_BUFFER_SIZE))
                .writeStallTimeout(nonNegative(s, WRITE_STALL_TIMEOUT))
                .admin(s.bool(ADMIN))
                .web(s.bool(WEB))
                .webPath(s.string(WEB_PATH))
                .prometheus(s.bool(PROMETHEUS))
                .debug(s.bool(DEBUG))
                .ssl(s.bool(SSL))
                .sslCert(s.string(SSL_CERT))
                .sslKey(s.string(SSL_KEY))
                // configuration.md §3: Go's CPU limit maps to the number of worker event loops
                .eventLoops(Math.max(0, s.integer(GOMAXPROCS)))
                .transport(nettyTransport(s))
                .http(httpLimits(s))
                .loginThrottle(loginThrottle(s))
                .build();
    }

    /** Beyond v1: HTTP deadlines (seconds, 0 = none) and size limits (bytes, positive); see docs/security.md. */
    private static HttpLimitsConfig httpLimits(ConfigSources s) {
        for (ConfigKey k : new ConfigKey[] {HTTP_READ_HEADER_TIMEOUT, HTTP_IDLE_TIMEOUT, HTTP_READ_BODY_TIMEOUT}) {
            if (s.integer(k) < 0) {
                throw new ConfigException("config error: " + k.key() + ": expected 0 (no timeout) or a number of "
                        + "seconds, got " + s.integer(k));
            }
        }
        if (s.integer(HTTP_MAX_BODY_SIZE) < 0) {
            throw new ConfigException("config error: " + HTTP_MAX_BODY_SIZE.key() + ": expected 0 (automatic) or a "
                    + "positive number of bytes, got " + s.integer(HTTP_MAX_BODY_SIZE));
        }
        for (ConfigKey k : new ConfigKey[] {HTTP_MAX_HEADER_SIZE, HTTP_MAX_URL_LENGTH}) {
            if (s.integer(k) <= 0) {
                throw new ConfigException("config error: " + k.key() + ": expected a positive number of bytes, got "
                        + s.integer(k));
            }
        }
        if (s.longValue(HTTP_BODY_BUDGET) < 0) {
            throw new ConfigException("config error: " + HTTP_BODY_BUDGET.key() + ": expected 0 (automatic) or a "
                    + "positive number of bytes, got " + s.longValue(HTTP_BODY_BUDGET));
        }
        return HttpLimitsConfig.builder()
                .readHeaderTimeout(s.integer(HTTP_READ_HEADER_TIMEOUT))
                .idleTimeout(s.integer(HTTP_IDLE_TIMEOUT))
                .readBodyTimeout(s.integer(HTTP_READ_BODY_TIMEOUT))
                .maxHeaderSize(s.integer(HTTP_MAX_HEADER_SIZE))
                .maxUrlLength(s.integer(HTTP_MAX_URL_LENGTH))
                .maxBodySize(s.integer(HTTP_MAX_BODY_SIZE))
                .bodyBudget(s.longValue(HTTP_BODY_BUDGET))
                .build();
    }

    /** Beyond v1: {@code client_queue_budget} in bytes, 0 for a quarter of the heap; a negative one is an error. */
    private static long clientQueueBudget(ConfigSources s) {
        long v = s.longValue(CLIENT_QUEUE_BUDGET);
        if (v < 0) {
            throw new ConfigException("config error: " + CLIENT_QUEUE_BUDGET.key() + ": expected 0 (a quarter of the "
                    + "heap) or a positive number of bytes, got " + v);
        }
        return v;
    }

    /** Beyond v1: {@code netty_transport}; whether it can run here is checked at startup, not by checkconfig. */
    private static NettyTransport nettyTransport(ConfigSources s) {
        String v = s.string(NETTY_TRANSPORT);
        return NettyTransport.of(v).orElseThrow(() -> new ConfigException("config error: " + NETTY_TRANSPORT.key()
                + ": expected one of " + NettyTransport.keys() + ", got \"" + v + "\""));
    }

    /** A number of seconds where 0 turns the limit off; a negative one is a config error naming the key. */
    private static int nonNegative(ConfigSources s, ConfigKey key) {
        int v = s.integer(key);
        if (v < 0) {
            throw new ConfigException("config error: " + key.key() + ": expected 0 (off) or a positive number, got " + v);
        }
        return v;
    }

    private static LoginThrottleConfig loginThrottle(ConfigSources s) {
        try {
            return LoginThrottleConfig.builder()
                    .firstDelayMillis(s.integer(ADMIN_AUTH_DELAY_MS))
                    .maxDelayMillis(s.integer(ADMIN_AUTH_MAX_DELAY_MS))
                    .failuresPerSecond(s.integer(ADMIN_AUTH_MAX_FAILURES_PER_SECOND))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("config error: " + ADMIN_AUTH_DELAY_MS.key() + ", " + ADMIN_AUTH_MAX_DELAY_MS.key()
                    + ", " + ADMIN_AUTH_MAX_FAILURES_PER_SECOND.key() + ": " + e.getMessage());
        }
    }

    /** Ports stay strings like v1's, but must be a number Netty can bind; {@code api_port}/{@code admin_port} may be empty. */
    private static String port(ConfigSources s, ConfigKey key, boolean emptyAllowed) {
        String p = s.string(key).trim();
        if (p.isEmpty() && emptyAllowed) {
            return p;
        }
        try {
            int n = Integer.parseInt(p);
            if (n >= 0 && n <= 65535) {
                return p;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ConfigException("config error: " + key.key() + ": expected a port number from 0 to 65535, got \""
                + p + "\"");
    }
}
