package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.GapDetectionFeed.assertVouchedForFromTheNewMastersFirstWrite;
import static dev.rotor.engine.redis.GapDetectionFeed.publish;
import static dev.rotor.engine.redis.GapDetectionFeed.read;
import static dev.rotor.engine.redis.GapDetectionFeed.uids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistorySnapshot;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Gap detection on a real six-node Redis Cluster (docs/scaling.md "Gap detection"): the epoch record beside a
 * channel's history names the run id of the master of its slot that wrote it, so after the cluster promotes that
 * master's replica, recovery vouches for nothing until the new master writes.
 */
class RedisClusterGapDetectionIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();
    @RegisterExtension
    final LogCapture log = new LogCapture(ClusterMasters.class);

    /** Node timeout (2 s), election, topology refresh (1 s), with a wide margin. */
    private static final Duration FAILOVER = Duration.ofSeconds(30);

    @Test
    void afterAFailoverNothingOlderThanTheNewMastersFirstWriteIsVouchedFor() throws Exception {
        String historyKey = cluster.prefix() + ".history.list." + cluster.prefix() + ".message.{feed}";
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            publish(engine, "m1");
            publish(engine, "m2");
            HistorySnapshot before = read(engine);
            assertThat(uids(before)).containsExactly("m2", "m1");
            assertThat(before.unbrokenThrough()).as("written under the current master").isEqualTo(1);
            RedisServer master = cluster.cluster().masterOf(historyKey);
            RedisServer replica = cluster.cluster().replicaOf(master);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> RedisEngines.replicaLength(replica, historyKey) == 2);

            master.kill(); // the cluster promotes the replica by itself

            Awaitility.await().atMost(FAILOVER).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> read(engine).unbrokenThrough() == -1);
            assertThat(cluster.cluster().masterOf(historyKey)).isSameAs(replica);
            assertVouchedForFromTheNewMastersFirstWrite(engine);
            // the operator sees the link to the dead master go (docs/scaling.md, "Redis Cluster")
            assertThat(log.messages()).contains("Redis Cluster: connection to master " + master.host() + ":"
                    + master.port() + " lost; what was in flight on it failed, the next command opens a new link to "
                    + "the master of its slot");
        }
    }
}
