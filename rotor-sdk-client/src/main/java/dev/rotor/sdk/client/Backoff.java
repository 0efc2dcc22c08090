package dev.rotor.sdk.client;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Reconnect policy: exponential backoff with jitter, capped, optionally limited in attempts. Immutable.
 *
 * <p>Attempt {@code n} (0 for the first reconnect) waits {@code min(max, min * factor^n)}, reduced by a random
 * share of up to {@code jitter} of itself so that many clients dropped together do not come back in step. The
 * defaults follow centrifuge-js 1.x ({@code retry} 1 s, {@code maxRetry} 20 s).
 *
 * @param min         delay before the first reconnect attempt
 * @param max         upper bound of any delay
 * @param factor      growth per attempt, at least 1
 * @param jitter      share of the delay that is randomised, in [0, 1]
 * @param maxAttempts reconnect attempts in a row before the client gives up; 0 for no limit
 */
public record Backoff(Duration min, Duration max, double factor, double jitter, int maxAttempts) {
    /** 1 s doubling up to 20 s, half of it jittered, never giving up. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(20), 2, 0.5, 0);

    public Backoff {
        Objects.requireNonNull(min, "min");
        Objects.requireNonNull(max, "max");
        if (min.isNegative() || max.compareTo(min) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= min <= max, got " + min + " and " + max);
        }
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("backoff factor must be at least 1, got " + factor);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("backoff jitter must be in [0, 1], got " + jitter);
        }
        if (maxAttempts < 0) {
            throw new IllegalArgumentException("maxAttempts must be >= 0 (0 = unlimited), got " + maxAttempts);
        }
    }

    /** True when attempt number {@code attempt} (0-based) may still be made. */
    public boolean allows(int attempt) {
        return maxAttempts == 0 || attempt < maxAttempts;
    }

    /**
     * The delay before reconnect attempt {@code attempt} (0-based).
     *
     * @param random a source of values in [0, 1), e.g. {@code ThreadLocalRandom.current()::nextDouble}
     */
    public Duration delay(int attempt, DoubleSupplier random) {
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0");
        }
        double base = min.toMillis() * Math.pow(factor, Math.min(attempt, 64));
        double capped = Math.min(base, max.toMillis());
        double r = Math.min(Math.max(random.getAsDouble(), 0), 1);
        return Duration.ofMillis(Math.round(capped * (1 - jitter * r)));
    }
}
