package dev.rotor.engine.redis;

import dev.rotor.testkit.redis.RedisCluster;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        List<RedisShardConfig.Address> seeds = new ArrayList<>();
        for (RedisServer node : cluster.nodes()) {
            seeds.add(new RedisShardConfig.Address(node.host(), node.port()));
        }
        return new RedisEngine(RedisEngineConfig.builder()
                .cluster(new RedisClusterConfig(seeds, password))
                .prefix(prefix)
                .commandTimeout(Duration.ofSeconds(5))
                .pubsubWorkers(2)
                .build());
    }
}
