package dev.rotor.engine.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Bounds what publications on their way to Redis hold together (docs/scaling.md, "Publications in flight"). Each is
 * admitted with its cost, its message's bytes plus {@link #OVERHEAD}, before its payload is encoded, and gives the
 * cost back once its command completed (answered, failed or timed out). One that does not fit waits, in call order,
 * holding only its message; it fails like a command Redis did not answer if it is not admitted within the command
 * timeout. Without the bound, one API request of many publishes, or one {@code broadcast} of a large {@code data} to
 * many channels, encoded a payload per publication at once (a copy on the heap and one in Lettuce's direct buffers),
 * and a Redis that answered slowly kept them all: the node ran out of memory.
 *
 * <p>Admission is in call order, and admitted publications start in that order, so each channel keeps its order.
 * The one that takes the budget from nothing is always admitted, whatever its cost. Thread-safe.
 */
final class PublishBudget {
    /** What one publication holds besides its message's bytes: the command, its arguments, futures, the script's. */
    static final long OVERHEAD = 512;

    private final long limit;
    private final long timeoutMillis;
    private final ScheduledExecutorService timers;
    /** Guarded by {@code this}: the cost of the publications admitted and not completed. */
    private long used;
    /** Guarded by {@code this}: publications waiting for admission, oldest first. */
    private final ArrayDeque<Waiting<?>> waiting = new ArrayDeque<>();
    /** Guarded by {@code this}: true while one thread starts admitted waiters; only it does, in order. */
    private boolean draining;
    /** Guarded by {@code this}: a release happened while draining; the drainer looks again. */
    private boolean again;
    /** Guarded by {@code this}: the expiry check is scheduled (it is while anything waits). */
    private boolean expiryScheduled;

    /**
     * @param limit         the cost all admitted publications may have together, positive
     * @param timeoutMillis how long a publication may wait for admission ({@code redis_read_timeout})
     * @param timers        where the waits' deadlines run
     */
    PublishBudget(long limit, long timeoutMillis, ScheduledExecutorService timers) {
        if (limit <= 0) {
            throw new IllegalArgumentException("the publication budget must be positive, got " + limit);
        }
        this.limit = limit;
        this.timeoutMillis = timeoutMillis;
        this.timers = timers;
    }

    /**
     * The default budget: a sixteenth of the maximum heap, between 1 MiB and 64 MiB. Each admitted byte is held about
     * twice while in flight: the payload on the heap, and Lettuce's encoded command in direct memory.
     */
    static long defaultLimit() {
        return Math.max(1L << 20, Math.min(64L << 20, Runtime.getRuntime().maxMemory() / 16));
    }

    long limit() {
        return limit;
    }

    /** The cost of the publications admitted and not yet completed. */
    synchronized long used() {
        return used;
    }

    /** The number of publications waiting for admission. */
    synchronized int waiting() {
        return waiting.size();
    }

    /**
     * Starts {@code start} once {@code cost} fits (at once when nothing waits and it fits) and returns its stage;
     * the cost is given back when that stage completes.
     */
    <T> CompletionStage<T> run(long cost, Supplier<CompletionStage<T>> start) {
        long c = Math.max(cost, 1);
        Waiting<T> w;
        boolean scheduleExpiry = false;
        synchronized (this) {
            if (!draining && waiting.isEmpty() && fits(c)) {
                used += c;
                w = null;
            } else {
                w = new Waiting<>(c, start, System.nanoTime());
                waiting.add(w);
                scheduleExpiry = !expiryScheduled;
                expiryScheduled = true;
            }
        }
        if (w == null) {
            return started(c, start);
        }
        if (scheduleExpiry) {
            scheduleExpiry(timeoutMillis);
        }
        drain(); // a release may have come between the check and the enqueue
        return w.result;
    }

    private boolean fits(long cost) {
        return used == 0 || used + cost <= limit;
    }

    private <T> CompletionStage<T> started(long cost, Supplier<CompletionStage<T>> start) {
        CompletionStage<T> stage;
        try {
            stage = start.get();
        } catch (RuntimeException e) {
            release(cost);
            return CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((v, e) -> release(cost));
    }

    private void release(long cost) {
        synchronized (this) {
            used -= cost;
        }
        drain();
    }

    private void scheduleExpiry(long delayMillis) {
        try {
            timers.schedule(this::expire, delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            synchronized (this) {
                expiryScheduled = false; // the engine is closing; its commands fail as it closes
            }
        }
    }

    /**
     * Fails the waiters that waited {@link #timeoutMillis}: they are the oldest, at the head of the queue, since all
     * wait equally long. One check runs while anything waits, scheduled for the deadline of the oldest.
     */
    private void expire() {
        List<Waiting<?>> expired = new ArrayList<>();
        long next;
        synchronized (this) {
            long now = System.nanoTime();
            long timeoutNanos = TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
            Waiting<?> head = waiting.peek();
            while (head != null && now - head.enqueuedNanos >= timeoutNanos) {
                expired.add(waiting.poll());
                head = waiting.peek();
            }
            if (head == null) {
                expiryScheduled = false;
                next = -1;
            } else {
                next = TimeUnit.NANOSECONDS.toMillis(head.enqueuedNanos + timeoutNanos - now) + 1;
            }
        }
        if (next >= 0) {
            scheduleExpiry(next);
        }
        for (Waiting<?> w : expired) {
            w.result.completeExceptionally(new RedisCommandTimeoutException("Command timed out after "
                    + timeoutMillis + " ms: it waited for the publications in flight to Redis to leave room (they"
                    + " may hold " + limit + " bytes together)"));
        }
    }

    /** Admits and starts waiters in order while they fit; one thread at a time, so starts keep call order. */
    private void drain() {
        synchronized (this) {
            if (draining) {
                again = true;
                return;
            }
            draining = true;
        }
        while (true) {
            Waiting<?> next;
            synchronized (this) {
                Waiting<?> head = waiting.peek();
                if (head != null && fits(head.cost)) {
                    waiting.poll();
                    used += head.cost;
                    next = head;
                } else if (again) {
                    again = false;
                    continue;
                } else {
                    draining = false;
                    return;
                }
            }
            start(next);
        }
    }

    /** Starts an admitted waiter (by the drainer only) and passes its outcome on. */
    private <T> void start(Waiting<T> w) {
        started(w.cost, w.start).whenComplete((v, e) -> {
            if (e != null) {
                w.result.completeExceptionally(e);
            } else {
                w.result.complete(v);
            }
        });
    }

    /** A publication waiting for admission. */
    private static final class Waiting<T> {
        final long cost;
        final Supplier<CompletionStage<T>> start;
        final long enqueuedNanos;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Waiting(long cost, Supplier<CompletionStage<T>> start, long enqueuedNanos) {
            this.cost = cost;
            this.start = start;
            this.enqueuedNanos = enqueuedNanos;
        }
    }
}
