package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.rotor.engine.ConfigValues;
import dev.rotor.engine.redis.RedisShardConfig.Address;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The v1 Redis keys (configuration.md §3.7) become one {@link RedisEngineConfig}, with v1's messages. */
class RedisEngineProviderTest {
    private final RedisEngineProvider provider = new RedisEngineProvider();

    @Test
    void itIsTheRedisEngine() {
        assertThat(provider.name()).isEqualTo("redis");
    }

    @Test
    void defaultsGiveOneLocalShard() {
        RedisEngineConfig c = config(Map.of());

        assertThat(c.shards()).containsExactly(new RedisShardConfig("127.0.0.1", 6379, "", 0, "", List.of()));
        assertThat(c.prefix()).isEqualTo("centrifugo");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.pubsubWorkers()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(c.api()).isFalse();
        assertThat(c.apiNumShards()).isZero();
    }

    @Test
    void aSingleHostOrPortAppliesToEveryShard() {
        List<RedisShardConfig> shards = config(Map.of("redis_port", "6379,6380", "redis_password", "pw")).shards();

        assertThat(shards).extracting(RedisShardConfig::host).containsExactly("127.0.0.1", "127.0.0.1");
        assertThat(shards).extracting(RedisShardConfig::port).containsExactly(6379, 6380);
        assertThat(shards).extracting(RedisShardConfig::password).containsOnly("pw");
    }

    @Test
    void urlsOverrideHostPortPasswordAndDb() {
        List<RedisShardConfig> shards = config(Map.of("redis_url", "redis://:p%40ss@10.0.0.1:7000/3,",
                "redis_host", "h1,h2", "redis_password", "global")).shards();

        assertThat(shards).containsExactly(
                new RedisShardConfig("10.0.0.1", 7000, "p@ss", 3, "", List.of()),
                new RedisShardConfig("h2", 6379, "global", 0, "", List.of()));
    }

    @Test
    void aUrlWithoutPasswordOrDbKeepsTheGlobalOnesAndUserInfoWithoutPasswordMeansNone() {
        assertThat(config(Map.of("redis_url", "redis://h:7000", "redis_password", "g", "redis_db", "4")).shards())
                .containsExactly(new RedisShardConfig("h", 7000, "g", 4, "", List.of()));
        assertThat(config(Map.of("redis_url", "redis://user@h:7000/", "redis_password", "g")).shards())
                .containsExactly(new RedisShardConfig("h", 7000, "", 0, "", List.of()));
    }

    @Test
    void sentinelAddressesAreTrimmedAndEmptiesSkipped() {
        List<RedisShardConfig> shards = config(Map.of("redis_master_name", "m", "redis_sentinels",
                " 10.0.0.1:26379, ,:26380 ")).shards();
        assertThat(shards).singleElement().satisfies(s -> {
            assertThat(s.sentinel()).isTrue();
            assertThat(s.masterName()).isEqualTo("m");
            assertThat(s.sentinels()).containsExactly(new Address("10.0.0.1", 26379),
                    new Address("localhost", 26380)); // v1 compat: an empty host is this machine
        });
    }

    @Test
    void anEmptyDbMeansZeroAnEmptyHostThisMachineAndAPortMayBePadded() {
        assertThat(config(Map.of("redis_db", "", "redis_host", "", "redis_port", " 7000 ")).shards())
                .containsExactly(new RedisShardConfig("localhost", 7000, "", 0, "", List.of()));
    }

    /** Every way to get the Redis keys wrong, with v1's message (redis-engine.md §1.1) or Rotor's. */
    static Stream<Arguments> invalid() {
        return Stream.of(
                arguments(Map.of("redis_host", "a,b", "redis_port", "1,2,3"),
                        "Malformed sharding configuration: wrong number of redis hosts"),
                arguments(Map.of("redis_host", "a,b,c", "redis_port", "1,2"),
                        "Malformed sharding configuration: wrong number of redis ports"),
                arguments(Map.of("redis_host", "a,b", "redis_url", "redis://x:1"),
                        "Malformed sharding configuration: wrong number of redis urls"),
                arguments(Map.of("redis_url", "redis://localhost/0"), "address localhost: missing port in address"),
                arguments(Map.of("redis_url", "redis://h:1/ x"),
                        "Malformed Redis URL redis://h:1/ x: Illegal character in path at index 12: redis://h:1/ x"),
                arguments(Map.of("redis_master_name", "m"), "Provide at least one Sentinel address"),
                arguments(Map.of("redis_master_name", "m", "redis_sentinels", ":26379", "redis_port", "1,2"),
                        "Redis master name must be set for every Redis shard when Sentinel used"),
                arguments(Map.of("redis_master_name", "m", "redis_sentinels", "nohost"),
                        "Malformed Sentinel address: nohost"),
                arguments(Map.of("redis_master_name", "m", "redis_sentinels", "h:port"),
                        "Malformed Sentinel address: h:port"),
                arguments(Map.of("redis_db", "one"), "malformed Redis db number: one"),
                arguments(Map.of("redis_db", "99999999999"), "malformed Redis db number: 99999999999"),
                arguments(Map.of("redis_url", "redis://h:1/x"), "malformed Redis db number: x"),
                arguments(Map.of("redis_port", "http"), "Malformed Redis port: http"),
                arguments(Map.of("redis_port", "0"), "Malformed Redis port: 0"),
                arguments(Map.of("redis_port", "65536"), "Malformed Redis port: 65536"),
                arguments(Map.of("redis_port", "-1"), "Malformed Redis port: -1"),
                arguments(Map.of("redis_port", ",6379"), "Malformed Redis port: "),
                arguments(Map.of("redis_port", "99999999999"), "Malformed Redis port: 99999999999"),
                arguments(Map.of("redis_api_num_shards", -1), "redis_api_num_shards must not be negative, got -1"),
                arguments(Map.of("redis_wait_replicas", -1), "redis_wait_replicas must not be negative, got -1"),
                arguments(Map.of("redis_wait_timeout", 0),
                        "redis_wait_timeout must be at least 1 ms and shorter than redis_read_timeout (10000 ms), got 0 ms"),
                arguments(Map.of("redis_wait_timeout", 10000, "redis_read_timeout", 10),
                        "redis_wait_timeout must be at least 1 ms and shorter than redis_read_timeout (10000 ms), "
                                + "got 10000 ms"),
                arguments(Map.of("redis_cluster_addrs", "h:1", "redis_master_name", "m", "redis_sentinels", "s:1"),
                        "redis_cluster_addrs cannot be combined with redis_master_name or redis_sentinels: "
                                + "Redis Cluster fails over by itself, without Sentinel"),
                arguments(Map.of("redis_cluster_addrs", "h:1", "redis_port", "1,2"),
                        "redis_cluster_addrs cannot be combined with redis_url or several redis_host/redis_port "
                                + "entries: Redis Cluster shards by itself, without client-side sharding"),
                arguments(Map.of("redis_cluster_addrs", "h:1", "redis_url", "redis://h:1"),
                        "redis_cluster_addrs cannot be combined with redis_url or several redis_host/redis_port "
                                + "entries: Redis Cluster shards by itself, without client-side sharding"),
                arguments(Map.of("redis_cluster_addrs", "h:1", "redis_db", "2"),
                        "redis_db must be 0 with redis_cluster_addrs: Redis Cluster has only database 0, got 2"),
                arguments(Map.of("redis_cluster_addrs", "h:1,nohost"), "Malformed Redis Cluster address: nohost"),
                arguments(Map.of("redis_cluster_addrs", "h:99999"), "Malformed Redis Cluster address: h:99999"),
                arguments(Map.of("redis_cluster_addrs", " , "), "Provide at least one Redis Cluster address"),
                arguments(Map.of("redis_cluster_addrs", "h:1", "redis_prefix", "a{b}"),
                        "redis_prefix must not contain { or } with redis_cluster_addrs: Rotor puts a hash tag after it"));
    }

    @Test
    void clusterAddressesAreTrimmedAndTakeThePassword() {
        RedisEngineConfig c = config(Map.of("redis_cluster_addrs", " 10.0.0.1:7000, ,[::1]:7001 ",
                "redis_password", "pw"));

        assertThat(c.clustered()).isTrue();
        assertThat(c.cluster()).isEqualTo(new RedisClusterConfig(
                List.of(new Address("10.0.0.1", 7000), new Address("::1", 7001)), "pw"));
        assertThat(config(Map.of()).clustered()).isFalse();
        assertThat(config(Map.of("redis_cluster_addrs", "h:1", "redis_wait_replicas", 1)).waitReplicas())
                .as("each master's replicas confirm its publications").isEqualTo(1);
    }

    @ParameterizedTest
    @MethodSource("invalid")
    void invalidKeysAreRejectedWithTheOperatorsMessage(Map<String, Object> values, String message) {
        assertThatThrownBy(() -> config(values)).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void timeoutsWorkersPrefixAndApiAreMapped() {
        RedisEngineConfig c = config(Map.of("redis_prefix", "pfx", "redis_connect_timeout", 2,
                "redis_read_timeout", 7, "redis_pubsub_num_workers", 3, "redis_api", true, "redis_api_num_shards", 4));

        assertThat(c.prefix()).isEqualTo("pfx");
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(c.pubsubWorkers()).isEqualTo(3);
        assertThat(c.api()).isTrue();
        assertThat(c.apiNumShards()).isEqualTo(4);
        assertThat(c.waitReplicas()).isZero(); // v1: acknowledged once the master has it
        assertThat(c.waitTimeout()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void replicaWaitIsMapped() {
        RedisEngineConfig c = config(Map.of("redis_wait_replicas", 2, "redis_wait_timeout", 250));

        assertThat(c.waitReplicas()).isEqualTo(2);
        assertThat(c.waitTimeout()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void zeroTimeoutsStayBounded() {
        RedisEngineConfig c = config(Map.of("redis_connect_timeout", 0, "redis_read_timeout", 0));

        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.commandTimeout()).isEqualTo(Duration.ofSeconds(60)); // v1's "none"; Rotor bounds every command
    }

    private RedisEngineConfig config(Map<String, Object> values) {
        return provider.config(new Values(values));
    }

    /** The §3.7 keys with v1's defaults, overridden by the given values, as the server resolves them. */
    private static final class Values implements ConfigValues {
        private static final Map<String, Object> DEFAULTS = Map.ofEntries(
                Map.entry("redis_host", "127.0.0.1"), Map.entry("redis_port", "6379"), Map.entry("redis_url", ""),
                Map.entry("redis_password", ""), Map.entry("redis_db", "0"), Map.entry("redis_pool", 256),
                Map.entry("redis_api", false), Map.entry("redis_api_num_shards", 0),
                Map.entry("redis_master_name", ""), Map.entry("redis_sentinels", ""),
                Map.entry("redis_prefix", "centrifugo"), Map.entry("redis_connect_timeout", 1),
                Map.entry("redis_read_timeout", 10), Map.entry("redis_write_timeout", 1),
                Map.entry("redis_pubsub_num_workers", 0), Map.entry("redis_wait_replicas", 0),
                Map.entry("redis_wait_timeout", 1000), Map.entry("redis_cluster_addrs", ""));

        private final Map<String, Object> values;

        Values(Map<String, Object> overrides) {
            Map<String, Object> v = new HashMap<>(DEFAULTS);
            overrides.forEach((k, value) -> {
                if (v.put(k, value) == null) {
                    throw new IllegalArgumentException("not a Redis key: " + k);
                }
            });
            values = Map.copyOf(v);
        }

        @Override
        public String string(String key) {
            return (String) values.get(key);
        }

        @Override
        public boolean bool(String key) {
            return (Boolean) values.get(key);
        }

        @Override
        public int integer(String key) {
            return (Integer) values.get(key);
        }

        @Override
        public long longValue(String key) {
            return (Long) values.get(key);
        }
    }
}
