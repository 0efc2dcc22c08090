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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Publications of one channel issued by one thread while the link to the channel's master opens, on a real six-node
 * Redis Cluster (docs/scaling.md "Failover", links): those that waited for the link and those issued as it became
 * ready reach Redis in call order, so the subscriber gets them in that order. With {@code redis_wait_replicas} the
 * link becomes ready on its wait connection's event loop, not on the loop of the connection the SPUBLISHes go on.
 */
class RedisClusterLinkOpeningIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final int ROUNDS = 10;
    private static final int PUBLICATIONS = 3000;
    private static final int WINDOW = 1000;

    @Test
    void publicationsIssuedWhileTheLinkOpensGoOutInCallOrder() throws Exception {
        try (RedisEngine engine = new RedisEngine(RedisEngines.clusterConfig(cluster.cluster(), cluster.prefix(), "")
                .waitReplicas(1).waitTimeout(Duration.ofSeconds(2)).build())) {
            RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(20));
            engine.start(listener).toCompletableFuture().get(20, TimeUnit.SECONDS);
            for (int round = 0; round < ROUNDS; round++) {
                // a channel whose slot no command used yet, so nothing but the link holds its first publications
                String channel = "opening" + round;
                engine.broker().subscribe(channel).toCompletableFuture().get(10, TimeUnit.SECONDS);
                String redisChannel = cluster.prefix() + ".message.{" + channel + "}";
                // drops the master's links (and Lettuce's own connection, which reconnects), not PUB/SUB
                cluster.cluster().masterOf(redisChannel).command("CLIENT", "KILL", "TYPE", "normal");
                Thread.sleep(20); // the engine sees the drop; its reconcile (500 ms) mostly has not opened a link yet

                List<CompletableFuture<Void>> futures = new ArrayList<>();
                Semaphore window = new Semaphore(WINDOW);
                for (int i = 0; i < PUBLICATIONS; i++) {
                    assertThat(window.tryAcquire(20, TimeUnit.SECONDS)).as("a publication answered").isTrue();
                    CompletableFuture<Void> f = engine.broker().publish(new Message("m" + i, channel,
                            RawJson.of("{}"), null, null), HistoryOptions.NONE).toCompletableFuture();
                    f.whenComplete((v, e) -> window.release());
                    futures.add(f);
                }
                int last = -1;
                for (int i = 0; i < PUBLICATIONS; i++) {
                    try {
                        futures.get(i).get(20, TimeUnit.SECONDS);
                        last = i;
                    } catch (ExecutionException e) {
                        // issued on the link that the kill dropped
                    }
                }
                assertThat(last).as("publications that succeeded, round %d", round).isPositive();
                int lastSent = last;
                Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                        .until(() -> listener.messages(channel).stream()
                                .anyMatch(m -> m.uid().equals("m" + lastSent)));
                List<Integer> delivered = listener.messages(channel).stream()
                        .map(m -> Integer.parseInt(m.uid().substring(1))).toList();
                assertThat(delivered).as("delivered in call order, round %d", round).isSorted();
            }
        }
    }
}
