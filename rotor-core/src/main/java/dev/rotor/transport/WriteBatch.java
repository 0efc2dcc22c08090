package dev.rotor.transport;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flush tasks of one fan-out, grouped by the executor (event loop) each transport writes on, so that a
 * publication to N subscribers costs one task per executor instead of one per subscriber.
 *
 * <p>Not thread-safe: one thread fills it during one fan-out and then calls {@link #run} once. Transports queue the
 * frame itself at {@link Transport#write(byte[], WriteBatch)} time, in call order; only the task that hands queued
 * frames to the network is deferred to {@link #run}, so batching never reorders a connection's frames.
 */
public final class WriteBatch {
    private static final Logger log = LoggerFactory.getLogger(WriteBatch.class);

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

    /** Submits one task per executor that runs that executor's tasks in order. Call once, after the fan-out. */
    public void run() {
        if (ran) {
            throw new IllegalStateException("write batch already ran");
        }
        ran = true;
        for (int i = 0; i < executors.size(); i++) {
            List<Runnable> own = tasks.get(i);
            executors.get(i).execute(() -> runAll(own));
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
