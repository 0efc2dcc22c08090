package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.GapDetectionFeed.assertFailedOverTo;
import static dev.rotor.engine.redis.GapDetectionFeed.startAndWriteTwoOnTheCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
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

    @Test
    void afterAFailoverNothingOlderThanTheNewMastersFirstWriteIsVouchedFor() throws Exception {
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            RedisServer master = startAndWriteTwoOnTheCluster(engine, cluster);
            RedisServer replica = cluster.cluster().replicaOf(master);

            master.kill(); // the cluster promotes the replica by itself

            assertFailedOverTo(engine, cluster, replica);
            // the operator sees the link to the dead master go (docs/scaling.md, "Redis Cluster")
            assertThat(log.messages()).contains("Redis Cluster: connection to master " + master.host() + ":"
                    + master.port() + " lost; what was in flight on it failed, the next command opens a new link to "
                    + "the master of its slot");
        }
    }
}
