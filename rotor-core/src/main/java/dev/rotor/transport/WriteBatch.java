package dev.rotor.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flush tasks of one fan-out, grouped by the executor (event loop) each transport writes on, so that a
 * publication to N subscribers costs one task per executor (per chunk of {@value #MAX_TASKS_PER_SUBMISSION}
 * connections) instead of one per subscriber.
 *
 * <p>Not thread-safe: one thread fills it during one fan-out and then calls {@link #run} once. Transports queue the
 * frame itself at {@link Transport#write(byte[], WriteBatch)} time, in call order; only the task that hands queued
 * frames to the network is deferred to {@link #run}, so batching never reorders a connection's frames.
 */
public final class WriteBatch {
    private static final Logger log = LoggerFactory.getLogger(WriteBatch.class);
    /**
     * At most this many tasks run in one executor task (about a millisecond per chunk at the measured ~10 µs per
     * connection flush). Whether the loop looks at its sockets between two chunks is the loop's choice: the server's
     * worker loops return to their I/O once they have run queued tasks for a millisecond, checked every 64 tasks.
     */
    static final int MAX_TASKS_PER_SUBMISSION = 128;

    /** Distinct executors, by identity, in order of first use; {@code tasks.get(i)} belongs to {@code executors.get(i)}. */
    private final List<Executor> executors = new ArrayList<>(4);
    private final List<List<Runnable>> tasks = new ArrayList<>(4);
    /** Index of the executor used last (subscribers of one loop often come in runs), -1 when none. */
    private int last = -1;
    /** True once {@link #run} was called; nothing may be added afterwards. */
    private boolean ran;

    /**
     * Adds a task to run on {@code executor} when the batch runs. Tasks of one executor run in the order added, in
     * one executor task.
     */
    public void schedule(Executor executor, Runnable task) {
        if (ran) {
            throw new IllegalStateException("write batch already ran");
        }
        int i = last >= 0 && executors.get(last) == executor ? last : indexOf(executor);
        if (i < 0) {
            i = executors.size();
            executors.add(executor);
            tasks.add(new ArrayList<>());
        }
        last = i;
        tasks.get(i).add(task);
    }

    private int indexOf(Executor executor) {
        for (int i = 0; i < executors.size(); i++) {
            if (executors.get(i) == executor) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Submits, per executor, one task per {@value #MAX_TASKS_PER_SUBMISSION} of its tasks, which runs them in order.
     * A connection schedules at most one drain per batch, so chunking cannot reorder its frames. Call once, after
     * the fan-out.
     */
    public void run() {
        if (ran) {
            throw new IllegalStateException("write batch already ran");
        }
        ran = true;
        for (int i = 0; i < executors.size(); i++) {
            List<Runnable> own = tasks.get(i);
            Executor executor = executors.get(i);
            for (int from = 0; from < own.size(); from += MAX_TASKS_PER_SUBMISSION) {
                List<Runnable> chunk = own.subList(from, Math.min(own.size(), from + MAX_TASKS_PER_SUBMISSION));
                executor.execute(() -> runAll(chunk));
            }
        }
    }

    /** Number of executors that {@link #run} submits a task to. */
    public int executorCount() {
        return executors.size();
    }

    private static void runAll(List<Runnable> own) {
        for (Runnable task : own) {
            try {
                task.run();
            } catch (RuntimeException e) {
                // one failing connection must not leave the others of this loop without their flush
                log.error("connection write task failed", e);
            }
        }
    }
}
