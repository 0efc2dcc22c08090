package dev.rotor.timer;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One-shot timers a session arms from any thread (the stale-connection close, the expiry check). Thread-safe: both
 * {@link #schedule} and {@link Cancellable#cancel} may be called anywhere; a cancel that returns before the task
 * started means the task never runs.
 */
public interface Timers {

    /** A pending timer. */
    interface Cancellable {
        /** Stops the timer; idempotent, a no-op once it has fired. */
        void cancel();
    }

    /** Runs {@code task} once after {@code delay}. */
    Cancellable schedule(Runnable task, long delay, TimeUnit unit);

    /** Timers on a scheduled executor; tasks run on its threads. */
    static Timers onExecutor(ScheduledExecutorService executor) {
        return (task, delay, unit) -> {
            ScheduledFuture<?> f = executor.schedule(task, delay, unit);
            return () -> f.cancel(false);
        };
    }

    /**
     * Timers on a wheel confined to {@code loop}: tasks run on the loop; arming or cancelling from another thread
     * hops onto it first.
     *
     * @param inLoop true when the caller runs on {@code loop}
     */
    static Timers onWheel(TimerWheel wheel, Executor loop, BooleanSupplier inLoop) {
        return (task, delay, unit) -> {
            WheelTimer timer = new WheelTimer(wheel, task, loop, inLoop);
            long deadline = wheel.nanoTime() + unit.toNanos(delay);
            if (inLoop.getAsBoolean()) {
                timer.timeout.scheduleAt(deadline);
            } else {
                hop(loop, () -> {
                    if (!timer.cancelled) {
                        timer.timeout.scheduleAt(deadline);
                    }
                });
            }
            return timer;
        };
    }

    /**
     * Runs {@code task} on {@code loop}; a loop that has shut down takes no more tasks, and its wheel no longer runs,
     * so the task is moot and dropped.
     */
    private static void hop(Executor loop, Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // the server is shutting down: every connection of that loop is closing with it
        }
    }

    /** A {@link #onWheel} timer. Thread-safe. */
    final class WheelTimer implements Cancellable, Runnable {
        private final Runnable task;
        private final Executor loop;
        private final BooleanSupplier inLoop;
        /** Only touched on the loop. */
        private final Timeout timeout;
        /** Set once by cancel, read on the loop before arming and before running. */
        private volatile boolean cancelled;

        private WheelTimer(TimerWheel wheel, Runnable task, Executor loop, BooleanSupplier inLoop) {
            this.task = task;
            this.loop = loop;
            this.inLoop = inLoop;
            this.timeout = wheel.newTimeout(this);
        }

        @Override
        public void run() {
            if (!cancelled) {
                task.run();
            }
        }

        @Override
        public void cancel() {
            if (cancelled) {
                return;
            }
            cancelled = true;
            // unlink at once rather than leave the entry in its bucket until the deadline
            if (inLoop.getAsBoolean()) {
                timeout.cancel();
            } else {
                hop(loop, timeout::cancel);
            }
        }
    }
}
