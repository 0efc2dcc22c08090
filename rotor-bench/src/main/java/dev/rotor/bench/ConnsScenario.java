package dev.rotor.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Idle connections: opens {@code count} connections (connect + subscribe, {@code count / perChannel} channels),
 * holds them and reports the server's RSS growth per connection. The baseline is taken after a warm-up batch
 * of connections was opened and closed. When the server is local and {@code jcmd} is available, a full GC runs
 * before both RSS samples so that garbage does not count as connection memory. Single use.
 */
final class ConnsScenario {
    private final RunContext ctx;
    private final ClientTransport transport;
    private final int count;
    private final int perChannel;
    /** Seconds to keep the connections open after measuring (for inspecting the server, e.g. heap histograms). */
    private final int holdSeconds;

    ConnsScenario(RunContext ctx, int count, int perChannel) {
        this(ctx, ClientTransport.WEBSOCKET, count, perChannel, 0);
    }

    ConnsScenario(RunContext ctx, ClientTransport transport, int count, int perChannel, int holdSeconds) {
        if (count < 1 || perChannel < 1) {
            throw new IllegalArgumentException("conns needs count ≥ 1 and per-channel ≥ 1");
        }
        this.ctx = ctx;
        this.transport = transport;
        this.count = count;
        this.perChannel = perChannel;
        this.holdSeconds = Math.max(0, Math.min(holdSeconds, 3600));
    }

    String label() {
        return "conns " + transport.prefix() + count;
    }

    Result run() throws Exception {
        Result r = new Result("conns", label());
        r.put("transport", transport.label).put("connections", count);
        // one-time costs (JIT-compiled code, buffer pools, hub tables) are not connection memory: open and close
        // a batch first, then take the baseline
        int warm = Math.min(2000, count);
        RunContext.closeAll(ctx.openMany(transport, warm, i -> "warm" + (i / perChannel), ts -> { }, 120));
        Thread.sleep(2000);
        fullGc();
        long before = ctx.server.rssBytes();
        LongAdder opened = new LongAdder();
        ScheduledFuture<?> progress = ctx.progress("conns", () -> "opening " + count + " connections");
        List<Subscriber> conns;
        RunContext.Meter meter = ctx.meter().start();
        try {
            conns = ctx.openMany(transport, count, i -> "idle" + (i / perChannel), ts -> opened.increment(), 180);
        } finally {
            progress.cancel(false);
        }
        meter.stop();
        try {
            meter.rates(r, "connections", count);
            // the server may still be finishing its side of the last subscriptions; give it the run duration
            Thread.sleep(TimeUnit.SECONDS.toMillis(Math.min(ctx.seconds, 5)));
            fullGc();
            long after = ctx.server.rssBytes();
            meter.report(r);
            r.put("rss_before_mb", before / 1048576.0).put("rss_after_mb", after / 1048576.0);
            if (before > 0 && after > 0) {
                r.put("rss_per_conn_kb", (after - before) / 1024.0 / count);
            }
            r.put("connections_still_open", conns.stream().filter(Subscriber::isOpen).count());
            if (holdSeconds > 0) {
                ctx.log("holding %d connections for %d s", count, holdSeconds);
                Thread.sleep(TimeUnit.SECONDS.toMillis(holdSeconds));
            }
        } finally {
            RunContext.closeAll(conns);
        }
        return r;
    }

    /** {@code jcmd <pid> GC.run}, bounded to 60 s; a no-op when the server is not local or jcmd is missing. */
    private void fullGc() throws InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!ctx.server.enabled() || !Files.isExecutable(jcmd)) {
            return;
        }
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(ctx.server.pid()), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (java.io.IOException e) {
            ctx.log("jcmd GC.run failed (%s); RSS includes uncollected garbage", e.getMessage());
        }
    }
}
