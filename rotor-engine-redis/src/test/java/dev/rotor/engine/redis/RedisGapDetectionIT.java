package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.GapDetectionFeed.assertVouchedForFromTheNewMastersFirstWrite;
import static dev.rotor.engine.redis.GapDetectionFeed.message;
import static dev.rotor.engine.redis.GapDetectionFeed.publish;
import static dev.rotor.engine.redis.GapDetectionFeed.read;
import static dev.rotor.engine.redis.GapDetectionFeed.uids;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistorySnapshot;
import dev.rotor.protocol.Message;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import dev.rotor.testkit.redis.TcpProxy;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Gap detection on a real Redis (docs/scaling.md "Gap detection"): the epoch record the publish script keeps beside
 * the history list tells recovery how far back the history is unbroken under the current master, and a master change
 * (a replica promoted behind the engine's address) makes it vouch for nothing until the new master writes.
 */
class RedisGapDetectionIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private RedisEngine engine(int port) throws Exception {
        RedisEngine engine = new RedisEngine(RedisEngineConfig.builder()
                .shard(RedisShardConfig.of("127.0.0.1", port)).prefix(redis.prefix())
                .commandTimeout(Duration.ofSeconds(5)).pubsubWorkers(1).build());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return engine;
    }

    /** Publications once the engine knows its server's run id (INFO answers right after the connect). */
    private static void awaitIdentity(RedisEngine engine) {
        Awaitility.await().atMost(Duration.ofSeconds(10))
                .until(() -> ((ShardClient) engine.shards().get(0)).identity().current().runId() != null);
    }

    @Test
    void aHistoryWrittenUnderTheCurrentMasterIsUnbroken() throws Exception {
        try (RedisEngine engine = engine(redis.server().port())) {
            awaitIdentity(engine);
            publish(engine, "m1");
            publish(engine, "m2");
            publish(engine, "m3");

            HistorySnapshot h = read(engine);

            assertThat(uids(h)).containsExactly("m3", "m2", "m1");
            assertThat(h.unbrokenThrough()).isEqualTo(2);
            String epoch = redis.prefix() + ".history.epoch." + redis.prefix() + ".message.feed";
            assertThat(redis.server().command("HGET", epoch, "since")).contains("m1");
            assertThat(redis.server().command("TTL", epoch)).matches(":(5\\d|60)\r\n");
        }
    }

    @Test
    void afterAReplicaIsPromotedNothingOlderThanTheNewMastersFirstWriteIsVouchedFor() throws Exception {
        RedisServer master = redis.server();
        try (RedisServer replica = RedisServer.start(List.of("--replicaof", "127.0.0.1",
                Integer.toString(master.port())));
                TcpProxy address = TcpProxy.to(master.port());
                RedisEngine engine = engine(address.port())) {
            awaitIdentity(engine);
            publish(engine, "m1");
            publish(engine, "m2");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> replica.command("LLEN", redis.prefix() + ".history.list." + redis.prefix()
                            + ".message.feed").startsWith(":2"));

            // the failover: the replica becomes master behind the same address, the connections drop
            assertThat(replica.command("REPLICAOF", "NO", "ONE")).startsWith("+OK");
            address.retarget(replica.port());
            address.cutAll();
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptions().until(() -> read(engine).unbrokenThrough() == -1);
            assertVouchedForFromTheNewMastersFirstWrite(engine);
        }
    }

    @Test
    void aNewestMessageFromAWriterWithoutTheRecordFollowsV1sRule() throws Exception {
        try (RedisEngine engine = engine(redis.server().port())) {
            awaitIdentity(engine);
            publish(engine, "m1");
            // a v1 node publishes: its script pushes onto the list and keeps no epoch record
            RedisClient client = RedisClient.create("redis://127.0.0.1:" + redis.server().port());
            try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
                c.sync().lpush((redis.prefix() + ".history.list." + redis.prefix() + ".message.feed")
                        .getBytes(StandardCharsets.UTF_8), WireCodec.encodeMessage(message("v1")));
            } finally {
                client.shutdown();
            }

            HistorySnapshot h = read(engine);

            assertThat(uids(h)).containsExactly("v1", "m1");
            assertThat(h.unbrokenThrough()).isEqualTo(1);
        }
    }

    @Test
    void theDecisionFollowsTheRecord() {
        List<Message> h = List.of(message("m3"), message("m2"), message("m1"));
        assertThat(RedisStores.unbrokenThrough(h, null, null, null, "A")).as("no record: v1's rule").isEqualTo(2);
        assertThat(RedisStores.unbrokenThrough(h, "A", "m2", "m9", "A")).as("foreign head: v1's rule").isEqualTo(2);
        assertThat(RedisStores.unbrokenThrough(h, "A", "m2", "m3", "A")).isEqualTo(1);
        assertThat(RedisStores.unbrokenThrough(h, "A", "m0", "m3", "A")).as("since trimmed away").isEqualTo(2);
        assertThat(RedisStores.unbrokenThrough(h, "A", "m2", "m3", "B")).as("another master").isEqualTo(-1);
        assertThat(RedisStores.unbrokenThrough(h, "A", "m2", "m3", null)).as("master unknown").isEqualTo(-1);
        assertThat(RedisStores.unbrokenThrough(h, "", "m2", "m3", "A")).as("written, master unknown").isEqualTo(-1);
        assertThat(RedisStores.unbrokenThrough(List.of(), "A", "m2", "m3", "A")).isEqualTo(-1);
    }
}
