package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis_wait_replicas} on a real six-node Redis Cluster: a publication with history is acknowledged only once
 * the replica of its channel's master has it, a replica that does not confirm in time fails the publication, and the
 * publications awaiting a WAIT on one master are bounded (docs/scaling.md "Durability").
 */
class RedisClusterReplicaWaitIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final HistoryOptions HISTORY = new HistoryOptions(20_000, 60, false);

    private RedisEngine engine(Duration waitTimeout) throws Exception {
        RedisEngine engine = new RedisEngine(RedisEngines.clusterConfig(cluster.cluster(), cluster.prefix(), "")
                .waitReplicas(1).waitTimeout(waitTimeout).build());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        return engine;
    }

    private static String historyKey(String channel) {
        return cluster.prefix() + ".history.list." + cluster.prefix() + ".message.{" + channel + "}";
    }

    private static CompletableFuture<Void> publish(RedisEngine engine, String channel, int n) {
        return engine.broker().publish(new Message("u" + n, channel, RawJson.of("{\"n\":" + n + "}"), null, null),
                HISTORY).toCompletableFuture();
    }

    @Test
    void anAcknowledgedPublicationIsOnTheReplicaOfItsChannelsMaster() throws Exception {
        int count = 100;
        try (RedisEngine engine = engine(Duration.ofSeconds(2))) {
            for (String channel : List.of("a", "b", "c", "d")) {
                List<CompletableFuture<Void>> all = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    all.add(publish(engine, channel, i));
                }
                CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

                // acknowledged means replicated: the replica has every one of them at once, no waiting here
                RedisServer master = cluster.cluster().masterOf(historyKey(channel));
                RedisServer replica = cluster.cluster().replicaOf(master);
                assertThat(RedisEngines.replicaLength(replica, historyKey(channel))).as("the history of %s on the replica",
                        channel).isEqualTo(count);
                assertThat(master.command("LLEN", historyKey(channel))).startsWith(":" + count);
                assertThat(waitsOn(master)).as("WAITs on the master of %s", channel).isPositive();
            }
        }
    }

    /** The WAIT calls a node has served. */
    private static long waitsOn(RedisServer node) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("cmdstat_wait:calls=(\\d+)")
                .matcher(node.command("INFO", "commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aReplicaThatDoesNotConfirmInTimeFailsThePublicationWithItsReason() throws Exception {
        try (RedisEngine engine = engine(Duration.ofMillis(300))) {
            // Whether a running replica confirms within 300 ms depends on the machine's load, which is not what this
            // test is about: before the pause and after the resume, wait for one confirmed publication
            RedisEngines.awaitConfirmed(n -> publish(engine, "feed", n));
            RedisServer master = cluster.cluster().masterOf(historyKey("feed"));
            RedisServer replica = cluster.cluster().replicaOf(master);
            int length = Integer.parseInt(master.command("LLEN", historyKey("feed")).substring(1).trim());
            replica.pause();
            try {
                RedisEngines.assertUnconfirmedButWritten(publish(engine, "feed", 0), master, historyKey("feed"),
                        length + 1);
            } finally {
                replica.resume();
            }
            RedisEngines.awaitConfirmed(n -> publish(engine, "feed", n)); // confirmed again once the replica is back
        }
    }

    /** The publications awaiting a WAIT on one master are bounded: beyond it one fails at once, unwritten. */
    @Test
    void publicationsBeyondTheBoundOfThoseAwaitingReplicationFailAtOnceUnwritten() throws Exception {
        try (RedisEngine engine = engine(Duration.ofSeconds(3))) {
            publish(engine, "bound", -1).get(10, TimeUnit.SECONDS); // the link to the master is open
            RedisServer master = cluster.cluster().masterOf(historyKey("bound"));
            RedisServer replica = cluster.cluster().replicaOf(master);
            replica.pause();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            try {
                for (int i = 0; i < ReplicaWait.MAX_PENDING; i++) {
                    all.add(publish(engine, "bound", i));
                }
                CompletableFuture<Void> beyond = publish(engine, "bound", ReplicaWait.MAX_PENDING);

                assertThat(beyond).isCompletedExceptionally();
                assertThatThrownBy(beyond::join).cause().isInstanceOf(ReplicaWait.ReplicationException.class)
                        .hasMessage("publication not written: 10000 publications are already waiting for their "
                                + "replication to be confirmed");
            } finally {
                replica.resume();
            }
            // the ones within the bound were written; acknowledged means on the replica (the WAIT that covered a
            // publication came after its script, whichever thread issued which)
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).handle((v, e) -> null)
                    .get(30, TimeUnit.SECONDS);
            long acknowledged = all.stream().filter(f -> !f.isCompletedExceptionally()).count();
            // what the failed ones failed with, for the message of an assertion below that fails
            Map<String, Long> failures = all.stream().filter(CompletableFuture::isCompletedExceptionally)
                    .map(f -> f.handle((v, e) -> String.valueOf(ShardClient.unwrap(e))).join())
                    .collect(Collectors.groupingBy(m -> m, Collectors.counting()));
            assertThat(RedisEngines.replicaLength(replica, historyKey("bound")))
                    .as("on the replica; failed: %s", failures)
                    .isGreaterThanOrEqualTo(acknowledged + 1);
            assertThat(master.command("LLEN", historyKey("bound"))).as("the master's history; failed: %s", failures)
                    .startsWith(":" + (ReplicaWait.MAX_PENDING + 1));
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> {
                        publish(engine, "bound", 0).get(10, TimeUnit.SECONDS);
                        return true;
                    });
        }
    }
}
