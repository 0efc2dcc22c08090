package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A channel whose slot leaves its master and comes back to it quicker than the engine looks at the topology, on a
 * real six-node Redis Cluster: Redis drops the channel's SSUBSCRIBE with the slot (it tells the connection with a
 * {@code sunsubscribe} it was not asked for), and the topology the engine sees names the same master before and
 * after, so only that message says the subscription is gone. The engine subscribes the channel again, reports it
 * lost (its clients recover from history), and delivers what is published after that.
 */
class RedisClusterSlotReturnIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final String CHANNEL = "returning";

    @Test
    void aSubscriptionThatRedisDroppedWithItsSlotIsPlacedAgainOnTheSameMaster() throws Exception {
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(20));
            engine.start(listener).toCompletableFuture().get(20, TimeUnit.SECONDS);
            engine.broker().subscribe(CHANNEL).toCompletableFuture().get(10, TimeUnit.SECONDS);
            String redisChannel = cluster.prefix() + ".message.{" + CHANNEL + "}";
            RedisServer home = cluster.cluster().masterOf(redisChannel);
            assertThat(home.command("PUBSUB", "SHARDNUMSUB", redisChannel)).endsWith(":1\r\n");

            // away and back in about 100 ms: mostly within one of the engine's reconciles (500 ms), and with no
            // command of the slot that would make it refresh the topology
            cluster.cluster().moveSlotOf(redisChannel);
            cluster.cluster().moveSlotOf(redisChannel, home);

            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .untilAsserted(() -> assertThat(home.command("PUBSUB", "SHARDNUMSUB", redisChannel))
                            .as("subscribers on the slot's master, which dropped them with the slot").endsWith(":1\r\n"));
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> listener.events().stream().anyMatch(e -> e instanceof RecordingEngineListener.Lost l
                            && l.channels().contains(CHANNEL)));
            engine.broker().publish(new Message("after", CHANNEL, RawJson.of("{}"), null, null), HistoryOptions.NONE)
                    .toCompletableFuture().get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
                    .until(() -> listener.messages(CHANNEL).stream().anyMatch(m -> m.uid().equals("after")));
        }
    }
}
