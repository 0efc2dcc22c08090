package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sharded PUB/SUB messages on a real Redis Cluster arrive complete while the engine's health probe PINGs the same
 * connections (once a second): under RESP2, Lettuce took an {@code smessage} that arrived while a PING waited for its
 * reply as that reply, and the message was lost without a trace (see {@link ClusterBackend}'s PUB/SUB client).
 */
class RedisClusterPubSubFramingIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final int MESSAGES = 30_000;

    @Test
    void everyShardedMessageArrivesWhileTheProbePings() throws Exception {
        RedisEngine subscriber = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
        RedisEngine publisher = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
        RecordingEngineListener received = new RecordingEngineListener(Duration.ofSeconds(20));
        try {
            subscriber.start(received).toCompletableFuture().get(30, TimeUnit.SECONDS);
            publisher.start(new RecordingEngineListener()).toCompletableFuture().get(30, TimeUnit.SECONDS);
            subscriber.broker().subscribe("feed").toCompletableFuture().get(10, TimeUnit.SECONDS);
            // in windows of 200 in flight, so the stream lasts several probe intervals; bounded in count
            List<CompletableFuture<Void>> window = new ArrayList<>();
            for (int n = 0; n < MESSAGES; n++) {
                window.add(publisher.broker().publish(new Message(Integer.toString(n), "feed", RawJson.of("{}"), null,
                        null), HistoryOptions.NONE).toCompletableFuture());
                if (window.size() == 200) {
                    CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
                    window.clear();
                }
            }
            CompletableFuture.allOf(window.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            try {
                received.awaitMessages("feed", MESSAGES);
            } catch (ConditionTimeoutException missing) {
                // reported by the assertion below, with the first missing one
            }
            List<Integer> numbers = received.messages("feed").stream().map(m -> Integer.parseInt(m.uid())).toList();
            for (int i = 0; i < numbers.size(); i++) {
                assertThat(numbers.get(i)).as("arrival %d", i).isEqualTo(i);
            }
            assertThat(numbers).hasSize(MESSAGES);
        } finally {
            subscriber.close();
            publisher.close();
        }
    }
}
