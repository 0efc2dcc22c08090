package dev.rotor.engine.redis;

import dev.rotor.engine.EngineShard;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Where the roles send the commands of a channel: one Redis shard ({@link ShardClient}, v1's layout) or a whole Redis
 * Cluster ({@link ClusterBackend}, beyond v1). The roles see only this seam, so they run unchanged on either.
 * Implementations are thread-safe.
 */
interface RedisBackend {
    /**
     * Opens the connections and subscribes to the always-on channels.
     *
     * @param onMessage      receives every PUB/SUB message (Redis channel, payload) on a Lettuce thread
     * @param events         told of lost and restored subscriptions
     */
    CompletionStage<Void> connect(byte[][] alwaysOn, BiConsumer<String, byte[]> onMessage, SubscriptionEvents events);

    /** The commands of the backend (on a cluster, each routed to the master of its key's slot). */
    RedisClusterAsyncCommands<byte[], byte[]> async();

    /**
     * PUBLISH on a single Redis; SPUBLISH (to the shard of the channel's slot) on a cluster, on the connection that
     * {@link #onMaster} gives, and sent again as its commands are when the slot moves.
     */
    CompletionStage<Long> publish(byte[] redisChannel, byte[] payload);

    /** Runs a script by SHA, loading it again when Redis lost it (SCRIPT FLUSH, restart, a promoted replica). */
    <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args);

    /** Subscribes to the Redis channels of {@code channel} and remembers it for lost-subscription reports. */
    CompletionStage<Void> subscribe(String channel, byte[]... redisChannels);

    CompletionStage<Void> unsubscribe(String channel, byte[]... redisChannels);

    /** The subscribed Redis channels matching a glob, over the whole backend. */
    CompletionStage<List<byte[]>> pubsubChannels(byte[] pattern);

    /** A dedicated connection for blocking commands on {@code key} (the API queue's BLPOP). */
    CompletionStage<StatefulRedisConnection<byte[], byte[]>> connectDedicated(byte[] key);

    /**
     * Runs {@code command} on the connection to the master serving {@code key}'s slot on which the commands of gap
     * detection run, with the identity of its server (docs/scaling.md "Gap detection"). On a single Redis it runs at
     * once, on the calling thread (so commands issued in a {@link CommandBatch} stay in it). On a cluster it may first
     * wait for a link to that master to open, and fails when no master serves the slot now; and when the master
     * refuses the command unexecuted because the slot moves ({@code MOVED}, {@code ASK}, {@code TRYAGAIN}), it runs
     * again on the master that serves the slot then, at most for {@code redis_read_timeout} and never after a later
     * command of the slot went to another master ({@link ClusterMasters}, docs/scaling.md "Failover"). So
     * {@code command} may run more than once, each time on the connection it is given: it builds its arguments from
     * that connection (its identity, its {@link MasterConnection#replicaWait()}), never from an earlier one.
     */
    <T> CompletionStage<T> onMaster(byte[] key, Function<MasterConnection, CompletionStage<T>> command);

    /** True while the backend can serve every channel now. */
    boolean healthy();

    /**
     * False while the server that serves {@code key} is known not to answer at all: its connection is open, but its
     * PING probe has had no reply for {@code redis_read_timeout} (a frozen or stalled Redis; on a cluster, the master
     * of the key's slot). Publications then fail at once instead of queueing their bytes behind the ones already
     * waiting (docs/scaling.md, "Publications in flight"). True where nothing probes (a server without RESP3).
     */
    default boolean answering(byte[] key) {
        return true;
    }

    /** The state of each Redis server behind this backend (a shard: itself; a cluster: each master). */
    List<EngineShard> states();

    /** Checks, within {@code timeout}, that open PUB/SUB connections still answer. */
    void probe(Duration timeout);

    /** Where this backend lives, for logs (never with a password). */
    String describe();

    /**
     * {@code INFO memory} of each Redis server this backend writes to (a shard: itself; a cluster: each master), by
     * where it lives (never with a password); for the start's {@code maxmemory} check.
     */
    CompletionStage<Map<String, String>> memoryInfo();

    /** Closes every connection. */
    CompletableFuture<Void> closeAsync();

    /** EVALSHA, then EVAL with the source should Redis answer NOSCRIPT; fails with the unwrapped cause. */
    static <T> CompletionStage<T> eval(RedisClusterAsyncCommands<byte[], byte[]> async, String sha, byte[] source,
            ScriptOutputType type, byte[][] keys, byte[]... args) {
        CompletableFuture<T> result = new CompletableFuture<>();
        async.<T>evalsha(sha, type, keys, args).whenComplete((v, e) -> {
            if (e == null) {
                result.complete(v);
            } else if (ShardClient.unwrap(e) instanceof RedisNoScriptException) {
                async.<T>eval(source, type, keys, args).whenComplete((v2, e2) -> {
                    if (e2 == null) {
                        result.complete(v2);
                    } else {
                        result.completeExceptionally(ShardClient.unwrap(e2));
                    }
                });
            } else {
                result.completeExceptionally(ShardClient.unwrap(e));
            }
        });
        return result;
    }
}
