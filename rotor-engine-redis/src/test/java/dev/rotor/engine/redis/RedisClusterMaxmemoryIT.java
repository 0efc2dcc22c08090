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
 * the test cluster's nodes run with Redis's default, no {@code maxmemory}, so each master is named once, and it is
 * asked without opening a connection besides the engine's own to each master.
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

            // Asked on the engine's own link to each master: its clients there are that link and the PUB/SUB
            // connection, and Lettuce's cluster connection holds one more somewhere. INFO through the cluster
            // connection opened a connection to every master on top, kept until the engine closed (at least 9).
            // Lettuce's topology refreshes connect to every node for a moment each second, so the count is awaited.
            List<RedisServer> masterNodes = cluster.cluster().nodes().stream()
                    .filter(n -> n.command("ROLE").contains("master")).toList();
            int allowed = 2 * masterNodes.size() + 1;
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .untilAsserted(() -> assertThat(masterNodes.stream()
                            .mapToLong(RedisClusterMaxmemoryIT::engineClients).sum())
                            .as("clients of the %d masters", masterNodes.size()).isLessThanOrEqualTo(allowed));

        } finally {
            engine.close();
        }
    }

    /** The clients of {@code node} but its replica and the connection that asks. */
    private static long engineClients(RedisServer node) {
        return node.command("CLIENT", "LIST").lines()
                .filter(l -> l.startsWith("id=") && !l.contains("cmd=client|list"))
                .filter(l -> !l.matches(".* flags=\\w*S.*"))
                .count();
    }
}
