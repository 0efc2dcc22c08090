package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Closing the engine on a real Redis while its API queue workers wait in {@code BLPOP}: their connections close
 * before their client shuts down. The shutdown used to close them a second time, and Lettuce warned once for each
 * ({@code Connection is already closed}) at every stop of a node with {@code redis_api}.
 */
class RedisEngineCloseIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    @RegisterExtension
    final LogCapture lettuce = new LogCapture("io.lettuce");

    @Test
    void closingWhileTheApiQueueWorkersWaitLogsNoWarning() throws Exception {
        RedisEngine engine = new RedisEngine(RedisEngines.config(redis.server(), redis.prefix())
                .api(true).apiNumShards(2).build());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        List<String> handled = new CopyOnWriteArrayList<>();
        engine.consumeApiQueue(bytes -> {
            handled.add(new String(bytes, StandardCharsets.UTF_8));
            return CompletableFuture.completedFuture(null);
        }, 1 << 20);
        // every worker is connected once each of the three queues has been served
        for (String queue : List.of(".api", ".api.0", ".api.1")) {
            Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        redis.server().command("RPUSH", redis.prefix() + queue, queue);
                        return handled.contains(queue);
                    });
        }

        engine.close();

        assertThat(lettuce.messages()).isEmpty();
    }
}
