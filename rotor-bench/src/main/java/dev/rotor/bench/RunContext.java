package dev.rotor.bench;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * What every scenario needs: the target, the generator's event loops, the server's {@code /proc} sampler, the
 * run and warm-up durations, a once-a-second progress line and bounded bulk connection opening. One per scenario
 * run; close it at the end. Used from the scenario's thread (the progress line from its own daemon thread).
 */
final class RunContext implements AutoCloseable {
    /** Handshakes in flight at once while opening many connections (bounded so the accept backlog holds). */
    static final int OPEN_CONCURRENCY = 500;

    /** Node A: the API goes here, and subscribers when there is one node. */
    final Target target;
    /** Every node subscribers are spread over (node A first); one element unless a multi-node run. */
    final List<Target> nodes;
    final ClientLoop loop;
    /** All the server processes (both nodes of a two-node run). */
    final ProcStats server;
    /** The Redis server the nodes share, or a disabled sampler (pid 0) on the memory engine. */
    final ProcStats redis;
    final int seconds;
    final int warmupSeconds;
    final String wsPath;
    /** The SockJS endpoint prefix, e.g. {@code /connection}. */
    final String sockJsPath;
    /** SockJS session ids: a random start, so runs against one server do not reuse each other's ids. */
    private final AtomicLong sessionIds = new AtomicLong(new SecureRandom().nextLong() >>> 24);
    private final PrintStream out;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-progress");
        t.setDaemon(true);
        return t;
    });

    RunContext(Target target, int threads, ProcStats server, int seconds, int warmupSeconds, String wsPath,
            String sockJsPath, PrintStream out) {
        this(List.of(target), threads, server, new ProcStats(0), seconds, warmupSeconds, wsPath, sockJsPath, out);
    }

    RunContext(List<Target> nodes, int threads, ProcStats server, ProcStats redis, int seconds, int warmupSeconds,
            String wsPath, String sockJsPath, PrintStream out) {
        if (seconds <= 0 || seconds > 600) {
            throw new IllegalArgumentException("--duration must be 1..600 seconds, not " + seconds);
        }
        this.target = nodes.get(0);
        this.nodes = List.copyOf(nodes);
        this.redis = redis;
        this.loop = new ClientLoop(threads);
        this.server = server;
        this.seconds = seconds;
        this.warmupSeconds = warmupSeconds;
        this.wsPath = wsPath;
        this.sockJsPath = sockJsPath;
        this.out = out;
    }

    /** Prints {@code line.get()} every second until the returned handle is cancelled. */
    ScheduledFuture<?> progress(String name, Supplier<String> line) {
        long t0 = System.nanoTime();
        return ticker.scheduleAtFixedRate(() -> {
            long rss = server.rssBytes();
            out.printf("[%s %4.0fs] %s%s load %.2f%n", name, (System.nanoTime() - t0) / 1e9, line.get(),
                    rss > 0 ? String.format(" | server RSS %d MB", rss >> 20) : "", ProcStats.loadAverage());
        }, 1, 1, TimeUnit.SECONDS);
    }

    void log(String format, Object... args) {
        out.printf(format + "%n", args);
    }

    /** A SockJS session id not used before by this generator run. */
    long nextSessionId() {
        return sessionIds.incrementAndGet();
    }

    /**
     * Opens {@code n} subscribed connections over {@code transport}, at most {@link #OPEN_CONCURRENCY} handshakes
     * at a time, and waits until all are subscribed (at most {@code timeoutSeconds}).
     *
     * @throws IllegalStateException when any connection fails, with the first failure as cause
     */
    List<Subscriber> openMany(ClientTransport transport, int n, IntFunction<String> channelOf, Subscriber.Sink sink,
            int timeoutSeconds) throws InterruptedException, TimeoutException {
        return openMany(transport, n, channelOf, i -> target, sink, timeoutSeconds);
    }

    /** As above, connection {@code i} to node {@code nodeOf.apply(i)}. */
    List<Subscriber> openMany(ClientTransport transport, int n, IntFunction<String> channelOf,
            IntFunction<Target> nodeOf, Subscriber.Sink sink, int timeoutSeconds)
            throws InterruptedException, TimeoutException {
        return openMany(transport, n, channelOf, nodeOf, sink, timeoutSeconds, 0, null);
    }

    /**
     * As above, started at {@code ratePerSecond} connections per second (0: as fast as the
     * {@link #OPEN_CONCURRENCY} handshakes in flight allow), each connection's connect-to-subscribed time recorded
     * in {@code connectLatency} when not null (from its scheduled start, so a server that falls behind the ramp is
     * charged for the wait).
     */
    List<Subscriber> openMany(ClientTransport transport, int n, IntFunction<String> channelOf,
            IntFunction<Target> nodeOf, Subscriber.Sink sink, int timeoutSeconds, double ratePerSecond,
            Latency connectLatency) throws InterruptedException, TimeoutException {
        long limit = ProcStats.openFileLimit();
        if (limit > 0 && n + 200 > limit) {
            throw new IllegalArgumentException("cannot open " + n + " connections: this process may open only "
                    + limit + " files (ulimit -n); above ~18,000 connections the 20,000-file limit of this "
                    + "machine is the bound, raise it with `ulimit -n` where allowed");
        }
        Semaphore slots = new Semaphore(OPEN_CONCURRENCY);
        List<Subscriber> conns = new ArrayList<>(n);
        List<CompletableFuture<? extends Subscriber>> all = new ArrayList<>(n);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long scheduled = ratePerSecond > 0 ? start + (long) (i * 1e9 / ratePerSecond) : System.nanoTime();
            long wait = scheduled - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (!slots.tryAcquire(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                closeAll(conns);
                throw new TimeoutException("opened only " + i + " of " + n + " connections in " + timeoutSeconds
                        + " s");
            }
            Subscriber c = transport.open(this, nodeOf.apply(i), "u" + i, channelOf.apply(i), sink);
            c.ready().whenComplete((v, e) -> {
                if (e == null && connectLatency != null) {
                    connectLatency.recordSince(scheduled, System.nanoTime());
                }
                slots.release();
            });
            conns.add(c);
            all.add(c.ready());
        }
        try {
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            long failed = all.stream().filter(CompletableFuture::isCompletedExceptionally).count();
            closeAll(conns);
            throw new IllegalStateException(failed + " of " + n + " connections failed", e.getCause());
        }
        return conns;
    }

    static void closeAll(List<Subscriber> conns) {
        for (Subscriber c : conns) {
            c.close();
        }
        for (Subscriber c : conns) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
    }

    /** Server, Redis and generator CPU between {@link #start()} and {@link #stop}. Used by one thread. */
    final class Meter {
        private long wall;
        private long serverCpu;
        private long redisCpu;
        private long ownCpu;
        private long wallEnd;
        private long serverCpuEnd;
        private long redisCpuEnd;
        private long ownCpuEnd;

        Meter start() {
            wall = System.nanoTime();
            serverCpu = server.cpuNanos();
            redisCpu = redis.cpuNanos();
            ownCpu = ProcStats.ownCpuNanos();
            return this;
        }

        Meter stop() {
            wallEnd = System.nanoTime();
            serverCpuEnd = server.cpuNanos();
            redisCpuEnd = redis.cpuNanos();
            ownCpuEnd = ProcStats.ownCpuNanos();
            return this;
        }

        double seconds() {
            return (wallEnd - wall) / 1e9;
        }

        /** Server CPU-seconds used in the window; NaN when the server is not local. */
        double serverCpuSeconds() {
            return serverCpu < 0 || serverCpuEnd < 0 ? Double.NaN : (serverCpuEnd - serverCpu) / 1e9;
        }

        /** Redis CPU-seconds used in the window; NaN on the memory engine. */
        double redisCpuSeconds() {
            return redisCpu < 0 || redisCpuEnd < 0 ? Double.NaN : (redisCpuEnd - redisCpu) / 1e9;
        }

        /**
         * Adds duration, CPU (server, Redis when there is one, and generator, % of one core), RSS and load average
         * to a result.
         */
        void report(Result r) {
            r.put("duration_s", seconds());
            double cpu = serverCpuSeconds();
            r.put("server_cpu_s", cpu).put("server_cpu_pct", cpu / seconds() * 100);
            if (redis.enabled()) {
                double rc = redisCpuSeconds();
                r.put("redis_cpu_s", rc).put("redis_cpu_pct", rc / seconds() * 100);
            }
            if (nodes.size() > 1) {
                r.put("nodes", nodes.size());
            }
            r.put("bench_cpu_pct", (ownCpuEnd - ownCpu) / 1e9 / seconds() * 100);
            long rss = server.rssBytes();
            r.put("server_rss_mb", rss < 0 ? Double.NaN : rss / 1048576.0);
            r.put("loadavg", ProcStats.loadAverage());
        }

        /**
         * {@code count} per second of the window and per server CPU-second, under {@code key}; with Redis also
         * Redis CPU-microseconds per unit ({@code redis_us_per_<key>}).
         */
        void rates(Result r, String key, long count) {
            r.put(key + "_per_s", count / seconds());
            double cpu = serverCpuSeconds();
            r.put(key + "_per_cpu_s", Double.isNaN(cpu) || cpu <= 0 ? Double.NaN : count / cpu);
            if (redis.enabled()) {
                r.put("redis_us_per_" + key, count <= 0 ? Double.NaN : redisCpuSeconds() * 1e6 / count);
            }
        }
    }

    Meter meter() {
        return new Meter();
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        loop.close();
    }
}
