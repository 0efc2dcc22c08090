package dev.rotor.engine.redis;

import dev.rotor.engine.EngineShard;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisAdvancedClusterAsyncCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The Redis engine on a Redis Cluster ({@code redis_cluster_addrs}, beyond v1): commands go through Lettuce's
 * cluster client, which sends each to the master of its key's slot and follows MOVED and ASK redirections; the
 * topology is refreshed every {@value #REFRESH_SECONDS} s and at once on redirections and reconnects (one at a time:
 * {@link SerialRefresh}). PUB/SUB is sharded (SPUBLISH, SSUBSCRIBE; Redis 7): a message goes only to the master of
 * its channel's slot, and {@link ClusterSubscriptions} keeps each subscription on that master. The keys and channels
 * of a Rotor channel share a hash tag ({@link RedisNames}), so the publish script may SPUBLISH in the same call as it
 * writes history.
 * Publications and the commands that must know the server that runs them (recovery reads, WAIT) go to each master
 * over {@link ClusterMasters}' links instead of the cluster connection. Thread-safe.
 */
final class ClusterBackend implements RedisBackend {
    static final long REFRESH_SECONDS = 1;
    /** The most the close waits for refreshes and the cluster connection, of the engine's 3 s. */
    private static final long CLOSE_WAIT_MILLIS = 250;

    private final RedisClusterConfig config;
    private final RedisClusterClient client;
    /** Opens the per-master links ({@link ClusterMasters}) and the API queue's blocking connections. */
    private final RedisClient nodeClient;
    /**
     * Opens the per-master PUB/SUB connections, in RESP3. Under RESP2 Lettuce (6.8) tells a PUB/SUB message from the
     * reply of a pending command only for {@code message} and {@code pmessage}: an {@code smessage} that arrives
     * while a PING probe or an SSUBSCRIBE is waiting for its reply is taken as that reply, and the message is lost
     * (the chaos suite caught one). RESP3 frames every push as a push. Sharded PUB/SUB needs Redis 7, which speaks
     * RESP3; the links stay on RESP2, whose script replies the engine decodes.
     */
    private final RedisClient pubsubClient;
    /** The refreshes the links and subscriptions ask for (redirections, lost links): one at a time. */
    private final SerialRefresh refresh;
    private final ScheduledExecutorService scheduler;
    private final Duration commandTimeout;
    private final int waitReplicas;
    private final Duration waitTimeout;
    private volatile StatefulRedisClusterConnection<byte[], byte[]> commands; // null until connected
    private volatile ClusterSubscriptions subscriptions; // null until connect
    private volatile ClusterMasters masters; // null until connect
    private volatile ScheduledFuture<?> reconcile; // null until connected

    ClusterBackend(RedisClusterConfig config, RedisEngineConfig engineConfig, ClientResources resources,
            ScheduledExecutorService scheduler) {
        this.config = config;
        this.scheduler = scheduler;
        this.commandTimeout = engineConfig.commandTimeout();
        this.waitReplicas = engineConfig.waitReplicas();
        this.waitTimeout = engineConfig.waitTimeout();
        List<RedisURI> seeds = new ArrayList<>();
        for (RedisShardConfig.Address a : config.seeds()) {
            seeds.add(uri(a.host(), a.port(), config.password(), commandTimeout));
        }
        this.client = RedisClusterClient.create(resources, seeds);
        ClusterClientOptions.Builder options = LettuceOptions.shared(ClusterClientOptions.builder(), engineConfig,
                true, TimeoutOptions.enabled(commandTimeout));
        this.client.setOptions(options
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(REFRESH_SECONDS))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .protocolVersion(ProtocolVersion.RESP2)
                .build());
        this.nodeClient = nodeClient(resources, engineConfig, ProtocolVersion.RESP2);
        this.pubsubClient = nodeClient(resources, engineConfig, ProtocolVersion.RESP3);
        this.refresh = new SerialRefresh(client::refreshPartitionsAsync);
    }

    /** A client for connections to one node that do not reconnect (their owners re-place them instead). */
    private RedisClient nodeClient(ClientResources resources, RedisEngineConfig engineConfig,
            ProtocolVersion protocol) {
        RedisClient c = RedisClient.create(resources);
        // no reconnect: ClusterSubscriptions and ClusterMasters re-place on the current master
        c.setOptions(LettuceOptions.shared(ClientOptions.builder(), engineConfig, false,
                TimeoutOptions.enabled(commandTimeout)).protocolVersion(protocol).build());
        return c;
    }

    @Override
    public CompletionStage<Void> connect(byte[][] alwaysOn, BiConsumer<String, byte[]> onMessage,
            SubscriptionEvents events) {
        // Lettuce connects a cluster asynchronously only once it knows the topology.
        return client.refreshPartitionsAsync()
                .thenCompose(v -> client.connectAsync(ByteArrayCodec.INSTANCE))
                .thenCompose(conn -> {
                    commands = conn;
                    ClusterSubscriptions subs = new ClusterSubscriptions(pubsubClient, client::getPartitions,
                            refresh, config.password(), commandTimeout, onMessage,
                            events);
                    subscriptions = subs;
                    ClusterMasters links = new ClusterMasters(nodeClient, client::getPartitions,
                            refresh, config.password(), commandTimeout, waitReplicas,
                            waitTimeout);
                    masters = links;
                    RedisConnectionStateListener drops = new RedisConnectionStateListener() {
                        @Override
                        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                            subs.lost(connection);
                            links.lost(connection);
                        }

                        @Override
                        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                            // node connections never reconnect; nothing to do
                        }
                    };
                    nodeClient.addListener(drops);
                    pubsubClient.addListener(drops);
                    subs.reconcile(); // opens a PUB/SUB connection to every master
                    masters.reconcile(); // and a link to each
                    List<CompletableFuture<Void>> subscribed = new ArrayList<>();
                    for (byte[] channel : alwaysOn) {
                        subscribed.add(subs.subscribeAlwaysOn(channel).toCompletableFuture());
                    }
                    return CompletableFuture.allOf(subscribed.toArray(CompletableFuture[]::new));
                })
                .thenRun(() -> {
                    try {
                        reconcile = scheduler.scheduleWithFixedDelay(this::reconcile,
                                ClusterSubscriptions.RECONCILE_MILLIS, ClusterSubscriptions.RECONCILE_MILLIS,
                                TimeUnit.MILLISECONDS);
                    } catch (RejectedExecutionException closing) {
                        // the engine closed meanwhile
                    }
                })
                .whenComplete((v, e) -> {
                    if (e != null) {
                        closeAsync();
                    }
                });
    }

    private void reconcile() {
        subscriptions.reconcile();
        masters.reconcile();
    }

    @Override
    public <T> CompletionStage<T> onMaster(byte[] key, Function<MasterConnection, CompletionStage<T>> command) {
        ClusterMasters m = masters;
        return m == null ? notConnected() : m.run(key, command);
    }

    @Override
    public RedisAdvancedClusterAsyncCommands<byte[], byte[]> async() {
        StatefulRedisClusterConnection<byte[], byte[]> c = commands;
        if (c == null) {
            throw new IllegalStateException("Redis Cluster is not connected");
        }
        return c.async();
    }

    /** SPUBLISH on the link to the channel's master, which also carries the channel's scripts (one order). */
    @Override
    public CompletionStage<Long> publish(byte[] redisChannel, byte[] payload) {
        ClusterMasters m = masters;
        return m == null ? notConnected() : m.run(redisChannel, link -> link.spublish(redisChannel, payload));
    }

    @Override
    public <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args) {
        Scripts.Text s = script.text(true);
        try {
            return RedisBackend.eval(async(), s.sha(), s.source(), type, keys, args);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public CompletionStage<Void> subscribe(String channel, byte[]... redisChannels) {
        ClusterSubscriptions subs = subscriptions;
        return subs == null ? notConnected() : subs.subscribe(channel, redisChannels);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String channel, byte[]... redisChannels) {
        ClusterSubscriptions subs = subscriptions;
        return subs == null ? notConnected() : subs.unsubscribe(channel, redisChannels);
    }

    private static <T> CompletionStage<T> notConnected() {
        return CompletableFuture.failedFuture(new IllegalStateException("Redis Cluster is not connected"));
    }

    /** {@code PUBSUB SHARDCHANNELS pattern} on every master, concatenated. */
    @Override
    public CompletionStage<List<byte[]>> pubsubChannels(byte[] pattern) {
        try {
            return async().upstream().commands().pubsubShardChannels(pattern).thenApply(perMaster -> {
                List<byte[]> all = new ArrayList<>();
                perMaster.forEach(all::addAll);
                return all;
            });
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** A connection to the master that owns {@code key}'s slot now; after a failover the caller connects again. */
    @Override
    public CompletionStage<StatefulRedisConnection<byte[], byte[]>> connectDedicated(byte[] key) {
        RedisClusterNode master = client.getPartitions().getMasterBySlot(SlotHash.getSlot(key));
        if (master == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("no Redis Cluster master serves "
                    + new String(key, StandardCharsets.UTF_8)));
        }
        return nodeClient.connectAsync(ByteArrayCodec.INSTANCE, uri(master.getUri().getHost(),
                master.getUri().getPort(), config.password(), commandTimeout));
    }

    /** The URI of one cluster node. */
    static RedisURI uri(String host, int port, String password, Duration timeout) {
        RedisURI.Builder b = RedisURI.Builder.redis(host, port).withTimeout(timeout);
        if (!password.isEmpty()) {
            b.withPassword(password.toCharArray());
        }
        return b.build();
    }

    @Override
    public boolean healthy() {
        StatefulRedisClusterConnection<byte[], byte[]> c = commands;
        ClusterSubscriptions subs = subscriptions;
        return c != null && subs != null && c.isOpen() && subs.healthy(client.getPartitions());
    }

    /**
     * One entry per master that owns slots, ordered by its lowest slot and named by its slot ranges: a failover
     * promotes a replica with the same slots, so entry {@code i} and its name stay the same while the master behind
     * it changes (the metrics bind their labels once).
     */
    @Override
    public List<EngineShard> states() {
        ClusterSubscriptions subs = subscriptions;
        StatefulRedisClusterConnection<byte[], byte[]> c = commands;
        if (subs == null || c == null) {
            return List.of(new EngineShard(0, config.describe(), false, 0, 0));
        }
        List<RedisClusterNode> masters = new ArrayList<>();
        for (RedisClusterNode n : client.getPartitions()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty()) {
                masters.add(n);
            }
        }
        masters.sort(java.util.Comparator.comparingInt(n -> java.util.Collections.min(n.getSlots())));
        List<EngineShard> out = new ArrayList<>(masters.size());
        for (RedisClusterNode n : masters) {
            String address = ClusterSubscriptions.address(n);
            out.add(new EngineShard(out.size(), "cluster slots " + ranges(n.getSlots()),
                    c.isOpen() && subs.up(address, n), subs.recoveries(address), subs.channels(address)));
        }
        return out;
    }

    /** {@code 0-5460} or {@code 0-99,200-300} for a list of slots. */
    static String ranges(List<Integer> slots) {
        List<Integer> sorted = new ArrayList<>(slots);
        sorted.sort(null);
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < sorted.size()) {
            int from = sorted.get(i);
            int to = from;
            while (i + 1 < sorted.size() && sorted.get(i + 1) == to + 1) {
                to = sorted.get(++i);
            }
            i++;
            b.append(b.length() == 0 ? "" : ",").append(from).append(from == to ? "" : "-" + to);
        }
        return b.toString();
    }

    /** False while the master of {@code key}'s slot is known not to answer (its PING probe, per master). */
    @Override
    public boolean answering(byte[] key) {
        ClusterSubscriptions subs = subscriptions;
        return subs == null || subs.answering(key);
    }

    @Override
    public void probe(Duration timeout) {
        ClusterSubscriptions subs = subscriptions;
        if (subs != null) {
            subs.probe(timeout);
        }
    }

    @Override
    public String describe() {
        return config.describe();
    }

    /**
     * Asked on {@link ClusterMasters}' links: Lettuce's cluster connection would open a connection of its own to every
     * master for it, on demand, kept until the engine closes (and once reported by Netty's leak detector, as the
     * engine closed while they opened).
     */
    @Override
    public CompletionStage<Map<String, String>> memoryInfo() {
        ClusterMasters m = masters;
        return m == null ? notConnected() : m.memoryInfo();
    }

    /**
     * Completes once no topology refresh of Lettuce's own (periodic or adaptive) runs, polled every 10 ms, or after
     * {@code millis}.
     */
    private CompletableFuture<Void> lettuceRefreshDone(long millis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        pollRefresh(done, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis));
        return done;
    }

    private void pollRefresh(CompletableFuture<Void> done, long deadline) {
        if (!client.isTopologyRefreshInProgress() || System.nanoTime() - deadline >= 0) {
            done.complete(null);
        } else {
            CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS).execute(() -> pollRefresh(done, deadline));
        }
    }

    /** Replies by which masters refused a command of a moving slot, whether it was sent again or not (for tests). */
    long redirects() {
        ClusterMasters m = masters;
        return m == null ? 0 : m.redirects();
    }

    /** Whether a topology refresh of Lettuce's own runs now (for tests). */
    boolean lettuceRefreshInProgress() {
        return client.isTopologyRefreshInProgress();
    }

    @Override
    public CompletableFuture<Void> closeAsync() {
        client.suspendTopologyRefresh(); // Lettuce's periodic refresh starts no new round; one running is waited for
        ScheduledFuture<?> r = reconcile;
        if (r != null) {
            r.cancel(false);
        }
        ClusterSubscriptions subs = subscriptions;
        if (subs != null) {
            subs.close();
        }
        ClusterMasters m = masters;
        if (m != null) {
            m.close();
        }
        // A refresh still running, the engine's or Lettuce's own, would fail against clients shut down under it, and
        // say so in the log; they are waited for at most 250 ms of the 3 s the engine's close waits in all. The
        // cluster connection is closed before its client: the client's shutdown otherwise closes it and then each of
        // its node connections again, warning that each was already closed.
        StatefulRedisClusterConnection<byte[], byte[]> c = commands;
        CompletableFuture<Void> connection = c == null ? CompletableFuture.completedFuture(null) : c.closeAsync();
        return CompletableFuture.allOf(refresh.close(), connection, lettuceRefreshDone(CLOSE_WAIT_MILLIS))
                .completeOnTimeout(null, CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenCompose(v -> CompletableFuture.allOf(client.shutdownAsync(0, 2, TimeUnit.SECONDS),
                        nodeClient.shutdownAsync(0, 2, TimeUnit.SECONDS),
                        pubsubClient.shutdownAsync(0, 2, TimeUnit.SECONDS)));
    }
}
