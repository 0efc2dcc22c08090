package dev.rotor.bench;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Connection churn: {@code workers} independent loops of open WebSocket → connect + subscribe → close (abruptly,
 * as a client that goes away). Counts completed cycles per second and the open-to-subscribed latency. Bounded by
 * duration and by {@code maxCycles}. Single use.
 */
final class ChurnScenario {
    private final RunContext ctx;
    private final int workers;
    private final long maxCycles;
    private final Latency latency = new Latency();
    private final LongAdder cycles = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean();

    ChurnScenario(RunContext ctx, int workers, long maxCycles) {
        if (workers < 1 || workers > 1000) {
            throw new IllegalArgumentException("churn needs 1..1000 workers");
        }
        this.ctx = ctx;
        this.workers = workers;
        this.maxCycles = maxCycles;
    }

    String label() {
        return "churn w" + workers;
    }

    Result run() throws Exception {
        Result r = new Result("churn", label());
        r.put("workers", workers);
        ScheduledFuture<?> progress = ctx.progress("churn", () -> {
            Histogram h = latency.interval();
            return String.format("cycles %d, failures %d, interval p50 %.2f ms p99 %.2f ms", cycles.sum(),
                    failures.sum(), Latency.ms(h, 50), Latency.ms(h, 99));
        });
        try {
            running.set(true);
            for (int w = 0; w < workers; w++) {
                cycle(w);
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(ctx.warmupSeconds));
            latency.reset();
            long before = cycles.sum();
            RunContext.Meter meter = ctx.meter().start();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(ctx.seconds);
            while (System.nanoTime() < end && cycles.sum() < maxCycles) {
                Thread.sleep(20);
            }
            long done = cycles.sum() - before;
            meter.stop();
            running.set(false);
            meter.report(r);
            meter.rates(r, "connections", done);
            r.put("failures", failures.sum());
            Latency.report(latency.total(), r);
        } finally {
            running.set(false);
            progress.cancel(false);
        }
        return r;
    }

    private void cycle(int worker) {
        if (!running.get() || cycles.sum() >= maxCycles) {
            return;
        }
        long started = System.nanoTime();
        WsConnection c = WsConnection.open(ctx.loop.bootstrap(), ctx.target, ctx.wsPath, "churn" + worker,
                "churn" + worker, ts -> { });
        c.ready().whenComplete((v, e) -> {
            if (e == null) {
                latency.recordSince(started, System.nanoTime());
                cycles.increment();
            } else {
                failures.increment();
            }
            c.close().addListener(f -> cycle(worker));
        });
    }
}
