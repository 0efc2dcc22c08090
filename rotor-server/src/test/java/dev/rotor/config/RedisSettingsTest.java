package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisSettingsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsGiveOneLocalShard() {
        RedisSettings r = settings(Map.of());

        assertThat(r.prefix()).isEqualTo("centrifugo");
        assertThat(r.pool()).isEqualTo(256);
        assertThat(r.connectTimeout()).isEqualTo(1);
        assertThat(r.readTimeout()).isEqualTo(10);
        assertThat(r.writeTimeout()).isEqualTo(1);
        assertThat(r.shards()).containsExactly(new RedisShard("127.0.0.1", "6379", "", "0", "", List.of()));
    }

    @Test
    void aSingleHostOrPortAppliesToEveryShard() {
        List<RedisShard> shards = settings(Map.of("redis_port", "6379,6380", "redis_password", "pw")).shards();

        assertThat(shards).extracting(RedisShard::host).containsExactly("127.0.0.1", "127.0.0.1");
        assertThat(shards).extracting(RedisShard::port).containsExactly("6379", "6380");
        assertThat(shards).extracting(RedisShard::password).containsOnly("pw");
    }

    @Test
    void listLengthsMustMatchTheShardCount() {
        assertThatThrownBy(() -> settings(Map.of("redis_host", "a,b", "redis_port", "1,2,3")).shards())
                .hasMessage("Malformed sharding configuration: wrong number of redis hosts");
        assertThatThrownBy(() -> settings(Map.of("redis_host", "a,b,c", "redis_port", "1,2")).shards())
                .hasMessage("Malformed sharding configuration: wrong number of redis ports");
        assertThatThrownBy(() -> settings(Map.of("redis_host", "a,b", "redis_url", "redis://x:1")).shards())
                .hasMessage("Malformed sharding configuration: wrong number of redis urls");
    }

    @Test
    void urlsOverrideHostPortPasswordAndDb() {
        List<RedisShard> shards = settings(Map.of("redis_url", "redis://:p%40ss@10.0.0.1:7000/3,",
                "redis_host", "h1,h2", "redis_password", "global")).shards();

        assertThat(shards).containsExactly(
                new RedisShard("10.0.0.1", "7000", "p@ss", "3", "", List.of()),
                new RedisShard("h2", "6379", "global", "0", "", List.of()));
    }

    @Test
    void aUrlNeedsAPort() {
        assertThatThrownBy(() -> settings(Map.of("redis_url", "redis://localhost/0")).shards())
                .hasMessage("address localhost: missing port in address");
    }

    @Test
    void sentinelRules() {
        assertThatThrownBy(() -> settings(Map.of("redis_master_name", "m")).shards())
                .hasMessage("Provide at least one Sentinel address");
        assertThatThrownBy(() -> settings(Map.of("redis_master_name", "m", "redis_sentinels", ":26379",
                "redis_port", "1,2")).shards())
                .hasMessage("Redis master name must be set for every Redis shard when Sentinel used");
        assertThatThrownBy(() -> settings(Map.of("redis_master_name", "m", "redis_sentinels", "nohost")).shards())
                .hasMessage("Malformed Sentinel address: nohost");

        List<RedisShard> shards = settings(Map.of("redis_master_name", "m", "redis_sentinels",
                " 10.0.0.1:26379, ,:26380 ")).shards();
        assertThat(shards).singleElement().satisfies(s -> {
            assertThat(s.sentinel()).isTrue();
            assertThat(s.masterName()).isEqualTo("m");
            assertThat(s.sentinels()).containsExactly("10.0.0.1:26379", ":26380");
        });
    }

    @Test
    void dbMustBeANumberAndEmptyMeansZero() {
        assertThat(settings(Map.of("redis_db", "")).shards().get(0).db()).isEqualTo("0");
        assertThatThrownBy(() -> settings(Map.of("redis_db", "one")).shards())
                .hasMessage("malformed Redis db number: one");
    }

    /** The Redis settings loaded from flags, which are as good as file values here. */
    private RedisSettings settings(Map<String, String> flags) {
        Path absent = dir.resolve("absent.json");
        return new ConfigLoader(absent, Map.of(), flags, () -> "h").load().config().redis();
    }
}
