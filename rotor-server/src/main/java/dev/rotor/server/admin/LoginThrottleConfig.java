package dev.rotor.server.admin;

/**
 * Limits of the {@code /auth/} password throttle ({@link LoginThrottle}; docs/security.md, "Admin login
 * throttling"). Immutable.
 *
 * @param firstDelayMillis    how long the answer to an address's first failed login waits; each further failure
 *                            doubles it ({@code admin_auth_delay_ms})
 * @param maxDelayMillis      the cap of that delay ({@code admin_auth_max_delay_ms})
 * @param failuresPerSecond   failed logins per second over all addresses together, with a burst of as many; past
 *                            it attempts are refused unchecked ({@code admin_auth_max_failures_per_second})
 * @param maxAddresses        addresses whose failures are remembered; the least recently seen is forgotten first
 * @param maxPending          attempts being checked or waiting for their delayed answer, over all addresses
 * @param forgetAfterMillis   an address's failures are forgotten this long after its last one
 */
public record LoginThrottleConfig(long firstDelayMillis, long maxDelayMillis, int failuresPerSecond,
        int maxAddresses, int maxPending, long forgetAfterMillis) {
    /** The largest delay accepted: an hour; a held answer longer than that only keeps a connection open. */
    public static final long MAX_DELAY_LIMIT_MILLIS = 3_600_000;

    public LoginThrottleConfig {
        if (firstDelayMillis < 0 || maxDelayMillis < firstDelayMillis || maxDelayMillis > MAX_DELAY_LIMIT_MILLIS) {
            throw new IllegalArgumentException("need 0 <= first delay <= max delay <= " + MAX_DELAY_LIMIT_MILLIS
                    + " ms, got " + firstDelayMillis + " and " + maxDelayMillis);
        }
        if (failuresPerSecond < 1 || maxAddresses < 1 || maxPending < 1 || forgetAfterMillis < 1) {
            throw new IllegalArgumentException("login throttle limits must be positive");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder with the documented defaults; not thread-safe. */
    public static final class Builder {
        private long firstDelayMillis = 1000;
        private long maxDelayMillis = 10_000;
        private int failuresPerSecond = 10;
        private int maxAddresses = 10_000;
        private int maxPending = 100;
        private long forgetAfterMillis = 15 * 60 * 1000;

        public Builder firstDelayMillis(long v) { firstDelayMillis = v; return this; }
        public Builder maxDelayMillis(long v) { maxDelayMillis = v; return this; }
        public Builder failuresPerSecond(int v) { failuresPerSecond = v; return this; }
        public Builder maxAddresses(int v) { maxAddresses = v; return this; }
        public Builder maxPending(int v) { maxPending = v; return this; }
        public Builder forgetAfterMillis(long v) { forgetAfterMillis = v; return this; }

        public LoginThrottleConfig build() {
            return new LoginThrottleConfig(firstDelayMillis, maxDelayMillis, failuresPerSecond, maxAddresses,
                    maxPending, forgetAfterMillis);
        }
    }
}
