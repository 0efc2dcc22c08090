package dev.rotor.timer;

/**
 * One reusable timeout of a {@link TimerWheel}: armed with {@link #schedule}, it runs its task once when due; it can
 * be re-armed (moving its deadline, from inside its own task too) or cancelled any number of times without
 * allocating. Confined to the wheel's thread.
 */
public final class Timeout {
    final TimerWheel wheel;
    final Runnable task;
    /** The wheel tick this timeout is due in; meaningful while armed. */
    long tick;
    /** Bucket neighbours; null when unarmed or at the bucket's ends. */
    Timeout prev;
    Timeout next;
    /** True while linked into a bucket. */
    boolean armed;

    Timeout(TimerWheel wheel, Runnable task) {
        this.wheel = wheel;
        this.task = task;
    }

    /** Arms this timeout to fire {@code delayNanos} from now, replacing any deadline it had. */
    public void schedule(long delayNanos) {
        scheduleAt(wheel.nanoTime() + delayNanos);
    }

    /** Arms this timeout to fire at the wheel clock's {@code deadlineNanos}, replacing any deadline it had. */
    public void scheduleAt(long deadlineNanos) {
        if (armed) {
            wheel.unlink(this);
        }
        wheel.link(this, deadlineNanos);
    }

    /** Disarms this timeout; a no-op when it is not armed. */
    public void cancel() {
        if (armed) {
            wheel.unlink(this);
        }
    }

    /** True while armed (scheduled and neither fired nor cancelled). */
    public boolean isArmed() {
        return armed;
    }
}
