package dev.rotor.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Idle connections: opens {@code count} connections (connect + subscribe, {@code count / perChannel} channels),
 * holds them and reports the server's RSS growth per connection, the connect-to-subscribed latency, and the
 * server's CPU while the connections sit idle (the run's duration after the ramp, and optionally a later window,
 * {@link #settledIdleWindow(int, int)}).
 * <p>
 * Warm (the suite's default): the baseline is taken after a warm-up batch of connections was opened and closed,
 * and when the server is local and {@code jcmd} is available a full GC runs before both RSS samples, so that
 * neither one-time costs nor garbage count as connection memory. Cold (paired runs, {@code bin/bench pair}): the
 * first connection is the server's first, the baseline is the RSS right after start, and nothing is collected on
 * the server's behalf: what a user sees when every client reconnects to a restarted server. Single use.
 */
final class ConnsScenario {
    private final RunContext ctx;
    private final ClientTransport transport;
    private final int count;
    private final int perChannel;
    /** Seconds to keep the connections open after measuring (for inspecting the server, e.g. heap histograms). */
    private final int holdSeconds;
    /** Seconds after the first idle window before the settled one; 0: no settled window. */
    private int settleSeconds;
    /** Length of the settled window in seconds. */
    private int settledWindowSeconds;
    /** Connections opened per second; 0 for as fast as the handshakes in flight allow. */
    private final int rampRate;
    private final boolean cold;
    private final Latency connectLatency = new Latency();

    ConnsScenario(RunContext ctx, int count, int perChannel) {
        this(ctx, ClientTransport.WEBSOCKET, count, perChannel, 0, 0, false);
    }

    ConnsScenario(RunContext ctx, ClientTransport transport, int count, int perChannel, int holdSeconds) {
        this(ctx, transport, count, perChannel, holdSeconds, 0, false);
    }

    /** {@code rampRate} connections per second (0: unpaced); {@code cold}: no warm-up batch, no forced GC. */
    ConnsScenario(RunContext ctx, ClientTransport transport, int count, int perChannel, int holdSeconds,
            int rampRate, boolean cold) {
        if (count < 1 || perChannel < 1) {
            throw new IllegalArgumentException("conns needs count ≥ 1 and per-channel ≥ 1");
        }
        this.ctx = ctx;
        this.transport = transport;
        this.count = count;
        this.perChannel = perChannel;
        this.holdSeconds = Math.max(0, Math.min(holdSeconds, 3600));
        this.rampRate = Math.max(0, rampRate);
        this.cold = cold;
    }

    /**
     * Adds a second idle window of {@code windowSeconds} that starts {@code afterSeconds} after the first ends:
     * {@code idle_settled_cpu_pct}, the server's CPU once what the ramp set going (a JIT compiling the connection
     * setup, a collector) has finished, measured to the nanosecond ({@link ProcStats#threadCpuNanos()}), where the
     * first window counts 10 ms ticks. A window of one {@code ping_interval} (25 s by default, on v1 too) holds each
     * connection's keepalive ping once, which an 8 s window holds for some connections or none.
     */
    ConnsScenario settledIdleWindow(int afterSeconds, int windowSeconds) {
        this.settleSeconds = Math.max(0, Math.min(afterSeconds, 600));
        this.settledWindowSeconds = Math.max(1, Math.min(windowSeconds, 600));
        return this;
    }

    String label() {
        return "conns " + transport.prefix() + count + (rampRate > 0 ? " @" + rampRate + "/s" : "")
                + (cold ? " cold" : "");
    }

    Result run() throws Exception {
        Result r = new Result("conns", label());
        r.put("transport", transport.label).put("connections", count);
        if (!cold) {
            // one-time costs (JIT-compiled code, buffer pools, hub tables) are not connection memory: open and
            // close a batch first, then take the baseline
            int warm = Math.min(2000, count);
            RunContext.closeAll(ctx.openMany(transport, warm, i -> "warm" + (i / perChannel), ts -> { }, 120));
            Thread.sleep(2000);
            fullGc();
        }
        long before = ctx.server.rssBytes();
        ScheduledFuture<?> progress = ctx.progress("conns", () -> {
            var h = connectLatency.interval();
            return String.format("opening %d connections, interval connect p50 %.1f ms", count, Latency.ms(h, 50));
        });
        List<Subscriber> conns;
        RunContext.Meter meter = ctx.meter().start();
        try {
            conns = ctx.openMany(transport, count, i -> "idle" + (i / perChannel), i -> ctx.target, ts -> { }, 180,
                    rampRate, connectLatency);
        } finally {
            progress.cancel(false);
        }
        meter.stop();
        try {
            meter.rates(r, "connections", count);
            meter.report(r);
            Latency.report(connectLatency.total(), r); // p50_ms etc.: connect-to-subscribed
            // the server may still be finishing its side of the last subscriptions: 2 s, then the idle window
            Thread.sleep(2000);
            RunContext.Meter idle = ctx.meter().start();
            Thread.sleep(TimeUnit.SECONDS.toMillis(ctx.seconds));
            idle.stop();
            r.put("idle_cpu_pct", idle.serverCpuSeconds() / idle.seconds() * 100);
            if (settleSeconds > 0) {
                ctx.log("idle: waiting %d s, then the settled window of %d s", settleSeconds, settledWindowSeconds);
                Thread.sleep(TimeUnit.SECONDS.toMillis(settleSeconds));
                long cpu = ctx.server.threadCpuNanos();
                long wall = System.nanoTime();
                Thread.sleep(TimeUnit.SECONDS.toMillis(settledWindowSeconds));
                long cpuEnd = ctx.server.threadCpuNanos();
                double seconds = (System.nanoTime() - wall) / 1e9;
                r.put("idle_settled_cpu_pct", cpu < 0 || cpuEnd < 0 ? Double.NaN : (cpuEnd - cpu) / 1e9 / seconds * 100);
            }
            if (!cold) {
                fullGc();
            }
            long after = ctx.server.rssBytes();
            r.put("server_rss_mb", after < 0 ? Double.NaN : after / 1048576.0);
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
