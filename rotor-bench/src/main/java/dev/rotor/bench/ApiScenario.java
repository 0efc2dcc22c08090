package dev.rotor.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * HTTP API throughput: {@code connections} keep-alive clients, each sending the next request as soon as the last
 * is answered (closed loop, so latency is per request from its actual send). Each request carries {@code batch}
 * publish commands to distinct channels, optionally in a namespace with history. The body and its sign are
 * encoded once. Single use.
 */
final class ApiScenario {
    private final RunContext ctx;
    private final int connections;
    private final int batch;
    private final String channelPrefix;
    private final int dataBytes;
    private final Latency latency = new Latency();
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicBoolean running = new AtomicBoolean();

    ApiScenario(RunContext ctx, int connections, int batch, String channelPrefix, int dataBytes) {
        if (connections < 1 || connections > 1000 || batch < 1 || batch > 10_000) {
            throw new IllegalArgumentException("api needs 1..1000 connections and 1..10000 commands per request");
        }
        this.ctx = ctx;
        this.connections = connections;
        this.batch = batch;
        this.channelPrefix = channelPrefix;
        this.dataBytes = dataBytes;
    }

    String label() {
        return "api c" + connections + " b" + batch + (channelPrefix.contains(":") ? " history" : "");
    }

    Result run() throws Exception {
        Result r = new Result("api", label());
        r.put("connections", connections).put("batch", batch);
        List<String> channels = new ArrayList<>();
        for (int i = 0; i < batch; i++) {
            channels.add(channelPrefix + i);
        }
        byte[] body = Payloads.publishes(channels, dataBytes).constant();
        String sign = ctx.target.apiSign(body);
        List<ApiConnection> conns = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            conns.add(ApiConnection.open(ctx.loop.bootstrap(), ctx.target, (c, ok, started) -> {
                latency.recordSince(started, System.nanoTime());
                requests.increment();
                if (!ok) {
                    errors.increment();
                }
                if (running.get()) {
                    c.send(body, sign);
                }
            }));
        }
        ScheduledFuture<?> progress = ctx.progress("api", () -> {
            Histogram h = latency.interval();
            return String.format("requests %d, errors %d, interval p50 %.2f ms p99 %.2f ms", requests.sum(),
                    errors.sum(), Latency.ms(h, 50), Latency.ms(h, 99));
        });
        try {
            running.set(true);
            for (ApiConnection c : conns) {
                c.eventLoopExecute(() -> c.send(body, sign));
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(ctx.warmupSeconds));
            latency.reset();
            long before = requests.sum();
            RunContext.Meter meter = ctx.meter().start();
            Thread.sleep(TimeUnit.SECONDS.toMillis(ctx.seconds));
            long done = requests.sum() - before;
            meter.stop();
            running.set(false);
            meter.report(r);
            meter.rates(r, "requests", done);
            meter.rates(r, "commands", done * batch);
            r.put("errors", errors.sum());
            Latency.report(latency.total(), r);
        } finally {
            running.set(false);
            progress.cancel(false);
            conns.forEach(ApiConnection::close);
        }
        return r;
    }
}
