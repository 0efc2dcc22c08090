package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.GapDetectionFeed.HISTORY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A burst of redirections on a real six-node Redis Cluster (docs/scaling.md, "Redis Cluster"): when a channel's slot
 * moves to another master, every publication in flight on the link to the old master comes back {@code MOVED}, and
 * each asks for a topology refresh (and is then sent again to the new master). A refresh connects to every node of the cluster, so one per reply would hit the
 * cluster with thousands of connections at the moment it is busiest; refreshes run one at a time instead, with at
 * most one more after the running one.
 */
class RedisClusterRefreshBurstIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();
    @RegisterExtension
    final LogCapture lettuce = new LogCapture("io.lettuce");

    private static final int BURST = 500;
    private static final Pattern CONNECTIONS = Pattern.compile("total_connections_received:(\\d+)");

    @Test
    void aBurstOfRedirectionsCostsAFewTopologyRefreshesNotOnePerReply() throws Exception {
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            publish(engine, "before").get(10, TimeUnit.SECONDS);
            ClusterBackend backend = (ClusterBackend) engine.shards().get(0);
            cluster.cluster().moveSlotOf(cluster.prefix() + ".message.{burst}");
            long connectionsBefore = connectionsReceived();
            long redirectsBefore = backend.redirects();

            List<CompletableFuture<Void>> burst = new ArrayList<>();
            for (int i = 0; i < BURST; i++) {
                burst.add(publish(engine, "m" + i));
            }
            for (CompletableFuture<Void> p : burst) {
                p.get(20, TimeUnit.SECONDS); // refused by the old master, then sent again to the new one
            }
            long redirected = backend.redirects() - redirectsBefore;
            long connections = connectionsReceived() - connectionsBefore;

            // How many: those sent before the first refusal came back and held the rest back, from one to hundreds as
            // the timing falls (at least 50 while refused publications simply failed). SerialRefreshTest holds the
            // one-refresh-at-a-time rule itself.
            assertThat(redirected).as("publications refused by the old master").isPositive();
            // One refresh opens a connection to each of the 6 nodes; the new link and the periodic refresh (every
            // second) add a few more: 18 in all on a quiet machine. One refresh per redirection cost ~3,000.
            assertThat(connections).as("connections the cluster received during the burst of %d redirections",
                    redirected).isLessThan(80);
            // and the refresh did its work: the channel's publications go to its new master
            publish(engine, "after").get(10, TimeUnit.SECONDS);
            assertThat(backend.redirects()).as("no refusal once the topology names the new master")
                    .isEqualTo(redirectsBefore + redirected);
        }
    }

    /**
     * The engine closes its cluster connection before its client shuts down, and leaves the links to their client's
     * shutdown: the shutdowns used to close them a second time, and Lettuce warned once for each ({@code Connection
     * is already closed}) whenever a node stopped.
     */
    @Test
    void closingTheEngineWithItsLinksOpenLogsNoWarning() throws Exception {
        RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        publish(engine, "opens a link").get(10, TimeUnit.SECONDS);
        for (int i = 0; i < 12; i++) { // the cluster connection opens a connection to each master it reads from
            engine.presenceStore().presence("room" + i).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        engine.close();

        assertThat(lettuce.messages()).isEmpty();
    }

    /**
     * Lettuce refreshes the topology every second on its own; a refresh that is connecting to the nodes when the
     * clients shut down failed and logged so ({@code Unable to connect ... executor not accepting a task}). The
     * close suspends the periodic refresh and waits for one running.
     */
    @Test
    void closingWhileLettucesOwnRefreshRunsLogsNoWarning() throws Exception {
        for (int round = 0; round < 3; round++) {
            RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
            engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            ClusterBackend backend = (ClusterBackend) engine.shards().get(0);
            Awaitility.await("a periodic refresh running").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(backend::lettuceRefreshInProgress);

            engine.close();

            assertThat(lettuce.messages()).as("round %d", round).isEmpty();
        }
    }

    private static CompletableFuture<Void> publish(RedisEngine engine, String uid) {
        return engine.broker().publish(new Message(uid, "burst", RawJson.of("{}"), null, null), HISTORY)
                .toCompletableFuture();
    }

    /** The connections every running node has accepted since it started ({@code INFO stats}). */
    private static long connectionsReceived() {
        long total = 0;
        for (RedisServer node : cluster.cluster().nodes()) {
            if (node.running()) {
                Matcher m = CONNECTIONS.matcher(node.command("INFO", "stats"));
                assertThat(m.find()).as("INFO stats of %s", node.port()).isTrue();
                total += Long.parseLong(m.group(1));
            }
        }
        return total;
    }
}
