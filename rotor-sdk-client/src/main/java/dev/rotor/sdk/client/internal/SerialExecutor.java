package dev.rotor.sdk.client.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time, in submission order, on a delegate executor (the pattern from the {@link Executor}
 * javadoc), so that callbacks keep frame order even on a multi-threaded pool. Thread-safe. A task that throws does
 * not stop the ones after it: whatever it throws, an {@link Error} included (an application's {@code AssertionError}
 * or {@code StackOverflowError} in a listener), goes to the running thread's uncaught-exception handler and the
 * drain goes on. Catching less would leave {@link #running} true for ever: no task would run again.
 */
final class SerialExecutor implements Executor {
    private final Executor delegate;
    /** Guarded by {@code this}. */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    /** Guarded by {@code this}; true while a drain is scheduled or running on the delegate. */
    private boolean running;
    /** The thread running tasks right now, or null between drains. */
    private volatile Thread runner;
    /** Guarded by {@code this}: runs once fewer than {@link #shorterThan} tasks are queued; null when none waits. */
    private Runnable whenShorter;
    private int shorterThan;

    SerialExecutor(Executor delegate) {
        this.delegate = delegate;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (this) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            delegate.execute(this::drain);
        } catch (RuntimeException e) {
            synchronized (this) {
                running = false;
                tasks.remove(task); // the caller decides what to do with a refused task
            }
            throw e;
        }
    }

    /**
     * Runs {@code action} once fewer than {@code limit} tasks are queued: now, on the caller, if they already are,
     * else on the draining thread. One action waits at a time; a second call replaces it.
     */
    void whenShorterThan(int limit, Runnable action) {
        synchronized (this) {
            if (tasks.size() >= limit) {
                shorterThan = limit;
                whenShorter = action;
                return;
            }
        }
        action.run();
    }

    /** True when called from inside a task of this executor. */
    boolean inTask() {
        return runner == Thread.currentThread();
    }

    private void drain() {
        runner = Thread.currentThread();
        while (true) {
            Runnable next;
            Runnable shorter = null;
            synchronized (this) {
                next = tasks.poll();
                if (whenShorter != null && tasks.size() < shorterThan) {
                    shorter = whenShorter;
                    whenShorter = null;
                }
                if (next == null) {
                    running = false;
                    runner = null;
                }
            }
            if (shorter != null) {
                runReporting(shorter);
            }
            if (next == null) {
                return;
            }
            runReporting(next);
        }
    }

    private static void runReporting(Runnable task) {
        try {
            task.run();
        } catch (Throwable e) {
            Thread t = Thread.currentThread();
            t.getUncaughtExceptionHandler().uncaughtException(t, e);
        }
    }
}
