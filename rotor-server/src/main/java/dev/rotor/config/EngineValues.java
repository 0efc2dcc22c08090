package dev.rotor.config;

import dev.rotor.engine.ConfigValues;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * The engine keys (configuration.md §3.7) as resolved at load time, each converted to its declared type, handed to
 * the engine's provider as a {@link ConfigValues}. Reading them at load keeps v1's timing of type errors (a
 * {@code redis_pool} of {@code "abc"} is a load error, even for the memory engine); what the values mean is checked
 * by the engine when it is created. Immutable.
 */
final class EngineValues implements ConfigValues {
    /** The keys an engine may read: the memory engine's history budget and the Redis engine's block of §3.7. */
    static final Set<ConfigKey> KEYS = EnumSet.range(ConfigKey.MEMORY_HISTORY_BUDGET, ConfigKey.REDIS_WAIT_TIMEOUT);

    private final Map<String, Object> values;

    private EngineValues(Map<String, Object> values) {
        this.values = Map.copyOf(values);
    }

    static EngineValues read(ConfigSources s) {
        Map<String, Object> values = new HashMap<>();
        for (ConfigKey k : KEYS) {
            values.put(k.key(), switch (k.type()) {
                case STRING -> s.string(k);
                case BOOL -> s.bool(k);
                case INT -> s.integer(k);
                case LONG -> s.longValue(k);
            });
        }
        return new EngineValues(values);
    }

    @Override
    public String string(String key) {
        return get(key, String.class);
    }

    @Override
    public boolean bool(String key) {
        return get(key, Boolean.class);
    }

    @Override
    public int integer(String key) {
        return get(key, Integer.class);
    }

    @Override
    public long longValue(String key) {
        return get(key, Long.class);
    }

    private <T> T get(String key, Class<T> type) {
        Object v = values.get(key);
        if (v == null) {
            throw new NoSuchElementException("not an engine configuration key: " + key);
        }
        if (!type.isInstance(v)) {
            throw new IllegalStateException("configuration key " + key + " is not of type " + type.getSimpleName());
        }
        return type.cast(v);
    }

    @Override
    public String toString() {
        return "EngineValues" + values.keySet();
    }
}
