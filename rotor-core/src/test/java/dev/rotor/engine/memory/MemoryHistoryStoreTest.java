package dev.rotor.engine.memory;

import dev.rotor.engine.Engine;
import dev.rotor.engine.HistoryStoreContract;
import dev.rotor.timer.ManualClock;
import java.time.Duration;

/** Runs the history store contract against {@link MemoryEngine} on a manual clock. */
class MemoryHistoryStoreTest extends HistoryStoreContract {
    private final ManualClock clock = new ManualClock();

    @Override
    protected Engine newEngine() {
        return new MemoryEngine(clock);
    }

    @Override
    protected void advanceTime(Duration duration) {
        clock.advance(duration);
    }
}
