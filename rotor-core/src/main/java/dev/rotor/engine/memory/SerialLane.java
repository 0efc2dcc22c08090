package dev.rotor.engine.memory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * Runs deliveries one at a time in submission order without running them under a lock. Thread-safe.
 *
 * <p>Whoever submits to an idle lane drains it on its own thread; submitters that find the lane busy only enqueue
 * and return, and the draining thread runs their delivery next. So a delivery usually runs synchronously on the
 * publishing thread (memory-engine.md "Publishing"), listeners are never called while a lock is held (STYLE §4),
 * a listener that publishes into the same lane does not deadlock, and each delivery's future completes only after
 * its listener call returned.
 *
 * <p>Usage: hold the lane's monitor, call {@link #submitLocked}, release the monitor, and call {@link #drain} when
 * {@code submitLocked} returned true. Subclasses may hold more state under the same monitor.
 */
class SerialLane {
    private final ArrayDeque<Delivery> pending = new ArrayDeque<>(); // guarded by this; in submission order
    private boolean draining; // guarded by this; true while some thread runs drain()

    /** One listener call plus the future that completes when it returned. */
    record Delivery(Runnable action, CompletableFuture<Void> done) {
        void run() {
            try {
                action.run();
                done.complete(null);
            } catch (Throwable t) {
                // A throwing listener is a node bug; report it to that publisher and keep the lane going.
                done.completeExceptionally(t);
            }
        }
    }

    /**
     * Queues a delivery; the caller must hold this lane's monitor.
     *
     * @return true when the caller must call {@link #drain} after releasing the monitor
     */
    final boolean submitLocked(Delivery delivery) {
        assert Thread.holdsLock(this);
        pending.addLast(delivery);
        if (draining) {
            return false;
        }
        draining = true;
        return true;
    }

    /** Runs queued deliveries until the queue is empty; must be called without holding the monitor. */
    final void drain() {
        while (true) {
            Delivery next;
            synchronized (this) {
                next = pending.pollFirst();
                if (next == null) {
                    draining = false;
                    onIdleLocked();
                    return;
                }
            }
            next.run();
        }
    }

    /** Whether a thread is draining or deliveries wait; the caller must hold the monitor. */
    final boolean busyLocked() {
        return draining;
    }

    /** Called under the monitor when a drain finished and the lane became idle. */
    void onIdleLocked() {
    }
}
