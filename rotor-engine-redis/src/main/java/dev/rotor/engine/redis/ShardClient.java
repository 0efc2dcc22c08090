package dev.rotor.engine.redis;

import dev.rotor.engine.EngineShard;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.protocol.ProtocolVersion;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * The connections of one Redis shard: one command connection (Lettuce pipelines every command sent on it, in
 * order) and one dedicated PUB/SUB connection. Both reconnect by themselves; Lettuce re-subscribes every channel
 * in one command after a reconnect, and this class then reports the channels whose messages may have been lost.
 * Thread-safe.
 */
final class ShardClient implements RedisBackend, AutoCloseable {
    private final int index;
    private final RedisShardConfig config;
    private final RedisURI uri;
    private final RedisClient client;
    /** Centrifugo channels with a Redis subscription on this shard (what a reconnect must restore). */
    private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
    private final SubscriptionBatcher batcher = new SubscriptionBatcher(this::sendSubscription);
    private volatile StatefulRedisConnection<byte[], byte[]> commands; // null until connected
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubsub; // null until connected
    /** Set while the last PING on the PUB/SUB connection failed or timed out (a silent network loss). */
    private volatile boolean probeFailing;
    /** Set when the PUB/SUB connection dropped; cleared once it is back and re-subscribed. */
    private volatile boolean pubsubLost;
    /** Set when the command connection dropped; cleared once it is back. */
    private volatile boolean commandsLost;
    /** Times the command or PUB/SUB connection came back after a loss. */
    private final AtomicLong reconnects = new AtomicLong();

    ShardClient(int index, RedisShardConfig config, RedisEngineConfig engineConfig, ClientResources resources) {
        this.index = index;
        this.config = config;
        this.uri = uri(config, engineConfig);
        this.client = RedisClient.create(resources, uri);
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // v1 compat: fail fast while disconnected; v1 queued commands without a timeout (docs/scaling.md).
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .protocolVersion(ProtocolVersion.RESP2)
                .socketOptions(SocketOptions.builder().connectTimeout(engineConfig.connectTimeout())
                        .keepAlive(true).build())
                .timeoutOptions(TimeoutOptions.enabled(engineConfig.commandTimeout()))
                .build());
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
     * @param onResubscribed receives the channels restored after a PUB/SUB reconnect
     */
    @Override
    public CompletionStage<Void> connect(byte[][] alwaysOn, BiConsumer<String, byte[]> onMessage,
            Consumer<Set<String>> onResubscribed) {
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
                if (connection == pubsub) {
                    pubsubLost = true;
                } else if (connection == commands) {
                    commandsLost = true;
                }
            }

            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
                if (connection == pubsub && pubsubLost) {
                    reconnects.incrementAndGet();
                    resubscribe(alwaysOn, onResubscribed);
                } else if (connection == commands && commandsLost) {
                    commandsLost = false;
                    reconnects.incrementAndGet();
                }
            }
        });
        return client.connectAsync(ByteArrayCodec.INSTANCE, uri)
                .thenCompose(conn -> {
                    commands = conn;
                    return client.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri);
                })
                .thenCompose(ps -> {
                    ps.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(byte[] channel, byte[] message) {
                            onMessage.accept(new String(channel, StandardCharsets.UTF_8), message);
                        }
                    });
                    pubsub = ps;
                    return ps.async().subscribe(alwaysOn);
                })
                .thenCompose(v -> loadScripts())
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
    private void resubscribe(byte[][] alwaysOn, Consumer<Set<String>> onResubscribed) {
        Set<String> channels = Set.copyOf(subscribed);
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        if (ps == null) {
            return;
        }
        ps.async().subscribe(alwaysOn).thenRun(() -> {
            pubsubLost = false;
            onResubscribed.accept(channels);
        });
    }

    private CompletionStage<Void> loadScripts() {
        CompletableFuture<?>[] loads = new CompletableFuture<?>[Scripts.values().length];
        for (Scripts s : Scripts.values()) {
            loads[s.ordinal()] = commands.async().scriptLoad(s.source).toCompletableFuture();
        }
        return CompletableFuture.allOf(loads);
    }

    @Override
    public RedisAsyncCommands<byte[], byte[]> async() {
        StatefulRedisConnection<byte[], byte[]> c = commands;
        if (c == null) {
            throw new IllegalStateException("Redis shard " + index + " is not connected");
        }
        return c.async();
    }

    @Override
    public CompletionStage<Long> publish(byte[] redisChannel, byte[] payload) {
        try {
            return async().publish(redisChannel, payload);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Runs a script by SHA, loading it again when Redis lost it (SCRIPT FLUSH or restart). */
    @Override
    public <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args) {
        try {
            return RedisBackend.eval(async(), script.sha, script.source, type, keys, args);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
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

    /**
     * Sends PING on the PUB/SUB connection: a connection that is open but gets no answer within {@code timeout}
     * (a network loss that did not close the socket) makes the shard unhealthy until a PING succeeds again.
     */
    @Override
    public void probe(java.time.Duration timeout) {
        StatefulRedisPubSubConnection<byte[], byte[]> ps = pubsub;
        if (ps == null || !ps.isOpen()) {
            return;
        }
        ps.async().ping().toCompletableFuture()
                .orTimeout(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                .whenComplete((pong, e) -> probeFailing = e != null);
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

    /** Closes every connection of this shard (shutting the client down closes them). */
    @Override
    public CompletableFuture<Void> closeAsync() {
        return client.shutdownAsync(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        closeAsync();
    }
}
