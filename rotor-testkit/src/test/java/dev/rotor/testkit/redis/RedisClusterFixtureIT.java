package dev.rotor.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The cluster fixture against the real binaries: three masters with a replica each, all slots served, every node's
 * process and directory gone after close; a missing redis-cli fails with the install command.
 */
class RedisClusterFixtureIT {

    @Test
    void aStartedClusterIsOkWithThreeMastersAndThreeReplicasAndCloseRemovesEverything() {
        List<Path> dirs = new ArrayList<>();
        try (RedisCluster cluster = RedisCluster.start()) {
            List<RedisServer> nodes = cluster.nodes();
            assertThat(nodes).hasSize(6);
            int masters = 0;
            for (RedisServer n : nodes) {
                dirs.add(n.dir());
                assertThat(n.command("CLUSTER", "INFO")).contains("cluster_state:ok", "cluster_slots_assigned:16384");
                masters += n.command("ROLE").contains("master") ? 1 : 0;
            }
            assertThat(masters).isEqualTo(3);
            assertThat(cluster.seeds().split(",")).hasSize(6);
            RedisServer owner = cluster.masterOf("news");
            assertThat(owner.command("CLUSTER", "COUNTKEYSINSLOT",
                    owner.command("CLUSTER", "KEYSLOT", "news").trim().substring(1))).startsWith(":0");
        }
        assertThat(dirs).allSatisfy(d -> assertThat(Files.exists(d)).isFalse());
    }

    /**
     * After a failover, {@code awaitOk} returns only once the old master, resumed, has been demoted: its own role and
     * every node's table say replica, so the new master has a running replica to fault (a chaos cycle once failed on
     * "no running replica" right after {@code awaitOk}).
     */
    @Test
    void awaitOkAfterAFailoverWaitsUntilTheResumedMasterIsAReplica() {
        try (RedisCluster cluster = RedisCluster.start()) {
            RedisServer frozen = cluster.masterOf("news");
            frozen.pause();
            try {
                Awaitility.await("the cluster promotes a replica").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                        .until(() -> cluster.masterOf("news") != frozen);
            } finally {
                frozen.resume();
            }
            cluster.awaitOk();
            assertThat(frozen.command("ROLE")).contains("slave");
            assertThat(cluster.replicaOf(cluster.masterOf("news"))).isSameAs(frozen);
        }
    }

    @Test
    void missingRedisCliFailsWithTheInstallCommand() {
        String before = System.getProperty("rotor.redis.cli");
        System.setProperty("rotor.redis.cli", "/nonexistent/redis-cli");
        try {
            assertThatThrownBy(RedisCluster::start).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("apt-get install redis-tools");
        } finally {
            if (before == null) {
                System.clearProperty("rotor.redis.cli");
            } else {
                System.setProperty("rotor.redis.cli", before);
            }
        }
    }
}
