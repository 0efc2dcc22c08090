package dev.rotor.timer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A millisecond clock that moves only when a test says so, for code that takes a {@link LongSupplier} clock (such as
 * {@code MemoryEngine}) or, through {@link #asClock()}, a {@link Clock} (such as {@code Node}). Thread-safe.
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

    /** This clock as a UTC {@link Clock} (its millis are epoch milliseconds to a {@code Clock} reader). */
    public Clock asClock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException("a manual clock is in UTC");
            }

            @Override
            public long millis() {
                return millis.get();
            }

            @Override
            public Instant instant() {
                return Instant.ofEpochMilli(millis.get());
            }
        };
    }
}
