package dev.rotor.timer;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A millisecond clock that moves only when a test says so, for engines that take a {@link LongSupplier} clock
 * (such as {@code MemoryEngine}). Thread-safe.
 */
public final class ManualClock implements LongSupplier {
    private final AtomicLong millis;

    /** A clock at an arbitrary positive instant (only differences matter). */
    public ManualClock() {
        this(1_000_000L);
    }

    public ManualClock(long startMillis) {
        this.millis = new AtomicLong(startMillis);
    }

    @Override
    public long getAsLong() {
        return millis.get();
    }

    /** Moves the clock forward. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a clock only moves forward: " + duration);
        }
        millis.addAndGet(duration.toMillis());
    }
}
