package dev.rotor.server.admin;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Slows down password guessing at {@code /auth/} (docs/security.md, "Admin login throttling"). Pure logic on an
 * injected clock; the handler turns its answers into immediate, delayed or refused HTTP responses. Thread-safe: all
 * state is guarded by {@code this}, every method is O(1) amortised and none blocks.
 *
 * <p>An attempt is {@link #admit admitted} (its password may be checked) only when its address has no other attempt
 * in progress, fewer than {@code maxPending} attempts are in progress over all addresses, and the global failure
 * budget ({@code failuresPerSecond}, a token bucket) is not spent; otherwise it is refused unchecked, so a refused
 * guess tells the attacker nothing. After the check the caller reports {@link #succeeded} (the address is
 * forgotten) or {@link #failed}, which returns how long to hold the failure's answer: {@code firstDelay ×
 * 2^(failures − 1)}, capped at {@code maxDelay}, where failures counts the address's recent failures. The attempt
 * stays in progress until the caller reports {@link #answered}. So one address gets at most one guess per delay,
 * and all addresses together at most {@code failuresPerSecond} (plus the burst), which still holds behind a proxy
 * or from many addresses.
 *
 * <p>Bounded state: at most {@code maxAddresses} addresses are remembered (least recently seen evicted first) and
 * an address's failures are forgotten {@code forgetAfter} after its last one.
 */
public final class LoginThrottle {
    private static final long COST = 1000;
    private static final long DAY_MILLIS = 86_400_000L;

    private final LoginThrottleConfig config;
    /** Monotonic milliseconds. */
    private final LongSupplier clock;
    /** Remembered addresses, least recently seen first; guarded by {@code this}. */
    private final LinkedHashMap<Object, Entry> addresses;
    /** Attempts admitted and not yet answered, over all addresses; guarded by {@code this}. */
    private int pending;
    /**
     * The global failure budget in thousandths of a failure (integers, so refills are exact): a failure costs
     * {@value #COST}; each millisecond adds {@code failuresPerSecond}, up to {@code failuresPerSecond} failures.
     * May go negative while admitted attempts fail. Guarded by {@code this}.
     */
    private long budget;
    /** Clock reading of the last refill; guarded by {@code this}. */
    private long refilledAt;

    /** One address's state; guarded by the throttle's monitor. */
    private static final class Entry {
        /** Failures since the address was last forgotten. */
        int failures;
        /** Clock reading of the last failure. */
        long lastFailureAt;
        /** An attempt of this address is being checked or waits for its delayed answer. */
        boolean inProgress;
    }

    /** @param clock monotonic milliseconds (e.g. {@code System.nanoTime() / 1_000_000}, or a test clock) */
    public LoginThrottle(LoginThrottleConfig config, LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.addresses = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Object, Entry> eldest) {
                return size() > config.maxAddresses();
            }
        };
        this.budget = config.failuresPerSecond() * COST;
        this.refilledAt = clock.getAsLong();
    }

    /**
     * Whether an attempt from {@code address} may have its password checked now. When true, the caller must
     * report {@link #succeeded} or {@link #failed} and then {@link #answered}; when false, it answers at once
     * without checking.
     *
     * @param address the key of the peer (e.g. its IP address); compared with {@code equals}
     */
    public synchronized boolean admit(Object address) {
        long now = clock.getAsLong();
        refill(now);
        if (pending >= config.maxPending() || budget < COST) {
            return false;
        }
        Entry e = addresses.get(address);
        if (e != null && e.failures > 0 && now - e.lastFailureAt >= config.forgetAfterMillis()) {
            e.failures = 0;
        }
        if (e == null) {
            e = new Entry();
            addresses.put(address, e);
        } else if (e.inProgress) {
            return false;
        }
        e.inProgress = true;
        pending++;
        return true;
    }

    /** The admitted attempt checked the right password: the address's failures are forgotten. */
    public synchronized void succeeded(Object address) {
        addresses.remove(address);
    }

    /**
     * The admitted attempt failed; returns how many milliseconds its answer must wait. The attempt remains in
     * progress until {@link #answered}.
     */
    public synchronized long failed(Object address) {
        long now = clock.getAsLong();
        refill(now);
        budget -= COST;
        Entry e = addresses.get(address);
        if (e == null) { // evicted while being checked: remember it again
            e = new Entry();
            e.inProgress = true;
            addresses.put(address, e);
        }
        e.failures++;
        e.lastFailureAt = now;
        long delay = config.firstDelayMillis();
        for (int i = 1; i < e.failures && delay > 0 && delay < config.maxDelayMillis(); i++) {
            delay *= 2; // stops at the cap long before it could overflow
        }
        return Math.min(delay, config.maxDelayMillis());
    }

    /** The admitted attempt was answered (after {@link #succeeded}, or after the delay {@link #failed} gave). */
    public synchronized void answered(Object address) {
        pending--;
        Entry e = addresses.get(address);
        if (e != null) {
            e.inProgress = false;
        }
    }

    /** Attempts in progress (for tests and metrics). */
    public synchronized int pending() {
        return pending;
    }

    /** Addresses remembered (for tests). */
    public synchronized int addressCount() {
        evictForgotten(clock.getAsLong());
        return addresses.size();
    }

    private void refill(long now) {
        long elapsed = now - refilledAt;
        if (elapsed > 0) {
            long cap = config.failuresPerSecond() * COST;
            // a day refills any budget; capping elapsed there keeps the product far from overflowing
            budget = Math.min(cap, budget + Math.min(elapsed, DAY_MILLIS) * config.failuresPerSecond());
            refilledAt = now;
        }
        evictForgotten(now);
    }

    /**
     * Drops forgotten addresses from the least recently seen end; stops at the first one still remembered, so the
     * cost is amortised over the entries it removes.
     */
    private void evictForgotten(long now) {
        Iterator<Entry> it = addresses.values().iterator();
        while (it.hasNext()) {
            Entry e = it.next();
            if (e.inProgress || now - e.lastFailureAt < config.forgetAfterMillis()) {
                return;
            }
            it.remove();
        }
    }
}
