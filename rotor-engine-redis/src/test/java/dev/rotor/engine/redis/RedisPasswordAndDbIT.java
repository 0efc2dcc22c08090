package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.RecordingEngineListener;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testkit.redis.RedisExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code redis_password} and {@code redis_db} are honoured: keys land in the chosen db of a protected server. */
class RedisPasswordAndDbIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension(List.of("--requirepass", "s3cret"));

    @Test
    void engineAuthenticatesAndWritesIntoItsDb() throws Exception {
        RedisEngineConfig config = RedisEngines.config(redis.server(), redis.prefix())
                .shard(new RedisShardConfig("127.0.0.1", redis.server().port(), "s3cret", 3, "", List.of()))
                .build();
        RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(10));
        try (RedisEngine engine = new RedisEngine(config)) {
            engine.start(listener).toCompletableFuture().get(10, TimeUnit.SECONDS);
            engine.broker().subscribe("news").toCompletableFuture().get(10, TimeUnit.SECONDS);
            Message m = new Message("m1", "news", RawJson.of("{}"), null, null);

            engine.broker().publish(m, new HistoryOptions(5, 60, false)).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            assertThat(listener.awaitMessages("news", 1)).containsExactly(m);
            String key = redis.prefix() + ".history.list." + redis.prefix() + ".message.news";
            assertThat(exists(3, key)).isTrue();
            assertThat(exists(0, key)).isFalse();
        }
    }

    private static boolean exists(int db, String key) {
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(redis.server().port())
                .withPassword("s3cret".toCharArray()).withDatabase(db).build();
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().exists(key) == 1;
        } finally {
            client.shutdown();
        }
    }
}
