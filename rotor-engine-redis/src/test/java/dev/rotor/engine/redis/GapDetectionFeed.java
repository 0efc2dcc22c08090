package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.HistorySnapshot;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * The channel the gap detection tests write and recover ({@code feed}, a history of 100 for a minute), on a single
 * Redis or a Redis Cluster alike (docs/scaling.md "Gap detection"). Stateless.
 */
final class GapDetectionFeed {
    static final String CHANNEL = "feed";
    static final HistoryOptions HISTORY = new HistoryOptions(100, 60, false);

    private GapDetectionFeed() {
    }

    static Message message(String uid) {
        return new Message(uid, CHANNEL, RawJson.of("{}"), null, null);
    }

    static void publish(RedisEngine engine, String uid) throws Exception {
        engine.broker().publish(message(uid), HISTORY).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The history as recovery reads it, with how far back it is unbroken. */
    static HistorySnapshot read(RedisEngine engine) throws Exception {
        return engine.historyStore().historyForRecovery(CHANNEL).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    static List<String> uids(HistorySnapshot h) {
        return h.messages().stream().map(Message::uid).toList();
    }

    /**
     * Starts a Redis Cluster engine, writes {@code m1, m2} (vouched for: written under the current master), waits
     * until the replica of the feed's master has both, and returns that master.
     */
    static RedisServer startAndWriteTwoOnTheCluster(RedisEngine engine, RedisClusterExtension cluster)
            throws Exception {
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        publish(engine, "m1");
        publish(engine, "m2");
        HistorySnapshot before = read(engine);
        assertThat(uids(before)).containsExactly("m2", "m1");
        assertThat(before.unbrokenThrough()).as("written under the current master").isEqualTo(1);
        String historyKey = clusterHistoryKey(cluster);
        RedisServer master = cluster.cluster().masterOf(historyKey);
        RedisServer replica = cluster.cluster().replicaOf(master);
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> RedisEngines.replicaLength(replica, historyKey) == 2);
        return master;
    }

    /**
     * After a Redis Cluster failed the feed's master over to {@code replica}: once recovery vouches for nothing
     * (within 30 s: node timeout, election, topology refresh, with a wide margin), {@code replica} is the master, and
     * the history is vouched for from its first write ({@link #assertVouchedForFromTheNewMastersFirstWrite}).
     */
    static void assertFailedOverTo(RedisEngine engine, RedisClusterExtension cluster, RedisServer replica)
            throws Exception {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> read(engine).unbrokenThrough() == -1);
        assertThat(cluster.cluster().masterOf(clusterHistoryKey(cluster))).isSameAs(replica);
        assertVouchedForFromTheNewMastersFirstWrite(engine);
    }

    /** The key of the feed's history list on a Redis Cluster. */
    static String clusterHistoryKey(RedisClusterExtension cluster) {
        return cluster.prefix() + ".history.list." + cluster.prefix() + ".message.{" + CHANNEL + "}";
    }

    /**
     * After a failover that kept {@code m2, m1} (the recovery read already vouches for nothing): the replicated
     * history is all there, and once the new master writes {@code m3, m4}, the history is unbroken from {@code m3}.
     */
    static void assertVouchedForFromTheNewMastersFirstWrite(RedisEngine engine) throws Exception {
        assertThat(uids(read(engine))).as("the replicated history survived").containsExactly("m2", "m1");

        publish(engine, "m3");
        publish(engine, "m4");

        HistorySnapshot after = read(engine);
        assertThat(uids(after)).containsExactly("m4", "m3", "m2", "m1");
        assertThat(after.unbrokenThrough()).as("from m3, the new master's first write").isEqualTo(1);
    }
}
