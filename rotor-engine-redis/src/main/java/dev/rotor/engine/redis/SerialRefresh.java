package dev.rotor.engine.redis;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a Redis Cluster topology refresh at most once at a time. A request while one runs asks for exactly one more
 * after it, however many arrive meanwhile: that one starts after the last of them, so it sees what they saw. A
 * refresh connects to every node of the cluster, and a slot that moves or a master that fails turns every command
 * in flight on its link into a request (each {@code MOVED} reply, each lost link); one refresh per request made a
 * burst of 500 redirections cost the cluster ~3,000 connections ({@code RedisClusterRefreshBurstIT}). Thread-safe.
 */
final class SerialRefresh implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(SerialRefresh.class);

    private final Supplier<? extends CompletionStage<?>> refresh;
    private final Object lock = new Object();
    /** Guarded by lock: completes when the refresh running now and any asked for after it are done; null if idle. */
    private CompletableFuture<Void> running;
    /** Guarded by lock: a request came while a refresh ran. */
    private boolean again;
    /** Guarded by lock. */
    private boolean closed;

    /** @param refresh starts one refresh and tells when it is done (its failure is logged and otherwise ignored) */
    SerialRefresh(Supplier<? extends CompletionStage<?>> refresh) {
        this.refresh = refresh;
    }

    /** Asks for a refresh: starts one now if none runs, else one more after the running one. Never blocks. */
    @Override
    public void run() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            if (running != null) {
                again = true;
                return;
            }
            running = new CompletableFuture<>();
        }
        start();
    }

    private void start() {
        CompletionStage<?> stage;
        try {
            stage = refresh.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((v, e) -> {
            if (e != null) {
                log.debug("Redis Cluster topology refresh failed: {}", e.toString());
            }
            finished();
        });
    }

    private void finished() {
        CompletableFuture<Void> done;
        synchronized (lock) {
            if (again && !closed) {
                again = false;
                done = null;
            } else {
                again = false;
                done = running;
                running = null;
            }
        }
        if (done == null) {
            start();
        } else {
            done.complete(null);
        }
    }

    /**
     * Starts no refresh from now on. The returned stage completes once the refresh running now (if any) is done, so
     * that the clients it uses are not shut down under it.
     */
    CompletableFuture<Void> close() {
        synchronized (lock) {
            closed = true;
            return running == null ? CompletableFuture.completedFuture(null) : running.copy();
        }
    }
}
