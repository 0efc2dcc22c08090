package dev.rotor.engine.redis;

import dev.rotor.engine.Engine;
import dev.rotor.testing.HistoryStoreContract;
import dev.rotor.testkit.redis.RedisClusterExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the history store contract against {@link RedisEngine} on a real six-node Redis Cluster (hash-tagged names,
 * sharded PUB/SUB), a fresh prefix per test.
 */
class RedisClusterHistoryStoreIT extends HistoryStoreContract {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    @Override
    protected Engine newEngine() {
        return RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
    }

    @Override
    protected void advanceTime(Duration duration) {
        RedisEngines.letTimePass(duration);
    }
}
