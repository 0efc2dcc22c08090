package dev.rotor.engine.memory;

import dev.rotor.engine.ConfigValues;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineProvider;

/**
 * Provides the {@code memory} engine (memory-engine.md), the default. It has no options of its own, so its config is
 * {@code Void} (always null). Stateless and thread-safe.
 */
public final class MemoryEngineProvider implements EngineProvider<Void> {
    /** The value of the {@code engine} key that selects this engine. */
    public static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Void config(ConfigValues values) {
        return null;
    }

    @Override
    public Engine create(Void config) {
        return new MemoryEngine();
    }
}
