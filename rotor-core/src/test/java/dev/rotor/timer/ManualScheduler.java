package dev.rotor.timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} on a {@link ManualClock}: nothing runs until a test calls {@link #advance} (or
 * {@link #runDue}), which moves the clock from deadline to deadline and runs each task due on the calling thread,
 * so the node's session timers and periodic work fire exactly when the test says and never on the wall clock.
 * Tasks given to {@link #execute} are due at once. Thread-safe: tasks may be scheduled and cancelled from any
 * thread; they run outside the scheduler's lock.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    /** Pending tasks, earliest deadline first, then in scheduling order. Guarded by itself. */
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
    /** Ties tasks due at the same millisecond to their scheduling order. Guarded by {@link #queue}. */
    private long sequence;
    /** Set once by shutdown; no task is accepted or run after. Guarded by {@link #queue}. */
    private boolean shutdown;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** The clock this scheduler's deadlines are read on. */
    public ManualClock clock() {
        return clock;
    }

    /**
     * Lets {@code duration} pass: runs every task due within it in deadline order, with the clock set to each task's
     * deadline while it runs (a periodic task may run several times), and leaves the clock at the end.
     */
    public void advance(Duration duration) {
        long target = clock.getAsLong() + duration.toMillis();
        Task<?> task;
        while ((task = pollDue(target)) != null) {
            clock.advance(Duration.ofMillis(Math.max(0, task.deadline - clock.getAsLong())));
            task.runOnce();
        }
        clock.advance(Duration.ofMillis(Math.max(0, target - clock.getAsLong())));
    }

    /** Runs the tasks due now (those given to {@link #execute} among them) without moving the clock. */
    public void runDue() {
        advance(Duration.ZERO);
    }

    /** Tasks scheduled and neither run (for one-shot tasks) nor cancelled. */
    public int pendingCount() {
        synchronized (queue) {
            return queue.size();
        }
    }

    private Task<?> pollDue(long target) {
        synchronized (queue) {
            Task<?> head = queue.peek();
            if (shutdown || head == null || head.deadline > target) {
                return null;
            }
            return queue.poll();
        }
    }

    private <V> Task<V> enqueue(Task<V> task) {
        synchronized (queue) {
            if (shutdown) {
                throw new RejectedExecutionException("manual scheduler is shut down");
            }
            task.sequence = sequence++;
            queue.add(task);
        }
        return task;
    }

    private long deadline(long delay, TimeUnit unit) {
        return clock.getAsLong() + Math.max(0, unit.toMillis(delay));
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return enqueue(new Task<>(new FutureTaskOf<Void>(command), deadline(delay, unit), 0));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return enqueue(new Task<>(new FutureTaskOf<>(callable), deadline(delay, unit), 0));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return enqueue(new Task<>(new FutureTaskOf<Void>(command), deadline(initialDelay, unit),
                periodMillis(period, unit)));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        // the clock does not move while a task runs, so fixed delay and fixed rate coincide
        return scheduleAtFixedRate(command, initialDelay, delay, unit);
    }

    private static long periodMillis(long period, TimeUnit unit) {
        long millis = unit.toMillis(period);
        if (millis <= 0) {
            throw new IllegalArgumentException("period must be at least a millisecond: " + period + " " + unit);
        }
        return millis;
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdown() {
        synchronized (queue) {
            shutdown = true;
            queue.clear();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> pending;
        synchronized (queue) {
            pending = new ArrayList<>(queue);
        }
        shutdown();
        return pending;
    }

    @Override
    public boolean isShutdown() {
        synchronized (queue) {
            return shutdown;
        }
    }

    @Override
    public boolean isTerminated() {
        return isShutdown();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isShutdown();
    }

    /** A FutureTask whose periodic runs can reset it. */
    private static final class FutureTaskOf<V> extends FutureTask<V> {
        FutureTaskOf(Runnable runnable) {
            super(runnable, null);
        }

        FutureTaskOf(Callable<V> callable) {
            super(callable);
        }

        boolean runAndKeep() {
            return runAndReset();
        }
    }

    /** One scheduled task; its deadline moves on after each run of a periodic task. */
    private final class Task<V> implements ScheduledFuture<V>, Runnable {
        private final FutureTaskOf<V> future;
        /** 0 for a one-shot task. */
        private final long periodMillis;
        /** Written under {@link #queue} while the task is not queued. */
        private long deadline;
        private long sequence;

        Task(FutureTaskOf<V> future, long deadline, long periodMillis) {
            this.future = future;
            this.deadline = deadline;
            this.periodMillis = periodMillis;
        }

        /** Runs once, then queues the next run of a periodic task that neither failed nor was cancelled. */
        void runOnce() {
            if (periodMillis == 0) {
                future.run();
                return;
            }
            if (future.runAndKeep()) {
                synchronized (queue) {
                    if (!shutdown && !future.isCancelled()) {
                        deadline += periodMillis;
                        sequence = ManualScheduler.this.sequence++;
                        queue.add(this);
                    }
                }
            }
        }

        @Override
        public void run() {
            runOnce();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(deadline - clock.getAsLong(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            if (other instanceof ManualScheduler.Task<?> t) {
                int byDeadline = Long.compare(deadline, t.deadline);
                return byDeadline != 0 ? byDeadline : Long.compare(sequence, t.sequence);
            }
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = future.cancel(mayInterruptIfRunning);
            synchronized (queue) {
                queue.remove(this);
            }
            return cancelled;
        }

        @Override
        public boolean isCancelled() {
            return future.isCancelled();
        }

        @Override
        public boolean isDone() {
            return future.isDone();
        }

        @Override
        public V get() throws InterruptedException, java.util.concurrent.ExecutionException {
            return future.get();
        }

        @Override
        public V get(long timeout, TimeUnit unit) throws InterruptedException,
                java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
            return future.get(timeout, unit);
        }
    }
}
