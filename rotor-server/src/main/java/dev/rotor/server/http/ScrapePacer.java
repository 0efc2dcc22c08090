package dev.rotor.server.http;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders {@code /metrics} for the requests that wait for it, on a thread of its own and at a bounded rate
 * (docs/security.md, "A peer hammering /metrics"). One render costs about half a millisecond of CPU and half a MiB of
 * garbage (docs/benchmarks.md, "/metrics renders paced"); rendered once per request on the event loops, a single
 * peer looping or pipelining requests kept a core busy and delayed every client on those loops. Here:
 * <ul>
 *   <li>every answer is rendered after its request arrived, so a scrape after an action sees the action (no cache of
 *       old values);</li>
 *   <li>the requests that arrive before a render starts share it: one byte array, wrapped for each answer, not
 *       copied;</li>
 *   <li>a render starts at least {@link #GAP_MILLIS} after the previous one ended, so renders take at most
 *       render / (render + gap) of one core however many requests come, and no event loop ever renders.</li>
 * </ul>
 * A request that finds no render for {@link #GAP_MILLIS} (Prometheus every few seconds) is rendered at once; one
 * behind another waits at most that long.
 *
 * <p>Thread-safe. Answers are called on the pacer's thread, outside its lock; after {@link #close()} a request is
 * answered at once, on the caller's thread, with a {@link RejectedExecutionException}.
 */
final class ScrapePacer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ScrapePacer.class);
    /** The least time between the end of one render and the start of the next. */
    static final long GAP_MILLIS = 100;

    private final Supplier<byte[]> render;
    private final ScheduledThreadPoolExecutor thread;
    private final Object lock = new Object();
    /** The answers waiting for the next render to start; guarded by {@code lock}. */
    private List<BiConsumer<byte[], Throwable>> waiting = new ArrayList<>();
    /** True while a render is queued or running; guarded by {@code lock}. */
    private boolean renderPending;
    /** {@link System#nanoTime()} at the end of the last render, or {@code Long.MIN_VALUE}; guarded by {@code lock}. */
    private long lastEnd = Long.MIN_VALUE;
    private final LongAdder requests = new LongAdder();
    private final LongAdder renders = new LongAdder();

    /** @param render renders the registry's text; called on the pacer's thread only */
    ScrapePacer(Supplier<byte[]> render) {
        this.render = render;
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "rotor-metrics");
            t.setDaemon(true);
            return t;
        });
    }

    /** Calls {@code answer} with the bytes of a render that starts after this call, or with the failure. */
    void request(BiConsumer<byte[], Throwable> answer) {
        requests.increment();
        long delay;
        synchronized (lock) {
            waiting.add(answer);
            if (renderPending) {
                return; // the queued render takes it, or the running one schedules the next for it
            }
            renderPending = true;
            delay = lastEnd == Long.MIN_VALUE ? 0 : lastEnd + TimeUnit.MILLISECONDS.toNanos(GAP_MILLIS)
                    - System.nanoTime();
        }
        schedule(delay);
    }

    private void schedule(long delayNanos) {
        try {
            thread.schedule(this::render, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closed) {
            List<BiConsumer<byte[], Throwable>> batch;
            synchronized (lock) {
                batch = waiting;
                waiting = new ArrayList<>();
                renderPending = false; // so that the next request is refused at once too, not left waiting
            }
            answer(batch, null, closed);
        }
    }

    private void render() {
        List<BiConsumer<byte[], Throwable>> batch;
        synchronized (lock) {
            // a request arriving from now on waits for the next render: this one may not see what it did before it
            batch = waiting;
            waiting = new ArrayList<>();
        }
        byte[] body = null;
        Throwable failure = null;
        try {
            body = render.get();
        } catch (Throwable e) { // answered as a failure; the pacer must stay able to render for the next requests
            failure = e;
            log.error("Rendering /metrics failed", e); // at most once per gap, however many requests wait
        }
        renders.increment();
        boolean next;
        synchronized (lock) {
            lastEnd = System.nanoTime();
            next = !waiting.isEmpty();
            renderPending = next;
        }
        if (next) {
            schedule(TimeUnit.MILLISECONDS.toNanos(GAP_MILLIS));
        }
        answer(batch, body, failure);
    }

    /** Answers every request of a batch; one answer that throws leaves the others answered. */
    private static void answer(List<BiConsumer<byte[], Throwable>> batch, byte[] body, Throwable failure) {
        for (BiConsumer<byte[], Throwable> answer : batch) {
            try {
                answer.accept(body, failure);
            } catch (RuntimeException e) {
                log.error("Answering a /metrics request failed", e);
            }
        }
    }

    /** Requests for {@code /metrics} so far. */
    long requests() {
        return requests.sum();
    }

    /** Renders so far, each shared by the requests that waited for it. */
    long renders() {
        return renders.sum();
    }

    /** Stops rendering: waits up to a second for a render under way; requests still waiting get no answer. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
