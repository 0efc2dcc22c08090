package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code redis_wait_replicas} on a real master with a real replica: a publication with history is acknowledged only
 * once the replica has it, WAITs are shared by concurrent publications, and a replica that does not confirm in time
 * fails the publication with a message saying it may or may not survive.
 */
class RedisReplicaWaitIT {
    /** The master; the replica follows it. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final HistoryOptions HISTORY = new HistoryOptions(1000, 60, false);
    private static final Pattern WAIT_CALLS = Pattern.compile("cmdstat_wait:calls=(\\d+)");

    private RedisServer replica;

    @BeforeEach
    void setUp() {
        replica = RedisServer.start(List.of("--replicaof", "127.0.0.1", Integer.toString(redis.server().port())));
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> replica.command("INFO", "replication").contains("master_link_status:up"));
    }

    @AfterEach
    void tearDown() {
        replica.close();
    }

    private RedisEngine engine(int waitReplicas, Duration waitTimeout) throws Exception {
        RedisEngine engine = new RedisEngine(RedisEngines.config(redis.server(), redis.prefix())
                .waitReplicas(waitReplicas).waitTimeout(waitTimeout).build());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return engine;
    }

    private String historyKey(String channel) {
        return redis.prefix() + ".history.list." + redis.prefix() + ".message." + channel;
    }

    private static CompletableFuture<Void> publish(RedisEngine engine, String channel, int n) {
        return engine.broker().publish(new Message("u" + n, channel, RawJson.of("{\"n\":" + n + "}"), null, null),
                HISTORY).toCompletableFuture();
    }

    private long waitCalls() {
        Matcher m = WAIT_CALLS.matcher(redis.server().command("INFO", "commandstats"));
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void anAcknowledgedPublicationIsOnTheReplicaAndConcurrentOnesShareWaits() throws Exception {
        int count = 200;
        try (RedisEngine engine = engine(1, Duration.ofSeconds(2))) {
            long waitsBefore = waitCalls();
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                all.add(publish(engine, "feed", i));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

            // acknowledged means replicated: the replica has every one of them at once, no waiting here
            assertThat(replica.command("LLEN", historyKey("feed"))).startsWith(":" + count);
            long waits = waitCalls() - waitsBefore;
            assertThat(waits).as("WAITs for %d concurrent publications", count).isPositive().isLessThan(count);
        }
    }

    /**
     * Publications with history in one batch (an API request): their scripts go to the WAIT connection in one write,
     * and one WAIT, sent when the first of them answers, covers them all.
     */
    @Test
    void aBatchOfPublicationsIsOneWriteAndOneWait() throws Exception {
        int count = 100;
        try (RedisEngine engine = engine(1, Duration.ofSeconds(2))) {
            publish(engine, "feed", -1).get(10, TimeUnit.SECONDS); // loads the script and settles the first WAIT
            ReplicaWait wait = ((ShardClient) engine.shards().get(0)).replicaWait();
            long writes = wait.writes();
            long waitsBefore = waitCalls();

            List<CompletableFuture<Void>> all = engine.batch(() -> {
                List<CompletableFuture<Void>> started = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    started.add(publish(engine, "feed" + (i % 3), i));
                }
                return started;
            });
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

            assertThat(wait.writes() - writes).isEqualTo(1);
            assertThat(waitCalls() - waitsBefore).isEqualTo(1);
            long onReplica = 0;
            for (int c = 0; c < 3; c++) {
                onReplica += Long.parseLong(replica.command("LLEN", historyKey("feed" + c)).strip().substring(1));
            }
            assertThat(onReplica).isEqualTo(count);
        }
    }

    /** A batch longer than the batch's bound goes out in several writes, and every publication is confirmed. */
    @Test
    void aBatchLongerThanTheBoundIsSeveralWritesAndEveryPublicationIsConfirmed() throws Exception {
        int count = CommandBatch.MAX_COMMANDS + 88;
        try (RedisEngine engine = engine(1, Duration.ofSeconds(2))) {
            publish(engine, "long", -1).get(10, TimeUnit.SECONDS);
            ReplicaWait wait = ((ShardClient) engine.shards().get(0)).replicaWait();
            long writes = wait.writes();

            List<CompletableFuture<Void>> all = engine.batch(() -> {
                List<CompletableFuture<Void>> started = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    started.add(publish(engine, "long", i));
                }
                return started;
            });
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

            assertThat(wait.writes() - writes).isEqualTo(2);
            assertThat(replica.command("LLEN", historyKey("long"))).startsWith(":" + Math.min(count + 1, 1000));
        }
    }

    @Test
    void aReplicaThatDoesNotConfirmInTimeFailsThePublicationWithItsReason() throws Exception {
        try (RedisEngine engine = engine(1, Duration.ofMillis(300))) {
            // Written either way; whether a running replica confirms it within 300 ms depends on the machine's load
            // (a bin/test run once saw a fresh replica take longer), which is not what this test is about.
            try {
                publish(engine, "feed", 0).get(10, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(ReplicaWait.ReplicationException.class);
            }
            RedisEngines.awaitConfirmed(n -> publish(engine, "confirmed", n));
            replica.pause();
            try {
                RedisEngines.assertUnconfirmedButWritten(publish(engine, "feed", 1), redis.server(), historyKey("feed"), 2);
            } finally {
                replica.resume();
            }
            // publications are confirmed again once the replica is back
            RedisEngines.awaitConfirmed(n -> publish(engine, "confirmed", n));
        }
    }

    /** The queue of publications awaiting a WAIT is bounded: beyond it a publication fails at once, unwritten. */
    @Test
    void publicationsBeyondTheBoundOfThoseAwaitingReplicationFailAtOnceUnwritten() throws Exception {
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", redis.server().port()));
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            ReplicaWait wait = new ReplicaWait(c, new ServerIdentity(), false, 1, 2000, 5);
            replica.pause();
            try {
                List<CompletableFuture<Void>> accepted = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    accepted.add(write(wait, i));
                }
                assertThatThrownBy(() -> write(wait, 5).get(1, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class).cause()
                        .isInstanceOf(ReplicaWait.ReplicationException.class)
                        .hasMessage("publication not written: 5 publications are already waiting for their "
                                + "replication to be confirmed");
                assertThat(redis.server().command("HEXISTS", "bound.hash", "c5")).startsWith(":0");
                for (CompletableFuture<Void> f : accepted) {
                    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause()
                            .hasMessageContaining("reached 0 of 1 replicas");
                }
            } finally {
                replica.resume();
            }
            write(wait, 6).get(10, TimeUnit.SECONDS); // room again, and confirmed
        } finally {
            client.shutdown();
        }
    }

    private static CompletableFuture<Void> write(ReplicaWait wait, int n) {
        byte[][] keys = {"bound.set".getBytes(StandardCharsets.UTF_8), "bound.hash".getBytes(StandardCharsets.UTF_8)};
        return wait.publish(Scripts.ADD_PRESENCE, keys, "60".getBytes(StandardCharsets.UTF_8),
                "9999999999".getBytes(StandardCharsets.UTF_8), ("c" + n).getBytes(StandardCharsets.UTF_8),
                "{}".getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
    }

    /**
     * A master down for longer than the command timeout: the scripts and the WAIT in flight time out one by one while
     * the connection is down and rejects new commands at once. Every one of those publications fails, and once the
     * master is back a new publication gets its WAIT and is confirmed: a WAIT that failed while scripts were still
     * waiting for their replies must not leave the connection without one.
     */
    @Test
    void afterAnOutageLongerThanTheCommandTimeoutPublicationsAreWaitedForAgain() throws Exception {
        RedisServer master = RedisServer.start();
        RedisServer follower = RedisServer.start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        RedisClient client = RedisClient.create(RedisURI.create("127.0.0.1", master.port()));
        client.setOptions(ClientOptions.builder().autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(500))).build());
        try (StatefulRedisConnection<byte[], byte[]> c = client.connect(ByteArrayCodec.INSTANCE)) {
            awaitLinkUp(follower);
            // the WAIT timeout below the command timeout, as the engine's configuration requires
            ReplicaWait wait = new ReplicaWait(c, new ServerIdentity(), false, 1, 400);
            write(wait, 0).get(10, TimeUnit.SECONDS);

            master.pause(); // nothing answers: the scripts and the WAIT stay in flight
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                inFlight.add(write(wait, i));
            }
            master.kill(); // the connection drops and reconnecting is refused until the restart
            for (CompletableFuture<Void> f : inFlight) {
                assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
            }

            master.restart();
            awaitLinkUp(follower);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(c::isOpen);
            // the replica may take a moment after its resync to acknowledge, so the first WAIT may come back short:
            // a publication must be confirmed again soon, where before the fix none ever was (each waited forever)
            AtomicInteger n = new AtomicInteger(20);
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollDelay(Duration.ZERO).ignoreExceptions()
                    .until(() -> {
                        write(wait, n.incrementAndGet()).get(2, TimeUnit.SECONDS);
                        return true;
                    });
        } finally {
            client.shutdown();
            follower.close();
            master.close();
        }
    }

    private static void awaitLinkUp(RedisServer follower) {
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> follower.command("INFO", "replication").contains("master_link_status:up"));
    }

    @Test
    void aConnectionLostWhileWaitingFailsThePublication() throws Exception {
        try (RedisEngine engine = engine(1, Duration.ofSeconds(3))) {
            publish(engine, "feed", 0).get(10, TimeUnit.SECONDS);
            replica.pause();
            try {
                CompletableFuture<Void> waiting = publish(engine, "feed", 1);
                Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
                        .until(() -> redis.server().command("CLIENT", "LIST").contains("cmd=wait"));
                // The WAIT's connection drops. Whether Lettuce fails the WAIT or sends it again after reconnecting
                // (on the new connection, which wrote nothing, it would count the paused replica at once), the
                // publication fails.
                assertThat(redis.server().command("CLIENT", "KILL", "TYPE", "normal")).startsWith(":");
                assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(ReplicaWait.ReplicationException.class)
                        .hasMessageContaining("may or may not survive a failover");
            } finally {
                replica.resume();
            }
            Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> publish(engine, "feed", 2).get(5, TimeUnit.SECONDS) == null);
        }
    }

    @Test
    void twoReplicasRequiredOfOneFailEveryPublicationButPublicationsWithoutHistoryDoNotWait() throws Exception {
        try (RedisEngine engine = engine(2, Duration.ofMillis(100))) {
            assertThatThrownBy(() -> publish(engine, "feed", 0).get(10, TimeUnit.SECONDS))
                    .hasMessageMatching(".*reached [01] of 2 replicas within 100 ms.*");
            long waits = waitCalls();
            engine.broker().publish(new Message("x", "plain", RawJson.of("{}"), null, null), HistoryOptions.NONE)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(waitCalls()).isEqualTo(waits);
        }
    }

    @Test
    void aScriptCacheFlushedOnTheMasterIsLoadedAgainAndStillWaitedFor() throws Exception {
        try (RedisEngine engine = engine(1, Duration.ofSeconds(2))) {
            publish(engine, "feed", 0).get(10, TimeUnit.SECONDS);
            assertThat(redis.server().command("SCRIPT", "FLUSH")).startsWith("+OK");

            publish(engine, "feed", 1).get(10, TimeUnit.SECONDS);

            assertThat(replica.command("LLEN", historyKey("feed"))).startsWith(":2");
        }
    }
}
