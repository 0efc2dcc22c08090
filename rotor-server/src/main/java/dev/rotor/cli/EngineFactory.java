package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineProvider;
import dev.rotor.engine.memory.MemoryEngineProvider;
import dev.rotor.engine.redis.RedisEngineProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates the engine named by {@code engine} (configuration.md §3.6, §6 step 3) from a table of
 * {@link EngineProvider}s by name; each provider reads its own typed config from {@link RotorConfig#engineValues()}.
 * Adding an engine is one provider here, plus its keys in {@code ConfigKey}. Immutable and thread-safe.
 */
public final class EngineFactory {
    private final Map<String, EngineProvider<?>> providers;

    private EngineFactory(Map<String, EngineProvider<?>> providers) {
        this.providers = Map.copyOf(providers);
    }

    /** The engines of this build: {@code memory} and {@code redis}. */
    public static EngineFactory standard() {
        return of(List.of(new MemoryEngineProvider(), new RedisEngineProvider()));
    }

    /**
     * A factory over these providers.
     *
     * @throws IllegalArgumentException when two providers have the same name
     */
    public static EngineFactory of(List<? extends EngineProvider<?>> providers) {
        Map<String, EngineProvider<?>> byName = new LinkedHashMap<>();
        for (EngineProvider<?> p : providers) {
            if (byName.put(p.name(), p) != null) {
                throw new IllegalArgumentException("two engine providers named " + p.name());
            }
        }
        return new EngineFactory(byName);
    }

    /** The engine names this factory knows. */
    public Set<String> names() {
        return providers.keySet();
    }

    /**
     * Creates (but does not start) the engine.
     *
     * @throws ConfigException with the complete message to log as fatal: {@code Unknown engine: foo}, or
     *                         {@code Error creating engine: <reason>} for options the engine rejects (v1's texts)
     */
    public Engine create(RotorConfig config) {
        EngineProvider<?> provider = providers.get(config.engine());
        if (provider == null) {
            throw new ConfigException("Unknown engine: " + config.engine());
        }
        try {
            return provider.create(config.engineValues());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("Error creating engine: " + e.getMessage(), e);
        }
    }
}
