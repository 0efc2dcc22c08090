package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.redis.RedisCluster;
import dev.rotor.testkit.redis.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.awaitility.Awaitility;

/** Engines for tests: one shard on a test server (or a test cluster), a given prefix, short timeouts. Stateless. */
final class RedisEngines {
    private RedisEngines() {
    }

    static RedisEngineConfig.Builder config(RedisServer server, String prefix) {
        return RedisEngineConfig.builder()
                .shard(RedisShardConfig.of(server.host(), server.port()))
                .prefix(prefix)
                .commandTimeout(Duration.ofSeconds(5))
                .pubsubWorkers(2);
    }

    /** Redis expires keys on its own clock: lets the time really pass (bounded; there is no condition to await). */
    static void letTimePass(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        Awaitility.await().pollDelay(duration).atMost(duration.plusSeconds(5)).until(() -> System.nanoTime() >= until);
    }

    static RedisEngine engine(RedisServer server, String prefix) {
        return new RedisEngine(config(server, prefix).build());
    }

    /** An engine on a test Redis Cluster, every node given as a seed. */
    static RedisEngine clusterEngine(RedisCluster cluster, String prefix) {
        return clusterEngine(cluster, prefix, "");
    }

    /** An engine on a test Redis Cluster whose nodes require {@code password}. */
    static RedisEngine clusterEngine(RedisCluster cluster, String prefix, String password) {
        return new RedisEngine(clusterConfig(cluster, prefix, password).build());
    }

    /** The configuration of {@link #clusterEngine}, to add to. */
    static RedisEngineConfig.Builder clusterConfig(RedisCluster cluster, String prefix, String password) {
        List<RedisShardConfig.Address> seeds = new ArrayList<>();
        for (RedisServer node : cluster.nodes()) {
            seeds.add(new RedisShardConfig.Address(node.host(), node.port()));
        }
        return RedisEngineConfig.builder()
                .cluster(new RedisClusterConfig(seeds, password))
                .prefix(prefix)
                .commandTimeout(Duration.ofSeconds(5))
                .pubsubWorkers(2);
    }

    /** LLEN of {@code key} read on a replica (READONLY first: a cluster replica redirects reads otherwise). */
    static long replicaLength(RedisServer replica, String key) {
        RedisClient client = RedisClient.create(RedisURI.create(replica.host(), replica.port()));
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().readOnly();
            return c.sync().llen(key);
        } finally {
            client.shutdown();
        }
    }

    /**
     * A publication that the replica did not confirm within a 300 ms WAIT fails saying so, and is on the master all
     * the same (its history then {@code length} long): the publisher cannot know whether it survives a failover.
     */
    static void assertUnconfirmedButWritten(CompletableFuture<Void> publication, RedisServer master, String historyKey,
            int length) {
        assertThatThrownBy(() -> publication.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).cause()
                .isInstanceOf(ReplicaWait.ReplicationException.class)
                .hasMessage("publication written to Redis but it reached 0 of 1 replicas within 300 ms: "
                        + "it may or may not survive a failover");
        assertThat(master.command("LLEN", historyKey)).startsWith(":" + length);
    }

    /**
     * Publishes ({@code n} = 1, 2, …) until one publication is confirmed by the replica, within 20 s: a busy machine
     * may delay a single WAIT past a short timeout, but not every one. Those that are not confirmed are written all
     * the same.
     */
    static void awaitConfirmed(IntFunction<CompletableFuture<Void>> publish) {
        AtomicInteger n = new AtomicInteger();
        Awaitility.await("a publication confirmed by the replica").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
                    publish.apply(n.incrementAndGet()).get(10, TimeUnit.SECONDS);
                    return true;
                });
    }
}
