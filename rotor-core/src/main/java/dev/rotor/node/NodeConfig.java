package dev.rotor.node;

import dev.rotor.auth.JwtKeys;
import dev.rotor.channel.ChannelNaming;
import dev.rotor.channel.ChannelOptions;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a node needs that a SIGHUP may change (configuration.md §3.1–3.4, §7). Immutable and thread-safe;
 * a reload swaps in a new instance. Durations are whole seconds, sizes bytes, exactly like v1's keys.
 */
public final class NodeConfig {
    private final String name;
    private final String version;
    private final String secret;
    private final boolean insecure;
    private final boolean insecureApi;
    private final boolean insecureAdmin;
    private final String apiKey;
    /** As configured: an empty HMAC secret means "use {@code secret}". */
    private final JwtKeys jwtKeys;
    /** {@link #jwtKeys} with the HMAC secret resolved. */
    private final JwtKeys resolvedJwtKeys;
    private final boolean admin;
    private final boolean web;
    private final String adminPassword;
    private final String adminSecret;
    private final int connectionLifetime;
    private final int expiredConnectionCloseDelay;
    private final int staleConnectionCloseDelay;
    private final int pingInterval;
    private final int clientMessageWriteTimeout;
    private final int clientRequestMaxSize;
    private final long clientQueueMaxSize;
    private final int clientQueueInitialCapacity;
    /** Beyond v1: {@code client_queue_budget} in bytes, 0 for {@link ClientQueueBudget#defaultBudget()}. */
    private final long clientQueueBudget;
    private final int clientChannelLimit;
    private final int userConnectionLimit;
    private final int maxChannelLength;
    private final int presencePingInterval;
    private final int presenceExpireInterval;
    private final int nodePingInterval;
    private final int nodeMetricsInterval;
    private final ChannelNaming naming;
    private final ChannelOptions topLevel;
    private final Map<String, ChannelOptions> namespaces;

    private NodeConfig(Builder b) {
        this.name = Objects.requireNonNull(b.name, "name");
        this.version = Objects.requireNonNull(b.version, "version");
        this.secret = Objects.requireNonNull(b.secret, "secret");
        this.insecure = b.insecure;
        this.insecureApi = b.insecureApi;
        this.insecureAdmin = b.insecureAdmin;
        this.apiKey = Objects.requireNonNull(b.apiKey, "apiKey");
        this.jwtKeys = Objects.requireNonNull(b.jwtKeys, "jwtKeys");
        this.resolvedJwtKeys = jwtKeys.hmacSecret().isEmpty() ? jwtKeys.withHmacSecret(secret) : jwtKeys;
        this.admin = b.admin;
        this.web = b.web;
        this.adminPassword = Objects.requireNonNull(b.adminPassword, "adminPassword");
        this.adminSecret = Objects.requireNonNull(b.adminSecret, "adminSecret");
        this.connectionLifetime = b.connectionLifetime;
        this.expiredConnectionCloseDelay = b.expiredConnectionCloseDelay;
        this.staleConnectionCloseDelay = b.staleConnectionCloseDelay;
        this.pingInterval = b.pingInterval;
        this.clientMessageWriteTimeout = b.clientMessageWriteTimeout;
        this.clientRequestMaxSize = b.clientRequestMaxSize;
        this.clientQueueMaxSize = b.clientQueueMaxSize;
        this.clientQueueInitialCapacity = b.clientQueueInitialCapacity;
        if (b.clientQueueBudget < 0) {
            throw new IllegalArgumentException("client_queue_budget must be 0 (a quarter of the heap) or positive, got "
                    + b.clientQueueBudget);
        }
        this.clientQueueBudget = b.clientQueueBudget;
        this.clientChannelLimit = b.clientChannelLimit;
        this.userConnectionLimit = b.userConnectionLimit;
        this.maxChannelLength = b.maxChannelLength;
        this.presencePingInterval = b.presencePingInterval;
        this.presenceExpireInterval = b.presenceExpireInterval;
        this.nodePingInterval = b.nodePingInterval;
        this.nodeMetricsInterval = b.nodeMetricsInterval;
        this.naming = Objects.requireNonNull(b.naming, "naming");
        this.topLevel = Objects.requireNonNull(b.topLevel, "topLevel");
        this.namespaces = Collections.unmodifiableMap(new LinkedHashMap<>(b.namespaces));
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name; b.version = version; b.secret = secret; b.insecure = insecure; b.insecureApi = insecureApi;
        b.insecureAdmin = insecureAdmin; b.apiKey = apiKey; b.jwtKeys = jwtKeys; b.admin = admin; b.web = web; b.adminPassword = adminPassword;
        b.adminSecret = adminSecret; b.connectionLifetime = connectionLifetime;
        b.expiredConnectionCloseDelay = expiredConnectionCloseDelay;
        b.staleConnectionCloseDelay = staleConnectionCloseDelay; b.pingInterval = pingInterval;
        b.clientMessageWriteTimeout = clientMessageWriteTimeout; b.clientRequestMaxSize = clientRequestMaxSize;
        b.clientQueueMaxSize = clientQueueMaxSize; b.clientQueueInitialCapacity = clientQueueInitialCapacity;
        b.clientQueueBudget = clientQueueBudget;
        b.clientChannelLimit = clientChannelLimit; b.userConnectionLimit = userConnectionLimit;
        b.maxChannelLength = maxChannelLength; b.presencePingInterval = presencePingInterval;
        b.presenceExpireInterval = presenceExpireInterval; b.nodePingInterval = nodePingInterval;
        b.nodeMetricsInterval = nodeMetricsInterval; b.naming = naming; b.topLevel = topLevel;
        b.namespaces = new LinkedHashMap<>(namespaces);
        return b;
    }

    /**
     * Options for a channel: the top level when it has no namespace, the namespace's own options otherwise,
     * or null when the namespace is not configured ({@code namespace not found}).
     */
    public ChannelOptions channelOptions(String channel) {
        String ns = naming.namespaceOf(channel);
        if (ns.isEmpty()) {
            return topLevel;
        }
        return namespaces.get(ns);
    }

    public String name() { return name; }
    /** Server version reported to clients and in stats, e.g. {@code 1.8.0}-compatible Rotor version. */
    public String version() { return version; }
    public String secret() { return secret; }
    public boolean insecure() { return insecure; }
    public boolean insecureApi() { return insecureApi; }
    public boolean insecureAdmin() { return insecureAdmin; }
    /** Beyond v1: the key of the {@code Authorization: apikey} API dialect; empty means that dialect is refused. */
    public String apiKey() { return apiKey; }
    /** Beyond v1: keys for JWT tokens; the HMAC key is {@code token_hmac_secret_key}, else {@code secret}. */
    public JwtKeys jwtKeys() { return resolvedJwtKeys; }
    public boolean admin() { return admin; }
    public boolean web() { return web; }
    public String adminPassword() { return adminPassword; }
    public String adminSecret() { return adminSecret; }
    public int connectionLifetime() { return connectionLifetime; }
    public int expiredConnectionCloseDelay() { return expiredConnectionCloseDelay; }
    public int staleConnectionCloseDelay() { return staleConnectionCloseDelay; }
    public int pingInterval() { return pingInterval; }
    public int clientMessageWriteTimeout() { return clientMessageWriteTimeout; }
    public int clientRequestMaxSize() { return clientRequestMaxSize; }
    public long clientQueueMaxSize() { return clientQueueMaxSize; }
    public int clientQueueInitialCapacity() { return clientQueueInitialCapacity; }
    /** {@code client_queue_budget}: the bytes all client queues may count together; 0 for the default. */
    public long clientQueueBudget() { return clientQueueBudget; }
    public int clientChannelLimit() { return clientChannelLimit; }
    public int userConnectionLimit() { return userConnectionLimit; }
    public int maxChannelLength() { return maxChannelLength; }
    public int presencePingInterval() { return presencePingInterval; }
    public int presenceExpireInterval() { return presenceExpireInterval; }
    public int nodePingInterval() { return nodePingInterval; }
    public int nodeMetricsInterval() { return nodeMetricsInterval; }
    public ChannelNaming naming() { return naming; }
    public ChannelOptions topLevel() { return topLevel; }
    /** Namespace name → options, in configuration order. */
    public Map<String, ChannelOptions> namespaces() { return namespaces; }

    /** Builder with v1.8.0 defaults (configuration.md §3); not thread-safe. */
    public static final class Builder {
        private String name = "rotor";
        private String version = "1.8.0";
        private String secret = "";
        private boolean insecure;
        private boolean insecureApi;
        private boolean insecureAdmin;
        private String apiKey = "";
        private JwtKeys jwtKeys = JwtKeys.NONE;
        private boolean admin;
        private boolean web;
        private String adminPassword = "";
        private String adminSecret = "";
        private int connectionLifetime = 0;
        private int expiredConnectionCloseDelay = 25;
        private int staleConnectionCloseDelay = 25;
        private int pingInterval = 25;
        private int clientMessageWriteTimeout = 0;
        private int clientRequestMaxSize = 65536;
        private long clientQueueMaxSize = 10485760;
        private int clientQueueInitialCapacity = 2;
        private long clientQueueBudget;
        private int clientChannelLimit = 128;
        private int userConnectionLimit = 0;
        private int maxChannelLength = 255;
        private int presencePingInterval = 25;
        private int presenceExpireInterval = 60;
        private int nodePingInterval = 3;
        private int nodeMetricsInterval = 60;
        private ChannelNaming naming = ChannelNaming.DEFAULT;
        private ChannelOptions topLevel = ChannelOptions.NONE;
        private Map<String, ChannelOptions> namespaces = new LinkedHashMap<>();

        public Builder name(String v) { name = v; return this; }
        public Builder version(String v) { version = v; return this; }
        public Builder secret(String v) { secret = v; return this; }
        public Builder insecure(boolean v) { insecure = v; return this; }
        public Builder insecureApi(boolean v) { insecureApi = v; return this; }
        public Builder insecureAdmin(boolean v) { insecureAdmin = v; return this; }
        public Builder apiKey(String v) { apiKey = v; return this; }
        public Builder jwtKeys(JwtKeys v) { jwtKeys = v; return this; }
        public Builder admin(boolean v) { admin = v; return this; }
        public Builder web(boolean v) { web = v; return this; }
        public Builder adminPassword(String v) { adminPassword = v; return this; }
        public Builder adminSecret(String v) { adminSecret = v; return this; }
        public Builder connectionLifetime(int v) { connectionLifetime = v; return this; }
        public Builder expiredConnectionCloseDelay(int v) { expiredConnectionCloseDelay = v; return this; }
        public Builder staleConnectionCloseDelay(int v) { staleConnectionCloseDelay = v; return this; }
        public Builder pingInterval(int v) { pingInterval = v; return this; }
        public Builder clientMessageWriteTimeout(int v) { clientMessageWriteTimeout = v; return this; }
        public Builder clientRequestMaxSize(int v) { clientRequestMaxSize = v; return this; }
        public Builder clientQueueMaxSize(long v) { clientQueueMaxSize = v; return this; }
        public Builder clientQueueInitialCapacity(int v) { clientQueueInitialCapacity = v; return this; }
        public Builder clientQueueBudget(long v) { clientQueueBudget = v; return this; }
        public Builder clientChannelLimit(int v) { clientChannelLimit = v; return this; }
        public Builder userConnectionLimit(int v) { userConnectionLimit = v; return this; }
        public Builder maxChannelLength(int v) { maxChannelLength = v; return this; }
        public Builder presencePingInterval(int v) { presencePingInterval = v; return this; }
        public Builder presenceExpireInterval(int v) { presenceExpireInterval = v; return this; }
        public Builder nodePingInterval(int v) { nodePingInterval = v; return this; }
        public Builder nodeMetricsInterval(int v) { nodeMetricsInterval = v; return this; }
        public Builder naming(ChannelNaming v) { naming = v; return this; }
        public Builder topLevel(ChannelOptions v) { topLevel = v; return this; }
        public Builder namespaces(Map<String, ChannelOptions> v) { namespaces = new LinkedHashMap<>(v); return this; }
        public Builder namespace(String nsName, ChannelOptions options) { namespaces.put(nsName, options); return this; }

        public NodeConfig build() {
            return new NodeConfig(this);
        }
    }
}
