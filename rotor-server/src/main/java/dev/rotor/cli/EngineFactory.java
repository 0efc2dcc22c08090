package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.Engine;
import dev.rotor.engine.memory.MemoryEngine;

/** Creates the engine named by {@code engine} (configuration.md §3.6, §6 step 3). Implementations are stateless. */
@FunctionalInterface
public interface EngineFactory {

    /**
     * Creates (but does not start) the engine.
     *
     * @throws ConfigException with the complete message to log as fatal, e.g. {@code Unknown engine: foo}
     */
    Engine create(RotorConfig config);

    /** The engines of this build: {@code memory}; {@code redis} is validated and then refused. */
    static EngineFactory standard() {
        return config -> {
            switch (config.engine()) {
                case "memory":
                    return new MemoryEngine();
                case "redis":
                    try {
                        config.redis().shards(); // the settings errors v1 reports first (redis-engine.md §1.1)
                    } catch (ConfigException e) {
                        throw new ConfigException("Error creating engine: " + e.getMessage(), e);
                    }
                    // Refused until the rotor-engine-redis module exists; the settings are already checked above.
                    throw new ConfigException("Error creating engine: the Redis engine is not in this build of Rotor"
                            + " yet; use --engine=memory");
                default:
                    throw new ConfigException("Unknown engine: " + config.engine());
            }
        };
    }
}
