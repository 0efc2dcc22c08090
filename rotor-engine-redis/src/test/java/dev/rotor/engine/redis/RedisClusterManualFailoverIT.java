package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.GapDetectionFeed.assertFailedOverTo;
import static dev.rotor.engine.redis.GapDetectionFeed.startAndWriteTwoOnTheCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A manual failover on a real six-node Redis Cluster ({@code CLUSTER FAILOVER} sent to a replica, as an operator
 * does before maintenance): the old master is demoted to a replica while its connection stays up, so no link is
 * lost; the engine learns it from the topology, closes its link to the node and says so (docs/scaling.md, "Redis
 * Cluster"), and its writes go to the new master. Gap detection treats the new master as any other: recovery
 * vouches for nothing older than its first write (docs/scaling.md "Gap detection").
 */
class RedisClusterManualFailoverIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();
    @RegisterExtension
    final LogCapture log = new LogCapture(ClusterMasters.class);

    @Test
    void aDemotedMastersLinkIsClosedAndLoggedAndWritesGoToTheNewMaster() throws Exception {
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            RedisServer master = startAndWriteTwoOnTheCluster(engine, cluster);
            RedisServer replica = cluster.cluster().replicaOf(master);

            assertThat(replica.command("CLUSTER", "FAILOVER")).startsWith("+OK");

            String demoted = "Redis Cluster: " + master.host() + ":" + master.port() + " is no longer a master "
                    + "with slots; its link is closed, what was in flight on it failed";
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> log.messages().contains(demoted));
            assertThat(master.running()).as("demoted, not stopped").isTrue();
            assertThat(master.command("ROLE")).contains("slave");
            assertThat(log.messages()).as("its connection stayed up")
                    .noneMatch(m -> m.startsWith("Redis Cluster: connection to master " + master.host() + ":"
                            + master.port() + " lost"));
            assertFailedOverTo(engine, cluster, replica);
        }
    }
}
