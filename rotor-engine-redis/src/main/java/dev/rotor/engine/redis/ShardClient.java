package dev.rotor.engine.redis;

import dev.rotor.engine.EngineShard;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StatefulRedisConnectionImpl;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.output.BooleanOutput;
import io.lettuce.core.output.CommandOutput;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.output.ObjectOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.output.ValueOutput;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.Command;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one Redis shard: one command connection (Lettuce pipelines every command sent on it, in
 * order; publications and scripts issued inside a {@link CommandBatch} go out together in one write) and one
 * dedicated PUB/SUB connection, which speaks RESP3 where the server has it (see {@link #pubsubClient}). Both
 * reconnect by themselves; Lettuce re-subscribes every channel in one command
 * after a reconnect, and this class then reports the channels whose messages may have been lost. With
 * {@code redis_wait_replicas} a third, dedicated connection carries the publications with history and their WAIT
 * ({@link ReplicaWait}). Thread-safe.
 */
final class ShardClient implements RedisBackend, MasterConnection, CommandBatch.Target, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardClient.class);
    private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;
    /** Pause before sending the re-subscription again when its SUBSCRIBE failed on an open connection. */
    private static final long RESUBSCRIBE_RETRY_MILLIS = 500;
    private final int index;
    private final RedisShardConfig config;
    private final RedisURI uri;
    private final RedisClient client;
    /**
     * Opens the PUB/SUB connection, in RESP3 where the server has it (Redis 6 and later; HELLO, else RESP2). Under
     * RESP2 Redis answers the health probe's PING on a subscribed connection with a PUB/SUB-shaped
     * {@code ["pong", ""]}, and Lettuce (6.8) took it for the reply of a SUBSCRIBE still waiting on the connection,
     * which then failed and closed its client ({@code RedisPubSubProbeIT}). RESP3 frames every push as a push. On a
     * RESP2 server the probe is skipped ({@link #probe}). The command connections stay on RESP2, whose script
     * replies the engine decodes.
     */
    private final RedisClient pubsubClient;
    private final ClientResources resources;
    /** {@code redis_read_timeout}: how long a command may wait for its reply. */
    private final Duration commandTimeout;
    /** Centrifugo channels with a Redis subscription on this shard (what a reconnect must restore). */
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final SubscriptionBatcher batcher = new SubscriptionBatcher(this::sendSubscription);
    private volatile StatefulRedisConnection<byte[], byte[]> commands; // null until connected
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubsub; // null until connected
    /** Set while the last PING on the PUB/SUB connection failed or timed out (a silent network loss). */
    private volatile boolean probeFailing;
    /** {@link System#nanoTime()} when a PING probe last succeeded, or when the shard connected. */
    private volatile long answeredAtNanos = System.nanoTime();
    /** Set once the operator was told that the PUB/SUB connection speaks RESP2; cleared when it speaks RESP3 again. */
    private final AtomicBoolean resp2Reported = new AtomicBoolean();
    /** Set when the PUB/SUB connection dropped; cleared once it is back and re-subscribed. */
    private volatile boolean pubsubLost;
    /** Set when the command connection dropped; cleared once it is back. */
    private volatile boolean commandsLost;
    /** Times the command or PUB/SUB connection came back after a loss. */
    private final AtomicLong reconnects = new AtomicLong();
    /** Writes made by {@link #write}. */
    private final LongAdder writes = new LongAdder();
    /** The server behind each watched command connection (the shared one, and a WAIT connection if any). */
    private final Map<Object, ServerIdentity> identities = new ConcurrentHashMap<>();
    /** The server behind the command connection. */
    private final ServerIdentity identity = new ServerIdentity();
    /** {@code redis_wait_replicas} and {@code redis_wait_timeout}. */
    private final int waitReplicas;
    private final long waitTimeoutMillis;
    /** The WAIT connection; null until connected, and always when publications do not wait for replicas. */
    private volatile ReplicaWait replicaWait;

    ShardClient(int index, RedisShardConfig config, RedisEngineConfig engineConfig, ClientResources resources) {
        this.index = index;
        this.config = config;
        this.uri = uri(config, engineConfig);
        this.waitReplicas = engineConfig.waitReplicas();
        this.waitTimeoutMillis = engineConfig.waitTimeout().toMillis();
        this.client = RedisClient.create(resources, uri);
        this.pubsubClient = RedisClient.create(resources, uri);
        this.resources = resources;
        this.commandTimeout = engineConfig.commandTimeout();
        this.client.setOptions(options(engineConfig).protocolVersion(ProtocolVersion.RESP2).build());
        this.pubsubClient.setOptions(options(engineConfig).build()); // no version: HELLO 3, else RESP2
    }

    private static ClientOptions.Builder options(RedisEngineConfig engineConfig) {
        // one deadline per write for the commands of issue(), Lettuce's timer per command for the rest
        return LettuceOptions.shared(ClientOptions.builder(), engineConfig, true,
                WriteDeadline.timeoutOptions(engineConfig.commandTimeout()));
    }

    private static RedisURI uri(RedisShardConfig c, RedisEngineConfig e) {
        RedisURI.Builder b;
        if (c.sentinel()) {
            RedisShardConfig.Address first = c.sentinels().get(0);
            b = RedisURI.Builder.sentinel(first.host(), first.port(), c.masterName());
            for (RedisShardConfig.Address s : c.sentinels().subList(1, c.sentinels().size())) {
                b.withSentinel(s.host(), s.port());
            }
        } else {
            b = RedisURI.Builder.redis(c.host(), c.port());
        }
        b.withDatabase(c.db()).withTimeout(e.commandTimeout());
        if (!c.password().isEmpty()) {
            b.withPassword(c.password().toCharArray());
        }
        return b.build();
    }

    int index() {
        return index;
    }

    RedisShardConfig config() {
        return config;
    }

    /**
     * Opens both connections and subscribes to the always-on channels.
     *
     * @param onMessage     receives every PUB/SUB message (Redis channel, payload) on a Lettuce thread
     * @param events        told of a PUB/SUB loss and of the channels restored after the reconnect
     */
    @Override
    public CompletionStage<Void> connect(byte[][] alwaysOn, BiConsumer<String, byte[]> onMessage,
            SubscriptionEvents events) {
        Set<String> always = new HashSet<>();
        for (byte[] c : alwaysOn) {
            always.add(new String(c, StandardCharsets.UTF_8));
        }
        RedisConnectionStateListener states = new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                ServerIdentity id = identities.get(connection);
                if (id != null) {
                    id.disconnected();
                }
                if (connection == pubsub) {
                    pubsubLost = true;
                    events.lost(always);
                } else if (connection == commands) {
                    commandsLost = true;
                }
            }

            @Override
            @SuppressWarnings("unchecked")
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                ServerIdentity id = identities.get(connection);
                if (id != null) {
                    id.connected((StatefulRedisConnection<byte[], byte[]>) connection);
                }
                if (connection == pubsub && pubsubLost) {
                    reconnects.incrementAndGet();
                    resubscribe(alwaysOn, always, events);
                } else if (connection == commands && commandsLost) {
                    commandsLost = false;
                    reconnects.incrementAndGet();
                }
            }
        };
        client.addListener(states);
        pubsubClient.addListener(states);
        return client.connectAsync(ByteArrayCodec.INSTANCE, uri)
                .thenCompose(conn -> {
                    commands = conn;
                    watch(conn, identity);
                    return pubsubClient.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri);
                })
                .thenCompose(ps -> {
                    ps.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(byte[] channel, byte[] message) {
                            String name = new String(channel, StandardCharsets.UTF_8);
                            if (pubsubLost && !always.contains(name)) {
                                // After a reconnect Lettuce re-subscribes by itself before our SUBSCRIBE's reply
                                // reports the channels lost: a message in between is newer than the gap and would
                                // reach subscribers before they are told of it (a client whose last passed the gap
                                // would then recover without it). Dropped: the report closes those subscribers,
                                // and their recovery reads it from history. Same event loop as the reply.
                                return;
                            }
                            onMessage.accept(name, message);
                        }
                    });
                    pubsub = ps;
                    probeable(); // tells the operator at start if the server has no RESP3
                    return ps.async().subscribe(alwaysOn);
                })
                .thenCompose(v -> loadScripts())
                .thenCompose(v -> openReplicaWait())
                .whenComplete((v, e) -> {
                    if (e != null) {
                        close();
                    }
                });
    }

    /**
     * Subscribes again, explicitly, to everything (Lettuce re-subscribed on its own already; repeating SUBSCRIBE
     * is harmless and tells us when it is done), then reports the channels to the engine.
     */
    private void resubscribe(byte[][] alwaysOn, Set<String> always, SubscriptionEvents events) {
        Set<String> channels = Set.copyOf(subscribed);
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        if (ps == null) {
            return;
        }
        ps.async().subscribe(alwaysOn).whenComplete((v, e) -> {
            if (e == null) {
                pubsubLost = false;
                probeable(); // a reconnect may have reached another server (Sentinel): tells if it lacks RESP3
                events.restored(channels, always);
            } else if (ps.isOpen()) {
                // no reply in time on an open connection: try again (a drop calls this again on reconnect)
                CompletableFuture.delayedExecutor(RESUBSCRIBE_RETRY_MILLIS, TimeUnit.MILLISECONDS)
                        .execute(() -> resubscribe(alwaysOn, always, events));
            }
        });
    }

    /** Opens the dedicated WAIT connection when publications wait for replicas (see {@link ReplicaWait}). */
    private CompletionStage<Void> openReplicaWait() {
        if (waitReplicas == 0) {
            return CompletableFuture.completedFuture(null);
        }
        return client.connectAsync(ByteArrayCodec.INSTANCE, uri).thenAccept(c -> {
            ServerIdentity waitIdentity = new ServerIdentity();
            watch(c, waitIdentity);
            replicaWait = new ReplicaWait(c, waitIdentity, false, waitReplicas, waitTimeoutMillis);
        });
    }

    private CompletionStage<Void> loadScripts() {
        CompletableFuture<?>[] loads = new CompletableFuture<?>[Scripts.values().length];
        for (Scripts s : Scripts.values()) {
            loads[s.ordinal()] = commands.async().scriptLoad(s.source).toCompletableFuture();
        }
        return CompletableFuture.allOf(loads);
    }

    /**
     * The command connection's commands, for commands that are not held back in a {@link CommandBatch}. Inside a
     * batch, what the thread held back for this shard is sent first, so the shard still sees the thread's call order.
     */
    @Override
    public RedisAsyncCommands<byte[], byte[]> async() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        if (c == null) {
            throw new IllegalStateException("Redis shard " + index + " is not connected");
        }
        CommandBatch batch = CommandBatch.current();
        if (batch != null) {
            batch.sendNow(this);
        }
        return c.async();
    }

    /** {@code PUBLISH channel payload}; held back in the thread's {@link CommandBatch} if it has one. */
    @Override
    public CompletionStage<Long> publish(byte[] channel, byte[] payload) {
        return issue(new Command<>(CommandType.PUBLISH, new IntegerOutput<>(CODEC),
                new CommandArgs<>(CODEC).addKey(channel).addValue(payload)));
    }

    /**
     * Runs a script by SHA ({@code EVALSHA}, held back in the thread's {@link CommandBatch} if it has one), loading
     * it again with {@code EVAL} when Redis lost it (SCRIPT FLUSH or restart).
     */
    @Override
    public <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args) {
        CompletableFuture<T> result = new CompletableFuture<>();
        this.<T>issue(evalsha(script.sha, type, keys, args))
                .whenComplete((v, e) -> {
                    if (e == null) {
                        result.complete(v);
                    } else if (unwrap(e) instanceof RedisNoScriptException) {
                        RedisAsyncCommands<byte[], byte[]> async;
                        try {
                            async = async();
                        } catch (IllegalStateException notConnected) {
                            result.completeExceptionally(notConnected);
                            return;
                        }
                        async.<T>eval(script.source, type, keys, args).whenComplete((v2, e2) -> {
                            if (e2 == null) {
                                result.complete(v2);
                            } else {
                                result.completeExceptionally(unwrap(e2));
                            }
                        });
                    } else {
                        result.completeExceptionally(unwrap(e));
                    }
                });
        return result;
    }

    /** {@code EVALSHA sha numkeys key... arg...}, with the reply type Lettuce's own {@code evalsha} uses for {@code type}. */
    static <T> Command<byte[], byte[], T> evalsha(String sha, ScriptOutputType type, byte[][] keys, byte[]... args) {
        return new Command<>(CommandType.EVALSHA, output(type),
                new CommandArgs<>(CODEC).add(sha).add(keys.length).addKeys(keys).addValues(args));
    }

    /** The reply type Lettuce's own {@code evalsha} uses for {@code type}. */
    @SuppressWarnings("unchecked")
    private static <T> CommandOutput<byte[], byte[], T> output(ScriptOutputType type) {
        return (CommandOutput<byte[], byte[], T>) switch (type) {
            case BOOLEAN -> new BooleanOutput<>(CODEC);
            case INTEGER -> new IntegerOutput<>(CODEC);
            case STATUS -> new StatusOutput<>(CODEC);
            case MULTI -> new NestedMultiOutput<>(CODEC);
            case VALUE -> new ValueOutput<>(CODEC);
            case OBJECT -> new ObjectOutput<>(CODEC);
        };
    }

    /** Holds {@code command} back in the thread's batch, or writes it now; the stage is the command's reply. */
    private <T> CompletionStage<T> issue(Command<byte[], byte[], T> command) {
        AsyncCommand<byte[], byte[], T> async = new WriteDeadline.Timed<>(command);
        CommandBatch batch = CommandBatch.current();
        if (batch != null) {
            batch.add(this, async);
        } else {
            fail(List.of(async), write(List.of(async)));
        }
        return async;
    }

    /**
     * Writes {@code batch} (commands made by {@link #issue}) to the command connection in one go (one flush), in
     * order, under one reply deadline ({@link WriteDeadline}). Returns why the connection refused it (not connected:
     * commands are rejected, not queued), or null; the caller fails the commands then.
     */
    @Override
    public RuntimeException write(List<? extends RedisCommand<byte[], byte[], ?>> batch) {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        if (c == null) {
            return new IllegalStateException("Redis shard " + index + " is not connected");
        }
        try {
            if (batch.size() == 1) {
                c.dispatch(batch.get(0));
            } else {
                c.dispatch(batch);
            }
            WriteDeadline.arm(resources, commandTimeout, batch);
            writes.increment();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /** Completes every command of {@code batch} with {@code refused}, unless that is null. */
    static void fail(List<? extends RedisCommand<byte[], byte[], ?>> batch, RuntimeException refused) {
        if (refused != null) {
            for (RedisCommand<byte[], byte[], ?> command : batch) {
                command.completeExceptionally(refused);
            }
        }
    }

    /** Writes of commands to the command connection by {@link #write} (a batch counts once), for tests. */
    long writes() {
        return writes.sum();
    }

    /** Subscribes the PUB/SUB connection (batched) and remembers {@code channel} for re-subscription reports. */
    @Override
    public CompletionStage<Void> subscribe(String channel, byte[]... redisChannels) {
        subscribed.add(channel);
        return batcher.submit(true, redisChannels);
    }

    @Override
    public CompletionStage<Void> unsubscribe(String channel, byte[]... redisChannels) {
        subscribed.remove(channel);
        return batcher.submit(false, redisChannels);
    }

    /** Sends one batched SUBSCRIBE or UNSUBSCRIBE; fails at once when not connected. */
    private CompletionStage<Void> sendSubscription(boolean subscribe, byte[][] redisChannels) {
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        if (ps == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis shard " + index
                    + " is not connected"));
        }
        return subscribe ? ps.async().subscribe(redisChannels) : ps.async().unsubscribe(redisChannels);
    }

    @Override
    public CompletionStage<List<byte[]>> pubsubChannels(byte[] pattern) {
        try {
            return async().pubsubChannels(pattern);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** True while both connections are up, the PUB/SUB subscriptions are in place and the last probe worked. */
    @Override
    public boolean healthy() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        return c != null && ps != null && c.isOpen() && ps.isOpen() && !pubsubLost && !probeFailing;
    }

    /**
     * False once the probe has had no answer for {@code redis_read_timeout}: every command sent since would have
     * timed out by now anyway, so refusing new ones costs nothing, and their bytes no longer pile up behind the
     * unanswered ones. A shorter stall changes nothing: publications wait and may still succeed late.
     */
    @Override
    public boolean answering(byte[] key) {
        return !probeFailing || System.nanoTime() - answeredAtNanos < commandTimeout.toNanos();
    }

    /** This shard's state for health checks and metrics. */
    EngineShard state() {
        return new EngineShard(index, config.describe(), healthy(), reconnects.get(), subscribed.size());
    }

    @Override
    public List<EngineShard> states() {
        return List.of(state());
    }

    @Override
    public String describe() {
        return config.describe();
    }

    @Override
    public CompletionStage<Map<String, String>> memoryInfo() {
        return async().info("memory").thenApply(info -> Map.of(describe(), info));
    }

    /**
     * Sends PING on the PUB/SUB connection: a connection that is open but gets no answer within {@code timeout}
     * (a network loss that did not close the socket) makes the shard unhealthy until a PING succeeds again. Only
     * under RESP3: under RESP2 the PING's reply can be taken for a pending SUBSCRIBE's (see {@link #pubsubClient}).
     */
    @Override
    public void probe(java.time.Duration timeout) {
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        if (ps == null || !ps.isOpen() || !probeable()) {
            return;
        }
        ps.async().ping().toCompletableFuture()
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((pong, e) -> {
                    probeFailing = e != null;
                    if (e == null) {
                        answeredAtNanos = System.nanoTime();
                    }
                });
    }

    /**
     * Whether the PUB/SUB connection speaks RESP3 and may be probed; asked after every connect and reconnect of it,
     * and before every probe. The first time it does not (at start, or after a reconnect that reached a server
     * without RESP3, such as an older Redis behind Sentinel) the operator is told once, until a RESP3 connection is
     * back.
     */
    private boolean probeable() {
        ProtocolVersion protocol = pubsubProtocol();
        if (protocol == ProtocolVersion.RESP3) {
            resp2Reported.set(false);
            return true;
        }
        if (protocol != null && resp2Reported.compareAndSet(false, true)) {
            log.warn("Redis shard {} ({}) has no RESP3 (Redis 5 or earlier): its PUB/SUB connection is not probed, "
                    + "so a network loss that leaves the socket open goes unnoticed until TCP keepalive ends it",
                    index, config.describe());
        }
        return false;
    }

    /** The protocol the PUB/SUB connection speaks; null until connected. */
    ProtocolVersion pubsubProtocol() {
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        return ps instanceof StatefulRedisConnectionImpl<?, ?> impl
                ? impl.getConnectionState().getNegotiatedProtocolVersion() : null;
    }

    /** The server behind the command connection (gap detection, see {@link ServerIdentity}). */
    @Override
    public ServerIdentity identity() {
        return identity;
    }

    /** The command connection: one shard holds every key, and its scripts run there ({@link #script}). */
    @Override
    public <T> CompletionStage<T> onMaster(byte[] key, Function<MasterConnection, CompletionStage<T>> command) {
        try {
            return command.apply(this);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public ReplicaWait replicaWait() {
        return replicaWait;
    }

    /** Keeps {@code id} told of {@code connection}'s reconnects, and asks for its server's run id now. */
    void watch(StatefulRedisConnection<byte[], byte[]> connection, ServerIdentity id) {
        identities.put(connection, id);
        id.connected(connection);
    }

    /** A dedicated connection for blocking commands (the API queue's BLPOP); one shard holds every key. */
    @Override
    public CompletionStage<StatefulRedisConnection<byte[], byte[]>> connectDedicated(byte[] key) {
        return client.connectAsync(ByteArrayCodec.INSTANCE, uri);
    }

    static Throwable unwrap(Throwable e) {
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Closes every connection of this shard (shutting the clients down closes them). */
    @Override
    public CompletableFuture<Void> closeAsync() {
        return CompletableFuture.allOf(client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS),
                pubsubClient.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Override
    public void close() {
        closeAsync();
    }
}
