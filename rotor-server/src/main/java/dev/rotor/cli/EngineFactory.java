package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.RedisSettings;
import dev.rotor.config.RedisShard;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.Engine;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.engine.redis.RedisEngine;
import dev.rotor.engine.redis.RedisEngineConfig;
import dev.rotor.engine.redis.RedisShardConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Creates the engine named by {@code engine} (configuration.md §3.6, §6 step 3). Implementations are stateless. */
@FunctionalInterface
public interface EngineFactory {

    /**
     * Creates (but does not start) the engine.
     *
     * @throws ConfigException with the complete message to log as fatal, e.g. {@code Unknown engine: foo}
     */
    Engine create(RotorConfig config);

    /** The engines of this build: {@code memory} and {@code redis}. */
    static EngineFactory standard() {
        return config -> switch (config.engine()) {
            case "memory" -> new MemoryEngine();
            case "redis" -> {
                try {
                    yield new RedisEngine(redisConfig(config.redis()));
                } catch (ConfigException | IllegalArgumentException e) {
                    throw new ConfigException("Error creating engine: " + e.getMessage(), e);
                }
            }
            default -> throw new ConfigException("Unknown engine: " + config.engine());
        };
    }

    /** Maps the validated v1 Redis options to the engine's configuration (redis-engine.md §1). */
    static RedisEngineConfig redisConfig(RedisSettings settings) {
        List<RedisShardConfig> shards = new ArrayList<>();
        for (RedisShard s : settings.shards()) {
            shards.add(new RedisShardConfig(s.host(), number(s.port(), "port"), s.password(),
                    number(s.db(), "db"), s.masterName(), s.sentinels()));
        }
        // A read timeout of 0 means "none" in v1; Rotor keeps every command bounded (60 s then).
        int readTimeout = settings.readTimeout() > 0 ? settings.readTimeout() : 60;
        return RedisEngineConfig.builder()
                .shards(shards)
                .prefix(settings.prefix())
                .connectTimeout(Duration.ofSeconds(Math.max(1, settings.connectTimeout())))
                .commandTimeout(Duration.ofSeconds(readTimeout))
                .pubsubWorkers(settings.pubsubNumWorkers() > 0 ? settings.pubsubNumWorkers()
                        : Runtime.getRuntime().availableProcessors())
                .api(settings.api())
                .apiNumShards(settings.apiNumShards())
                .build();
    }

    private static int number(String value, String what) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException("Malformed Redis " + what + ": " + value);
        }
    }
}
