package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.config.ConfigException;
import dev.rotor.config.ConfigLoader;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.Engine;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.engine.memory.MemoryEngineProvider;
import dev.rotor.engine.redis.RedisClusterConfig;
import dev.rotor.engine.redis.RedisEngine;
import dev.rotor.engine.redis.RedisEngineConfig;
import dev.rotor.engine.redis.RedisEngineProvider;
import dev.rotor.engine.redis.RedisShardConfig;
import dev.rotor.engine.redis.RedisShardConfig.Address;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine table, and the v1 Redis options reaching the engine's typed configuration through the loader. */
class EngineFactoryTest {
    @TempDir
    Path dir;

    private final EngineFactory engines = EngineFactory.standard();

    @Test
    void theStandardTableHasMemoryAndRedis() {
        assertThat(engines.names()).containsExactlyInAnyOrder("memory", "redis");
    }

    @Test
    void anUnknownEngineIsV1sError() {
        assertThatThrownBy(() -> engines.create(load(Map.of("engine", "mongo"), Map.of())))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Unknown engine: mongo");
    }

    @Test
    void memoryIsTheDefault() {
        try (Engine e = engines.create(load(Map.of(), Map.of()))) {
            assertThat(e).isInstanceOf(MemoryEngine.class);
        }
    }

    @Test
    void redisIsCreatedFromItsResolvedKeys() {
        try (Engine e = engines.create(load(Map.of("redis_host", "10.0.0.1,10.0.0.2"),
                Map.of("CENTRIFUGO_ENGINE", "redis")))) {
            assertThat(e).isInstanceOf(RedisEngine.class);
            assertThat(((RedisEngine) e).config().shards()).extracting(RedisShardConfig::host)
                    .containsExactly("10.0.0.1", "10.0.0.2");
        }
    }

    @Test
    void optionsTheEngineRejectsAreAnErrorCreatingTheEngine() {
        RotorConfig c = load(Map.of("engine", "redis", "redis_host", "a,b", "redis_port", "1,2,3"), Map.of());

        assertThatThrownBy(() -> engines.create(c))
                .isInstanceOf(ConfigException.class)
                .hasMessage("Error creating engine: Malformed sharding configuration: wrong number of redis hosts");
    }

    @Test
    void redisOptionsAreNotCheckedForAnotherEngine() {
        RotorConfig c = load(Map.of("redis_host", "a,b", "redis_port", "1,2,3"), Map.of());

        try (Engine e = engines.create(c)) {
            assertThat(e).isInstanceOf(MemoryEngine.class);
        }
    }

    @Test
    void twoProvidersWithOneNameAreRejected() {
        assertThatThrownBy(() -> EngineFactory.of(List.of(new MemoryEngineProvider(), new MemoryEngineProvider())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("two engine providers named memory");
    }

    @Test
    void everyRedisKeyReachesTheTypedConfigFromFlagsOrEnvironment() {
        RedisEngineConfig direct = redis(Map.of("redis_host", "10.0.0.1,10.0.0.2", "redis_password", "pw",
                "redis_db", "2", "redis_api", true, "redis_api_num_shards", 3, "redis_prefix", "pfx",
                "redis_connect_timeout", 2, "redis_read_timeout", 7, "redis_pubsub_num_workers", 3),
                Map.of("CENTRIFUGO_REDIS_PORT", "7000"));
        RedisEngineConfig url = redis(Map.of(), Map.of("CENTRIFUGO_REDIS_URL", "redis://:secret@127.0.0.1:7001/5"));
        RedisEngineConfig sentinel = redis(Map.of("redis_master_name", "mymaster",
                "redis_sentinels", "127.0.0.1:26379, 127.0.0.1:26380", "redis_read_timeout", 0), Map.of());

        assertThat(direct).isEqualTo(RedisEngineConfig.builder()
                .shards(List.of(new RedisShardConfig("10.0.0.1", 7000, "pw", 2, "", List.of()),
                        new RedisShardConfig("10.0.0.2", 7000, "pw", 2, "", List.of())))
                .prefix("pfx").connectTimeout(Duration.ofSeconds(2)).commandTimeout(Duration.ofSeconds(7))
                .pubsubWorkers(3).api(true).apiNumShards(3).build());
        assertThat(url.shards()).containsExactly(new RedisShardConfig("127.0.0.1", 7001, "secret", 5, "", List.of()));
        assertThat(sentinel.shards()).containsExactly(new RedisShardConfig("127.0.0.1", 6379, "", 0, "mymaster",
                List.of(new Address("127.0.0.1", 26379), new Address("127.0.0.1", 26380))));
        assertThat(sentinel.commandTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void redisClusterAddressesComeFromAFlagOrAnArrayInTheFile() throws Exception {
        RedisClusterConfig expected = new RedisClusterConfig(List.of(new Address("127.0.0.1", 7000),
                new Address("127.0.0.1", 7001)), "pw");
        RedisEngineConfig flag = redis(Map.of("redis_cluster_addrs", "127.0.0.1:7000,127.0.0.1:7001",
                "redis_password", "pw"), Map.of());
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("cluster.json"),
                "{\"redis_cluster_addrs\": [\"127.0.0.1:7000\", \"127.0.0.1:7001\"], \"redis_password\": \"pw\"}");
        RedisEngineConfig array = new RedisEngineProvider().config(new ConfigLoader(file, Map.of(), Map.of(),
                () -> "h").load().config().engineValues());
        java.nio.file.Path wrong = java.nio.file.Files.writeString(dir.resolve("wrong.json"),
                "{\"redis_cluster_addrs\": [7000]}");

        assertThat(flag.cluster()).isEqualTo(expected);
        assertThat(array.cluster()).isEqualTo(expected);
        assertThatThrownBy(() -> new ConfigLoader(wrong, Map.of(), Map.of(), () -> "h").load().config()
                .engineValues().string("redis_cluster_addrs"))
                .hasMessageContaining("redis_cluster_addrs: expected a string or an array of strings");
    }

    @Test
    void theKeysDefaultsAreV1s() {
        assertThat(redis(Map.of(), Map.of())).isEqualTo(RedisEngineConfig.builder()
                .shard(RedisShardConfig.of("127.0.0.1", 6379)).prefix("centrifugo")
                .connectTimeout(Duration.ofSeconds(1)).commandTimeout(Duration.ofSeconds(10))
                .pubsubWorkers(Runtime.getRuntime().availableProcessors()).api(false).apiNumShards(0).build());
    }

    private RedisEngineConfig redis(Map<String, Object> flags, Map<String, String> env) {
        return new RedisEngineProvider().config(load(flags, env).engineValues());
    }

    /** The configuration from flags and environment, with no config file. */
    private RotorConfig load(Map<String, Object> flags, Map<String, String> env) {
        return new ConfigLoader(dir.resolve("absent.json"), env, flags, () -> "h").load().config();
    }
}
