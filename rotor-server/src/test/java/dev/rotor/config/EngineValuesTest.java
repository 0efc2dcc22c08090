package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.engine.ConfigValues;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine keys as an engine sees them. */
class EngineValuesTest {
    @TempDir
    Path dir;

    @Test
    void everyEngineKeyIsThereWithItsDefault() {
        ConfigValues v = load(Map.of());

        List<String> keys = EngineValues.KEYS.stream().map(ConfigKey::key).toList();
        assertThat(keys.get(0)).isEqualTo("memory_history_budget");
        assertThat(keys.subList(1, keys.size())).allMatch(k -> k.startsWith("redis_")).hasSize(18);
        assertThat(v.longValue("memory_history_budget")).isZero(); // beyond v1: 0 = a quarter of the heap
        assertThat(v.string("redis_host")).isEqualTo("127.0.0.1");
        assertThat(v.string("redis_port")).isEqualTo("6379");
        assertThat(v.string("redis_db")).isEqualTo("0");
        assertThat(v.integer("redis_pool")).isEqualTo(256);
        assertThat(v.bool("redis_api")).isFalse();
        assertThat(v.integer("redis_pubsub_num_workers")).isZero();
        assertThat(v.integer("redis_wait_replicas")).isZero(); // beyond v1, off by default
        assertThat(v.integer("redis_wait_timeout")).isEqualTo(1000);
    }

    @Test
    void valuesAreReadLeniently() {
        ConfigValues v = load(Map.of("redis_port", 7000, "redis_pool", "12", "redis_api", "t"));

        assertThat(v.string("redis_port")).isEqualTo("7000");
        assertThat(v.integer("redis_pool")).isEqualTo(12);
        assertThat(v.bool("redis_api")).isTrue();
    }

    @Test
    void aMistypedEngineKeyIsALoadErrorWhateverTheEngine() {
        assertThatThrownBy(() -> load(Map.of("redis_pool", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config error: redis_pool: expected an integer, got \"many\" (from flag --redis_pool)");
    }

    @Test
    void aKeyOutsideTheEngineBlockOrOfAnotherTypeIsAProgrammingError() {
        ConfigValues v = load(Map.of());

        assertThatThrownBy(() -> v.string("secret")).isInstanceOf(NoSuchElementException.class)
                .hasMessage("not an engine configuration key: secret");
        assertThatThrownBy(() -> v.integer("redis_port")).isInstanceOf(IllegalStateException.class)
                .hasMessage("configuration key redis_port is not of type Integer");
    }

    @Test
    void theHistoryBudgetIsReadAsALong() {
        assertThat(load(Map.of("memory_history_budget", "8589934592")).longValue("memory_history_budget"))
                .isEqualTo(8L << 30);
    }

    private ConfigValues load(Map<String, Object> flags) {
        return new ConfigLoader(dir.resolve("absent.json"), Map.of(), flags, () -> "h").load().config().engineValues();
    }
}
