package dev.rotor.engine.memory;

import dev.rotor.engine.ConfigValues;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineProvider;

/**
 * Provides the {@code memory} engine (memory-engine.md), the default. Its one option, beyond v1, is
 * {@code memory_history_budget} (bytes; 0 = {@link MemoryEngine#defaultHistoryBudget()}); the config is that budget,
 * resolved. Stateless and thread-safe.
 */
public final class MemoryEngineProvider implements EngineProvider<Long> {
    /** The key of the history budget. */
    public static final String HISTORY_BUDGET = "memory_history_budget";

    /** The value of the {@code engine} key that selects this engine. */
    public static final String NAME = "memory";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Long config(ConfigValues values) {
        long budget = values.longValue(HISTORY_BUDGET);
        if (budget < 0) {
            throw new IllegalArgumentException(HISTORY_BUDGET + " must be 0 (a quarter of the heap) or positive, got "
                    + budget);
        }
        return budget == 0 ? MemoryEngine.defaultHistoryBudget() : budget;
    }

    @Override
    public Engine create(Long historyBudget) {
        return new MemoryEngine(historyBudget);
    }
}
