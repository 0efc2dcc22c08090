package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.config.RedisSettings;
import dev.rotor.engine.redis.RedisEngineConfig;
import dev.rotor.engine.redis.RedisShardConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The v1 Redis options reach the engine's configuration. */
class EngineFactoryTest {

    private static RedisSettings settings(String host, String port, String url, String masterName, String sentinels,
            int readTimeout, int workers) {
        return new RedisSettings(host, port, url, "pw", "2", 256, true, 3, masterName, sentinels, "pfx", 2,
                readTimeout, 1, workers);
    }

    @Test
    void shardsPasswordDbPrefixTimeoutsAndApiAreMapped() {
        RedisEngineConfig c = EngineFactory.redisConfig(
                settings("10.0.0.1,10.0.0.2", "6379", "", "", "", 7, 3));

        assertThat(c.shards()).containsExactly(
                new RedisShardConfig("10.0.0.1", 6379, "pw", 2, "", List.of()),
                new RedisShardConfig("10.0.0.2", 6379, "pw", 2, "", List.of()));
        assertThat(c.prefix()).isEqualTo("pfx");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.pubsubWorkers()).isEqualTo(3);
        assertThat(c.api()).isTrue();
        assertThat(c.apiNumShards()).isEqualTo(3);
    }

    @Test
    void urlOverridesAndSentinelAreMapped() {
        RedisEngineConfig url = EngineFactory.redisConfig(
                settings("", "", "redis://:secret@127.0.0.1:7000/5", "", "", 10, 0));
        RedisEngineConfig sentinel = EngineFactory.redisConfig(
                settings("127.0.0.1", "6379", "", "mymaster", "127.0.0.1:26379, 127.0.0.1:26380", 0, 0));

        assertThat(url.shards()).containsExactly(new RedisShardConfig("127.0.0.1", 7000, "secret", 5, "", List.of()));
        assertThat(url.pubsubWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(sentinel.shards()).singleElement().satisfies(s -> {
            assertThat(s.masterName()).isEqualTo("mymaster");
            assertThat(s.sentinels()).containsExactly("127.0.0.1:26379", "127.0.0.1:26380");
        });
        assertThat(sentinel.commandTimeout()).isEqualTo(Duration.ofSeconds(60));
    }
}
