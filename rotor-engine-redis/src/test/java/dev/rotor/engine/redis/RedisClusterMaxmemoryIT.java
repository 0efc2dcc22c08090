package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * On a Redis Cluster, the start's {@code maxmemory} check asks every master (docs/scaling.md "What lives in Redis"):
 * the test cluster's nodes run with Redis's default, no {@code maxmemory}, so each master is named once.
 */
class RedisClusterMaxmemoryIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();
    @RegisterExtension
    final LogCapture engineLog = new LogCapture(RedisEngine.class);

    @Test
    void everyMasterWithoutMaxmemoryIsNamedOnce() throws Exception {
        RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        try {
            List<String> masters = cluster.cluster().nodes().stream()
                    .filter(n -> n.command("ROLE").contains("master"))
                    .map(n -> "Redis 127.0.0.1:" + n.port() + " has no maxmemory").toList();
            assertThat(masters).isNotEmpty();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engineLog.messages().stream()
                    .filter(m -> m.contains("has no maxmemory")).count() >= masters.size());

            assertThat(engineLog.messages()).filteredOn(m -> m.contains("has no maxmemory"))
                    .map(m -> m.substring(0, m.indexOf(':', m.indexOf(':') + 1)))
                    .containsExactlyInAnyOrderElementsOf(masters);
        } finally {
            engine.close();
        }
    }
}
