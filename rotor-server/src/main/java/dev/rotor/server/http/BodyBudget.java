package dev.rotor.server.http;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The server-wide budget for request bodies being buffered before they are handled (docs/security.md, "Memory before
 * authentication"): every connection reading a body holds a {@link Holder} that reserves the bytes it has buffered,
 * and a connection that takes the total past the limit is told to stop reading until bytes are released.
 *
 * <p>Progress is guaranteed: the holder that started its body first (the oldest) is never told to wait, so even when
 * every connection holds a partial body the oldest one completes (or hits its body deadline) and frees its bytes.
 * The limit is therefore soft: the total stays below {@code limit + http_max_body_size}, plus one read buffer for each
 * connection that was reading when the limit was reached. Waiting holders are resumed in arrival order, as many at a
 * time as the room left allows for one read each ({@link #READ_ESTIMATE}).
 *
 * <p>Thread-safe: holders of connections on every event loop share one budget; state changes happen under the
 * budget's monitor, and resumes are handed to each holder's executor outside it.
 */
public final class BodyBudget {
    /** What one resumed connection is expected to read before it checks the budget again (Netty's largest read). */
    static final long READ_ESTIMATE = 64 * 1024;

    private final long limit;
    /** Bytes reserved by all holders. Guarded by {@code this}; never negative. */
    private long used;
    /** Holders with bytes reserved, oldest first. Guarded by {@code this}. */
    private final LinkedHashSet<Holder> holders = new LinkedHashSet<>();
    /** Holders told to wait, in arrival order. Guarded by {@code this}. */
    private final LinkedHashSet<Holder> waiting = new LinkedHashSet<>();

    /** @param limit bytes; positive */
    public BodyBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be positive, got " + limit);
        }
        this.limit = limit;
    }

    /**
     * A holder for one connection.
     *
     * @param executor runs {@code resume} (the connection's event loop)
     * @param resume   lets the connection read again after it was told to wait
     */
    public Holder holder(Executor executor, Runnable resume) {
        return new Holder(executor, resume);
    }

    public long limit() {
        return limit;
    }

    /** Bytes reserved now. */
    public synchronized long used() {
        return used;
    }

    /** Holders waiting now. */
    public synchronized int waiting() {
        return waiting.size();
    }

    /** One connection's share of the budget; its methods are called on the connection's event loop. */
    public final class Holder {
        private final Executor executor;
        private final Runnable resume;
        /** Bytes this holder reserved. Guarded by the budget. */
        private long reserved;

        private Holder(Executor executor, Runnable resume) {
            this.executor = executor;
            this.resume = resume;
        }

        /**
         * Reserves {@code bytes} just buffered. Returns false when the connection must stop reading; it is then
         * resumed through its {@code resume} task once there is room (or once it is the oldest holder).
         */
        public boolean reserve(long bytes) {
            if (bytes <= 0) {
                return true;
            }
            List<Holder> wake;
            boolean go;
            synchronized (BodyBudget.this) {
                if (reserved == 0) {
                    holders.add(this);
                }
                reserved += bytes;
                used += bytes;
                go = used <= limit || isOldest();
                if (!go) {
                    waiting.add(this);
                }
                wake = go ? wakeable() : List.of();
            }
            resumeAll(wake);
            return go;
        }

        /** Releases everything this holder reserved and forgets it; idempotent. */
        public void release() {
            List<Holder> wake;
            synchronized (BodyBudget.this) {
                waiting.remove(this);
                if (reserved == 0) {
                    return;
                }
                holders.remove(this);
                used -= reserved;
                reserved = 0;
                wake = wakeable();
            }
            resumeAll(wake);
        }

        /** Bytes reserved by this holder. */
        public long reserved() {
            synchronized (BodyBudget.this) {
                return reserved;
            }
        }

        private boolean isOldest() {
            return holders.iterator().next() == this;
        }
    }

    /** The waiters to resume now: the oldest holder if it waits, then others while room for a read each remains. */
    private List<Holder> wakeable() {
        if (waiting.isEmpty()) {
            return List.of();
        }
        List<Holder> wake = new ArrayList<>(2);
        Holder oldest = holders.isEmpty() ? null : holders.iterator().next();
        if (oldest != null && waiting.remove(oldest)) {
            wake.add(oldest);
        }
        long room = limit - used;
        for (Iterator<Holder> it = waiting.iterator(); it.hasNext() && room >= READ_ESTIMATE; room -= READ_ESTIMATE) {
            wake.add(it.next());
            it.remove();
        }
        return wake;
    }

    private static void resumeAll(List<Holder> wake) {
        for (Holder h : wake) {
            h.executor.execute(h.resume);
        }
    }
}
