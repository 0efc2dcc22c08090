package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.EngineShard;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Shard states before the engine connected: one per configured shard, in order, not connected, no password. */
class RedisShardStatesTest {
    @Test
    void beforeStartEveryConfiguredShardShowsAsNotConnected() {
        RedisEngine engine = new RedisEngine(RedisEngineConfig.builder()
                .shards(List.of(new RedisShardConfig("127.0.0.1", 6379, "secret-pw", 2, "", List.of()),
                        new RedisShardConfig("10.0.0.1", 0, "", 0, "main",
                                List.of(new RedisShardConfig.Address("10.0.0.2", 26379)))))
                .build());
        try {
            assertThat(engine.healthy()).isFalse();
            assertThat(engine.shardStates()).containsExactly(
                    new EngineShard(0, "127.0.0.1:6379/2", false, 0, 0),
                    new EngineShard(1, "sentinel master main/0", false, 0, 0));
            assertThat(engine.shardStates().toString()).doesNotContain("secret-pw");
        } finally {
            engine.close();
        }
        assertThat(engine.shardStates()).extracting(EngineShard::connected).containsOnly(false);
    }
}
