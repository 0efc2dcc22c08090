package dev.rotor.node;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beyond v1: {@code client_queue_budget}, the bytes the outbound queues of all clients may count together
 * (docs/security.md, "Client queues together"). {@code client_queue_max_size} bounds one client's queue, not their
 * sum: a few hundred clients with valid tokens that ask for large replies (history, presence) and read nothing would
 * otherwise hold gigabytes of heap until {@code write_stall_timeout} cut them off, and a server with a smaller heap
 * would exit on an {@code OutOfMemoryError} first. When a queue's growth takes the sum past the budget, the clients
 * with the largest queues are closed as {@code slow}, with the advice v1 gives a client over its own limit, largest
 * first, until the sum is within the budget again: the clients that read least lose their connection, the others
 * are served. HTTP connections count too, with what their answers hold until the socket takes them (a large file of
 * the web interface, a {@code /metrics} scrape): one that does not read holds one answer (its later requests wait),
 * but there may be many such connections.
 *
 * <p>Only queues past {@link #FLOOR} are counted. Below it a queue costs about what the connection itself costs,
 * and leaving it out keeps the send path of every other client at one volatile read: a session reports its queue
 * here only while the queue is past the floor, and again only when it moved by {@link #STEP} since its last report.
 * The counted sum therefore trails the queues' true sum: a queue that drained since its last report is still
 * counted at its old size, and one that grew by less than a step is not yet. Before anything is closed, the sum is
 * counted again from every counted queue's present size, so a stale sum never closes a client. Nothing runs while no
 * queue is past the floor: no timer, no sweep.
 *
 * <p>Thread-safe: reports come from any thread (fan-outs, replies); the counted set and sum are guarded by
 * {@code this}, and clients are closed outside the monitor.
 */
public final class ClientQueueBudget {
    private static final Logger log = LoggerFactory.getLogger(ClientQueueBudget.class);
    /** Queues up to this many bytes are not counted. */
    public static final long FLOOR = 64 * 1024;
    /** A counted queue reports again once it moved this many bytes since its last report. */
    static final long STEP = 64 * 1024;

    /** {@code client_queue_budget} as configured now; 0 for {@link #defaultBudget}. */
    private final LongSupplier configured;
    /** The default, fixed when the node starts: the maximum heap the JVM reports moves a little as it sizes it. */
    private final long defaultBudget = defaultBudget();
    private final ThrottledLog closedLog;
    /** Guarded by {@code this}: every counted queue, with the bytes it counts at. */
    private final Map<CountedQueue, Long> counted = new HashMap<>();
    /** Guarded by {@code this}: the sum of {@link #counted}'s values. */
    private long sum;
    private final AtomicLong closed = new AtomicLong();

    /**
     * @param configured {@code client_queue_budget} in bytes, 0 for the default; read at every check (the
     *                   configuration may be reloaded)
     * @param clock      paces the warning after clients were closed (one line per 10 s at most)
     */
    ClientQueueBudget(LongSupplier configured, Clock clock) {
        this.configured = configured;
        this.closedLog = new ThrottledLog(log, clock, 10_000);
    }

    /**
     * One peer's outbound bytes as the budget counts them: a client session's queue, or what an HTTP connection has
     * not yet handed to its socket. Implementations are thread-safe.
     */
    public abstract static class CountedQueue {
        /**
         * The bytes the budget counts this queue at, 0 while it does not count it (a queue under the floor). Written
         * under the budget's monitor, read on the peer's send path.
         */
        volatile long countedAt;

        /** Bytes queued now and not yet handed to the network. */
        protected abstract long queuedBytes();

        /** True once the peer is closed; the budget then stops counting it. */
        protected abstract boolean isClosed();

        /** Closes the peer, chosen by the budget for holding one of the largest queues; any thread. */
        protected abstract void closeOverBudget();
    }

    /** The budget when {@code client_queue_budget} is 0: a quarter of the maximum heap, at least 1 MiB. */
    public static long defaultBudget() {
        return Math.max(Runtime.getRuntime().maxMemory() / 4, 1024 * 1024);
    }

    /** The bytes {@code queue} is counted at now; 0 while it is not counted. */
    static long countedAt(CountedQueue queue) {
        return queue.countedAt;
    }

    /** Whether {@code queue}, now {@code queued} bytes, must be reported: the send path's only check. */
    public static boolean mustReport(CountedQueue queue, long queued) {
        long countedAt = queue.countedAt;
        return countedAt == 0 ? queued > FLOOR : Math.abs(queued - countedAt) >= STEP;
    }

    /**
     * Counts {@code queue} at {@code queued} bytes (the frame about to be written included), and closes the
     * clients with the largest queues if the sum is then over the budget.
     *
     * @return true when {@code queue} itself was closed
     */
    public boolean report(CountedQueue queue, long queued) {
        List<CountedQueue> victims = new ArrayList<>();
        long recounted;
        long freed;
        long limit = budget();
        synchronized (this) {
            if (queue.isClosed()) {
                return false; // forget() has run or will: not counted again
            }
            if (queued < FLOOR / 2) {
                uncount(queue);
                return false;
            }
            Long before = counted.put(queue, queued);
            queue.countedAt = queued;
            sum += queued - (before == null ? 0 : before);
            if (queue.isClosed()) {
                // closed since the check above: its forget() may have read countedAt as 0 before the write above
                // and skipped; either it sees this count or this sees the close (both fields are volatile)
                uncount(queue);
                return false;
            }
            if (sum <= limit) {
                return false;
            }
            recounted = recount(queue, queued);
            freed = takeLargest(limit, victims);
        }
        if (victims.isEmpty()) {
            return false;
        }
        for (CountedQueue victim : victims) {
            victim.closeOverBudget();
        }
        long total = closed.addAndGet(victims.size());
        closedLog.warn("{}", "Client queues counted " + recounted + " bytes together, over client_queue_budget ("
                + limit + " bytes): closed " + victims.size() + " clients with the largest queues as slow ("
                + freed + " bytes queued), " + total + " since start; raise client_queue_budget or the heap, or "
                + "lower client_queue_max_size, if these were not attackers");
        return victims.contains(queue);
    }

    /** Stops counting a closed peer. */
    public void forget(CountedQueue queue) {
        if (queue.countedAt != 0) {
            synchronized (this) {
                uncount(queue);
            }
        }
    }

    /** Guarded by {@code this}. */
    private void uncount(CountedQueue queue) {
        Long before = counted.remove(queue);
        if (before != null) {
            sum -= before;
        }
        queue.countedAt = 0;
    }

    /**
     * Counts every counted queue again at its present size, {@code reporter}'s at {@code queued}; a queue that
     * drained below half the floor is no longer counted. Guarded by {@code this}.
     */
    private long recount(CountedQueue reporter, long queued) {
        sum = 0;
        for (Iterator<Map.Entry<CountedQueue, Long>> it = counted.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<CountedQueue, Long> e = it.next();
            CountedQueue s = e.getKey();
            long now = s == reporter ? queued : s.queuedBytes();
            if (now < FLOOR / 2) {
                it.remove();
                s.countedAt = 0;
            } else {
                e.setValue(now);
                s.countedAt = now;
                sum += now;
            }
        }
        return sum;
    }

    /**
     * Takes the largest queues out of the count into {@code victims} until the sum is a sixteenth under
     * {@code limit}; returns the bytes they counted. Guarded by {@code this}. Closing only down to the limit itself
     * would leave no room: in a fan-out to many counted queues, each next report would pass the limit again and
     * recount and sort every queue, once per subscriber.
     */
    private long takeLargest(long limit, List<CountedQueue> victims) {
        if (sum <= limit) {
            return 0;
        }
        long target = limit - limit / 16;
        List<Map.Entry<CountedQueue, Long>> largest = new ArrayList<>(counted.entrySet());
        largest.sort(Map.Entry.<CountedQueue, Long>comparingByValue(Comparator.reverseOrder()));
        long freed = 0;
        for (Map.Entry<CountedQueue, Long> e : largest) {
            if (sum - freed <= target) {
                break;
            }
            victims.add(e.getKey());
            freed += e.getValue();
        }
        for (CountedQueue victim : victims) {
            uncount(victim);
        }
        return freed;
    }

    /** The bytes counted now (queues past the floor, as last reported or recounted), for {@code /metrics}. */
    public synchronized long counted() {
        return sum;
    }

    /** The budget in bytes. */
    public long budget() {
        long v = configured.getAsLong();
        return v > 0 ? v : defaultBudget;
    }

    /** Clients closed to keep within the budget since start. */
    public long closedClients() {
        return closed.get();
    }
}
