package dev.rotor.sdk.client.internal;

import dev.rotor.sdk.client.RotorClientException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The threads of one client and how work reaches them: a timer thread for reconnects, pings, refreshes and
 * timeouts, and the serial callback executor on which every application callback runs and every future handed to
 * the application completes. Thread-safe. After {@link #stop()} timers are refused and callbacks run on the caller,
 * so a late completion is never lost.
 */
final class Dispatcher {
    private final ScheduledThreadPoolExecutor timers;
    /** Null when the application supplied the callback executor. */
    private final ExecutorService ownedCallbackThread;
    private final SerialExecutor callbacks;

    Dispatcher(Executor applicationExecutor) {
        timers = new ScheduledThreadPoolExecutor(1, daemon("rotor-client-timers"));
        timers.setRemoveOnCancelPolicy(true);
        ownedCallbackThread = applicationExecutor == null
                ? Executors.newSingleThreadExecutor(daemon("rotor-client-callbacks")) : null;
        callbacks = new SerialExecutor(ownedCallbackThread != null ? ownedCallbackThread : applicationExecutor);
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** Runs {@code task} after {@code delay}; null once stopped. */
    ScheduledFuture<?> schedule(Runnable task, Duration delay) {
        try {
            return timers.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Runs {@code task} every {@code period}; null once stopped. */
    ScheduledFuture<?> every(Runnable task, Duration period) {
        try {
            long ms = period.toMillis();
            return timers.scheduleWithFixedDelay(task, ms, ms, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    /** Fails {@code f} with {@link RotorClientException.Timeout} if it is still incomplete after {@code timeout}. */
    <T> CompletableFuture<T> withTimeout(CompletableFuture<T> f, Duration timeout, String what) {
        ScheduledFuture<?> t = schedule(() -> f.completeExceptionally(new RotorClientException.Timeout(
                what + " got no result within " + timeout.toMillis() + " ms")), timeout);
        if (t == null) {
            f.completeExceptionally(new RotorClientException.Closed("the client is closed"));
        } else {
            f.whenComplete((v, e) -> t.cancel(false));
        }
        return f;
    }

    /** Queues an application callback; callbacks never run under a client lock, so call this after releasing it. */
    void dispatch(Runnable r) {
        try {
            callbacks.execute(r);
        } catch (RejectedExecutionException e) {
            r.run(); // the client's threads are gone; complete on the caller rather than never
        }
    }

    void dispatchAll(List<Runnable> rs) {
        rs.forEach(this::dispatch);
    }

    /**
     * Runs {@code action} once fewer than {@code limit} callbacks wait (at once if they already do): the receiving
     * side reads the next message only then, so an application slower than its server does not queue callbacks
     * without a bound; the server sees a client that does not read (and v1's rules close it as slow).
     */
    void whenCallbacksBelow(int limit, Runnable action) {
        callbacks.whenShorterThan(limit, action);
    }

    /** The future the application sees: completed on the callback executor, errors as RotorClientException. */
    <T> CompletableFuture<T> toApplication(CompletableFuture<T> internal) {
        CompletableFuture<T> out = new CompletableFuture<>();
        internal.whenComplete((v, e) -> dispatch(() -> {
            if (e != null) {
                out.completeExceptionally(asClientException(unwrap(e)));
            } else {
                out.complete(v);
            }
        }));
        return out;
    }

    /** Blocking wait for the {@code *Blocking} methods. */
    <T> T await(CompletableFuture<T> f, Duration timeout) {
        if (callbacks.inTask()) {
            throw new IllegalStateException("blocking calls from a client callback would wait forever;"
                    + " use the asynchronous method");
        }
        try {
            return f.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RotorClientException("interrupted while waiting", e);
        } catch (ExecutionException e) {
            throw asClientException(unwrap(e));
        } catch (TimeoutException e) {
            throw new RotorClientException.Timeout("no result within " + timeout.toMillis() + " ms");
        }
    }

    /** Stops the timer thread now and the owned callback thread once its queued callbacks ran. */
    void stop() {
        timers.shutdownNow();
        if (ownedCallbackThread != null) {
            ownedCallbackThread.shutdown();
        }
    }

    static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    static RotorClientException asClientException(Throwable e) {
        return e instanceof RotorClientException r ? r : new RotorClientException(String.valueOf(e), e);
    }
}
