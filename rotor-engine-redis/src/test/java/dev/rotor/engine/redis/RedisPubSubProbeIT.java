package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisServer;
import io.lettuce.core.protocol.ProtocolVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The engine's health probe (a PING on the PUB/SUB connection, once a second) while subscriptions change on a single
 * Redis. Under RESP2 Redis answers a PING on a subscribed connection with a PUB/SUB-shaped {@code ["pong", ""]},
 * and Lettuce (6.8) decoded it as the reply of a SUBSCRIBE still waiting on the same connection, which then failed
 * ({@code No enum constant ...PubSubOutput.Type.pong}): the node closed that client with {@code internal server
 * error}. The PUB/SUB connection now speaks RESP3 where the server has it (Redis 6 and later), and is not probed on
 * a server that has only RESP2.
 */
class RedisPubSubProbeIT {
    @RegisterExtension
    final LogCapture log = new LogCapture(ShardClient.class);

    private static final int ROUNDS = 10;
    private static final int CHANNELS_PER_ROUND = 3_000;

    @Test
    void subscriptionsSucceedWhileTheProbePingsAndThePubSubConnectionSpeaksResp3() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            assertSubscribesSurviveTheProbe(server, ProtocolVersion.RESP3);
        }
        assertThat(log.messages()).noneMatch(m -> m.contains("RESP3"));
    }

    @Test
    void onAServerWithoutResp3ThePubSubConnectionFallsBackToResp2AndIsNotProbed() throws Exception {
        // Redis 5 and earlier have no HELLO; the same server with HELLO disabled answers like one of them
        try (RedisServer server = RedisServer.start(List.of("--rename-command", "HELLO", ""))) {
            assertSubscribesSurviveTheProbe(server, ProtocolVersion.RESP2);
            // the operator is told at start, once per engine (this test starts two: the subscriber and a publisher)
            assertThat(log.messages()).hasSize(2).containsOnly("Redis shard 0 (" + server.host() + ":" + server.port()
                    + "/0) has no RESP3 (Redis 5 or earlier): its PUB/SUB connection is not probed, so a network "
                    + "loss that leaves the socket open goes unnoticed until TCP keepalive ends it");
        }
    }

    /**
     * A reconnect that reaches a server without RESP3 (an older Redis now behind the same address) stops the probe,
     * and the operator is told once then, not only at start; a RESP3 server again re-arms the warning.
     */
    @Test
    void aReconnectToAServerWithoutResp3IsReportedOnce() throws Exception {
        try (RedisServer resp3 = RedisServer.start()) {
            int port = resp3.port();
            RedisEngine engine = RedisEngines.engine(resp3, "probe");
            try {
                engine.start(new RecordingEngineListener()).toCompletableFuture().get(10, TimeUnit.SECONDS);
                ShardClient shard = (ShardClient) engine.shards().get(0);
                assertThat(shard.pubsubProtocol()).isEqualTo(ProtocolVersion.RESP3);
                resp3.kill();
                for (int downgrade = 1; downgrade <= 2; downgrade++) {
                    try (RedisServer resp2 = RedisServer.start(port, List.of("--rename-command", "HELLO", ""))) {
                        assertThat(resp2.port()).isEqualTo(port);
                        awaitProtocol(shard, ProtocolVersion.RESP2);
                        int expected = downgrade;
                        await("the warning").atMost(Duration.ofSeconds(10))
                                .until(() -> log.messages().size() == expected);
                        assertThat(log.messages()).allMatch(m -> m.startsWith("Redis shard 0 (127.0.0.1:" + port
                                + "/0) has no RESP3"));
                    }
                    try (RedisServer again = RedisServer.start(port, List.of())) {
                        assertThat(again.port()).isEqualTo(port);
                        awaitProtocol(shard, ProtocolVersion.RESP3);
                        await("a healthy shard").atMost(Duration.ofSeconds(10)).until(shard::healthy);
                        assertThat(log.messages()).hasSize(downgrade); // RESP3 again: nothing to tell
                    }
                }
            } finally {
                engine.close();
            }
        }
    }

    private static void awaitProtocol(ShardClient shard, ProtocolVersion expected) {
        await("the PUB/SUB connection back in " + expected).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50)).until(() -> shard.pubsubProtocol() == expected);
    }

    /** No subscribe fails while the probe runs, the shard stays healthy, and messages still arrive. */
    private static void assertSubscribesSurviveTheProbe(RedisServer server, ProtocolVersion expected)
            throws Exception {
        RedisEngine engine = RedisEngines.engine(server, "probe");
        RecordingEngineListener received = new RecordingEngineListener();
        try {
            engine.start(received).toCompletableFuture().get(10, TimeUnit.SECONDS);
            ShardClient shard = (ShardClient) engine.shards().get(0);
            assertThat(shard.pubsubProtocol()).isEqualTo(expected);
            assertThat(subscribeWhileProbing(engine, shard)).as("subscribes that failed").isZero();
            assertThat(shard.healthy()).isTrue();
            assertDelivered(server, received, "ch-3-11");
        } finally {
            engine.close();
        }
    }

    /**
     * Subscribes to {@code ROUNDS × CHANNELS_PER_ROUND} channels, a round's subscribes all in flight at once, while
     * another thread probes the PUB/SUB connection every millisecond; returns how many subscribes failed.
     */
    private static int subscribeWhileProbing(RedisEngine engine, ShardClient shard) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger probes = new AtomicInteger();
        Thread prober = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!stop.get() && System.nanoTime() < end) {
                shard.probe(Duration.ofSeconds(5));
                probes.incrementAndGet();
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "prober");
        int failed = 0;
        prober.start();
        try {
            for (int round = 0; round < ROUNDS; round++) {
                List<CompletableFuture<Void>> subscribes = new ArrayList<>();
                for (int c = 0; c < CHANNELS_PER_ROUND; c++) {
                    subscribes.add(engine.broker().subscribe("ch-" + round + "-" + c).toCompletableFuture());
                }
                for (CompletableFuture<Void> s : subscribes) {
                    try {
                        s.get(10, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        failed++;
                    }
                }
            }
        } finally {
            stop.set(true);
            prober.join(10_000);
        }
        assertThat(probes.get()).as("probes sent").isGreaterThan(ROUNDS);
        return failed;
    }

    /** A message published by another node reaches the engine of {@code received}, subscribed to {@code channel}. */
    private static void assertDelivered(RedisServer server, RecordingEngineListener received, String channel)
            throws Exception {
        RedisEngine publisher = RedisEngines.engine(server, "probe");
        try {
            publisher.start(new RecordingEngineListener()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            publisher.broker().publish(new Message("m1", channel, RawJson.of("{}"), null, null), HistoryOptions.NONE)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            received.awaitMessages(channel, 1);
            assertThat(received.messages(channel)).extracting(Message::uid).containsExactly("m1");
        } finally {
            publisher.close();
        }
    }
}
