package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.Engine;
import dev.rotor.testing.BrokerContract;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The broker contract on a Redis Cluster whose nodes require a password ({@code redis_password}): the cluster
 * connection, the per-master PUB/SUB connections and the topology refresh all authenticate.
 */
class RedisClusterPasswordIT extends BrokerContract {
    private static final String PASSWORD = "s3cret";

    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension(PASSWORD);

    @Override
    protected Engine newEngine() {
        return RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix(), PASSWORD);
    }

    @Override
    protected void advanceTime(Duration duration) {
        RedisEngines.letTimePass(duration);
    }

    @Test
    void theNodesRefuseClientsWithoutThePassword() {
        RedisServer node = cluster.cluster().nodes().get(0);

        assertThat(node.command("CLUSTER", "INFO")).startsWith("-NOAUTH");
    }
}
