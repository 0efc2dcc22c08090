package dev.rotor.engine.memory;

import dev.rotor.engine.Engine;
import dev.rotor.engine.PresenceStoreContract;
import dev.rotor.timer.ManualClock;
import java.time.Duration;

/** Runs the presence store contract against {@link MemoryEngine} on a manual clock. */
class MemoryPresenceStoreTest extends PresenceStoreContract {
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
