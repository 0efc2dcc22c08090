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
import java.util.concurrent.atomic.AtomicLong;
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
 * The one that takes the budget from nothing is always admitted, whatever its cost. Thread-safe: while nothing waits
 * a publication is admitted with one compare-and-set, without the lock (the path of every publication under normal
 * load); a caller that finds others waiting joins the queue, so a later call never overtakes an earlier one.
 */
final class PublishBudget {
    /** What one publication holds besides its message's bytes: the command, its arguments, futures, the script's. */
    static final long OVERHEAD = 512;

    private final long limit;
    private final long timeoutMillis;
    private final ScheduledExecutorService timers;
    /** The cost of the publications admitted and not completed. */
    private final AtomicLong used = new AtomicLong();
    /**
     * Publications waiting or being started by the drainer; written under the lock. While it is 0 callers take the
     * fast path. Sequentially consistent with {@link #used}: a release that reads 0 here was seen by the enqueuer's own
     * drain, which reads {@link #used} after raising this.
     */
    private volatile int queued;
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
    long used() {
        return used.get();
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
        if (queued == 0 && take(c)) {
            return started(c, start);
        }
        Waiting<T> w = new Waiting<>(c, start, System.nanoTime());
        boolean scheduleExpiry;
        synchronized (this) {
            waiting.add(w);
            queued++;
            scheduleExpiry = !expiryScheduled;
            expiryScheduled = true;
        }
        if (scheduleExpiry) {
            scheduleExpiry(timeoutMillis);
        }
        drain(); // the room may have come back between the check and the enqueue
        return w.result;
    }

    /** Admits {@code cost} if it fits now: within the limit, or into an empty budget. */
    private boolean take(long cost) {
        while (true) {
            long u = used.get();
            if (u != 0 && u + cost > limit) {
                return false;
            }
            if (used.compareAndSet(u, u + cost)) {
                return true;
            }
        }
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
        used.addAndGet(-cost);
        if (queued != 0) {
            drain();
        }
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
                queued--;
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
                if (head != null && take(head.cost)) {
                    next = waiting.poll();
                } else if (again) {
                    again = false;
                    continue;
                } else {
                    draining = false;
                    return;
                }
            }
            start(next);
            synchronized (this) {
                queued--; // only now may a caller take the fast path past it
            }
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
