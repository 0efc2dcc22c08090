package dev.rotor.timer;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A hashed timer wheel for many coarse one-shot timeouts: {@code size} buckets of {@code tick} each, every bucket a
 * doubly linked list of {@link Timeout}s, so arming, re-arming and cancelling are O(1) and no timer object is held
 * in a priority queue. Whoever owns the wheel calls {@link #advance()} regularly (e.g. once per tick from one
 * scheduled task); it runs, on the calling thread, every timeout whose deadline the clock has passed.
 *
 * <p>A timeout never fires before its deadline and at most one tick plus the driver's own lateness after it.
 * Timeouts due in the same tick fire in the order they were armed. {@code advance} catches up by the clock, not by
 * how often it is called, so a late driver neither drifts nor loses timeouts. Advancing allocates nothing.
 *
 * <p>Confined to one thread (the owning event loop): construction aside, every method of the wheel and of its
 * timeouts must be called on that thread. {@link Timers#onWheel} is the thread-safe view.
 */
public final class TimerWheel {
    private static final Logger log = LoggerFactory.getLogger(TimerWheel.class);

    private final long tickNanos;
    private final int mask;
    private final LongSupplier nanoClock;
    /** Clock reading at construction; tick {@code k} is due at {@code origin + k × tickNanos}. */
    private final long origin;
    /** Bucket heads and tails ({@code tick & mask}); null when the bucket is empty. */
    private final Timeout[] heads;
    private final Timeout[] tails;
    /** The next tick to process; every armed timeout has {@code tick >= nextTick}, except those of the tick being expired. */
    private long nextTick;
    /** The next timeout the running {@link #advance} will look at; null outside advance. Kept valid by unlink. */
    private Timeout cursor;
    /** Armed timeouts. */
    private int size;

    /**
     * @param tick      bucket width; timeouts are rounded up to it
     * @param unit      unit of {@code tick}
     * @param size      number of buckets, rounded up to a power of two; {@code size × tick} is one turn of the wheel
     *                  (longer timeouts go round more than once, skipped by each bucket visit until due)
     * @param nanoClock monotonic clock in nanoseconds ({@code System::nanoTime}, or a test clock)
     */
    public TimerWheel(long tick, TimeUnit unit, int size, LongSupplier nanoClock) {
        if (tick <= 0 || size <= 0 || size > 1 << 20) {
            throw new IllegalArgumentException("tick and size must be positive (size at most 2^20)");
        }
        this.tickNanos = unit.toNanos(tick);
        int n = 1;
        while (n < size) {
            n <<= 1;
        }
        this.mask = n - 1;
        this.heads = new Timeout[n];
        this.tails = new Timeout[n];
        this.nanoClock = nanoClock;
        this.origin = nanoClock.getAsLong();
        this.nextTick = 1;
    }

    /** A new, unarmed timeout that runs {@code task} on this wheel's thread each time it fires. */
    public Timeout newTimeout(Runnable task) {
        return new Timeout(this, task);
    }

    /** The wheel's clock. */
    public long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** Tick width in nanoseconds. */
    public long tickNanos() {
        return tickNanos;
    }

    /** Number of buckets. */
    public int buckets() {
        return heads.length;
    }

    /** Armed timeouts. */
    public int size() {
        return size;
    }

    /**
     * Processes every tick the clock has reached: fires the timeouts due in it (a task that throws is logged and the
     * others still run). Timeouts armed by a task for a time already past fire in the next tick, not in this call.
     *
     * @return the number of timeouts fired
     */
    public int advance() {
        long now = nanoClock.getAsLong();
        int fired = 0;
        // ticks are due while origin + nextTick × tickNanos <= now; the subtraction keeps it overflow-safe
        while (now - origin - nextTick * tickNanos >= 0) {
            long tick = nextTick;
            // before the tasks run, so a timeout they arm lands in a later tick, never behind the wheel
            nextTick = tick + 1;
            if (size > 0) {
                fired += expire(tick);
            }
        }
        return fired;
    }

    private int expire(long tick) {
        int fired = 0;
        int bucket = (int) (tick & mask);
        cursor = heads[bucket];
        while (cursor != null) {
            Timeout t = cursor;
            cursor = t.next;
            if (t.tick <= tick) {
                unlink(t);
                fired++;
                try {
                    t.task.run();
                } catch (Throwable e) {
                    // the owner's driver must survive any task, or every other timeout of this wheel would stop
                    log.warn("timeout task failed", e);
                }
            }
        }
        return fired;
    }

    /** Arms {@code t} (already unlinked) for {@code deadlineNanos}; called by {@link Timeout}. */
    void link(Timeout t, long deadlineNanos) {
        long elapsed = deadlineNanos - origin;
        // ceil(elapsed / tick): the first tick at or after the deadline; never earlier than the next tick
        long tick = elapsed <= 0 ? 0 : (elapsed - 1) / tickNanos + 1;
        t.tick = Math.max(tick, nextTick);
        int bucket = (int) (t.tick & mask);
        Timeout tail = tails[bucket];
        t.prev = tail;
        t.next = null;
        if (tail == null) {
            heads[bucket] = t;
        } else {
            tail.next = t;
        }
        tails[bucket] = t;
        t.armed = true;
        size++;
    }

    /** Disarms {@code t} (armed); called by {@link Timeout} and by expiry. */
    void unlink(Timeout t) {
        int bucket = (int) (t.tick & mask);
        if (cursor == t) {
            cursor = t.next;
        }
        if (t.prev == null) {
            heads[bucket] = t.next;
        } else {
            t.prev.next = t.next;
        }
        if (t.next == null) {
            tails[bucket] = t.prev;
        } else {
            t.next.prev = t.prev;
        }
        t.prev = null;
        t.next = null;
        t.armed = false;
        size--;
    }
}
