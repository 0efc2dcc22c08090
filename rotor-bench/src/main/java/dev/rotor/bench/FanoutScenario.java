package dev.rotor.bench;

import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Fan-out: {@code channels × subscribers} clients over one {@link ClientTransport}, publications through the HTTP
 * API at a fixed rate (latency from the intended send time, so stalls are not hidden) or at the highest rate the
 * server sustains (closed loop: at most {@code window} publications per channel not yet delivered). With several
 * nodes (Redis engine) the API goes to node A and each channel's subscribers are spread over all nodes, so the
 * latency is end to end through Redis. Measures
 * deliveries per second and per server CPU-second, delivery latency percentiles and the delivery ratio. Single use.
 */
final class FanoutScenario {
    /** Longest wait for in-flight deliveries after publishing stops. */
    private static final long DRAIN_SECONDS = 10;

    private final RunContext ctx;
    private final ClientTransport transport;
    private final int channels;
    private final int subscribers;
    /** Publications per second; 0 means as fast as deliveries keep up. */
    private final int rate;
    private final int batch;
    private final int apiConnections;
    private final int window;
    private final int dataBytes;

    private final Latency latency = new Latency();
    private final LongAdder delivered = new LongAdder();
    private final LongAdder apiErrors = new LongAdder();
    /** Publications sent; publisher event loop only (read by the progress line, hence volatile). */
    private volatile long published;
    /** Requests sent; publisher event loop only. */
    private long requests;
    private long startNanos;
    private final AtomicBoolean publishing = new AtomicBoolean();

    FanoutScenario(RunContext ctx, ClientTransport transport, int channels, int subscribers, int rate, int batch,
            int apiConnections, int window, int dataBytes) {
        if (channels < 1 || subscribers < 1 || batch < 1 || batch > channels || apiConnections < 1 || rate < 0) {
            throw new IllegalArgumentException("fanout needs channels ≥ 1, subscribers ≥ 1, 1 ≤ batch ≤ channels, "
                    + "api connections ≥ 1, rate ≥ 0");
        }
        this.ctx = ctx;
        this.transport = transport;
        this.channels = channels;
        this.subscribers = subscribers;
        this.rate = rate;
        this.batch = batch;
        this.apiConnections = apiConnections;
        this.window = window;
        this.dataBytes = dataBytes;
    }

    String label() {
        return "fanout " + (ctx.nodes.size() > 1 ? ctx.nodes.size() + " nodes " : "") + transport.prefix()
                + channels + "x" + subscribers + (rate == 0 ? " max" : " @" + rate + "/s")
                + (batch > 1 ? " b" + batch : "");
    }

    Result run() throws Exception {
        Result r = new Result("fanout", label());
        r.put("transport", transport.label).put("channels", channels).put("subscribers_per_channel", subscribers)
                .put("target_rate", rate).put("batch", batch);
        ctx.log("%s: opening %d connections over %d node(s)", label(), channels * subscribers, ctx.nodes.size());
        List<Subscriber> conns = ctx.openMany(transport, channels * subscribers, i -> channel(i % channels),
                i -> ctx.nodes.get(node(i, channels, ctx.nodes.size())), ts -> {
                    delivered.increment();
                    latency.recordSince(ts, System.nanoTime());
                }, 120);
        // one request body template per group of `batch` consecutive channels
        List<Payloads> bodies = new ArrayList<>();
        for (int first = 0; first < channels; first += batch) {
            List<String> names = new ArrayList<>();
            for (int c = first; c < Math.min(channels, first + batch); c++) {
                names.add(channel(c));
            }
            bodies.add(Payloads.publishes(names, dataBytes));
        }
        EventLoop publisher = ctx.loop.group().next();
        List<ApiConnection> api = new ArrayList<>();
        for (int i = 0; i < apiConnections; i++) {
            api.add(ApiConnection.open(ctx.loop.bootstrap(publisher), ctx.target, (c, ok, started) -> {
                if (!ok) {
                    apiErrors.increment();
                }
                pump(api, bodies);
            }));
        }
        ScheduledFuture<?> progress = ctx.progress("fanout", this::progressLine);
        try {
            startNanos = System.nanoTime();
            publishing.set(true);
            ScheduledFuture<?> tick = publisher.scheduleAtFixedRate(() -> {
                try {
                    pump(api, bodies);
                } catch (RuntimeException e) {
                    // a bug in the generator must not silently stop publishing
                    publishing.set(false);
                    ctx.log("publisher failed: %s", e);
                    throw e;
                }
            }, 0, 1, TimeUnit.MILLISECONDS);
            waitSeconds(ctx.warmupSeconds);
            latency.reset();
            long deliveredBefore = delivered.sum();
            RunContext.Meter meter = ctx.meter().start();
            waitSeconds(ctx.seconds);
            long deliveredInWindow = delivered.sum() - deliveredBefore;
            meter.stop();
            publishing.set(false);
            tick.cancel(false);
            double publishingSeconds = (System.nanoTime() - startNanos) / 1e9;
            long sentPublications = published;
            long expected = sentPublications * subscribers;
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
            while (delivered.sum() < expected && System.nanoTime() < drainDeadline) {
                Thread.sleep(20);
            }
            long open = conns.stream().filter(Subscriber::isOpen).count();
            r.put("stream_recycles", conns.stream().mapToLong(Subscriber::recycles).sum());
            meter.report(r);
            meter.rates(r, "deliveries", deliveredInWindow);
            r.put("rate_per_s", sentPublications / publishingSeconds);
            r.put("publications", sentPublications).put("deliveries", delivered.sum())
                    .put("delivery_ratio", expected == 0 ? Double.NaN : (double) delivered.sum() / expected)
                    .put("api_errors", apiErrors.sum()).put("connections_still_open", open);
            Latency.report(latency.total(), r);
        } finally {
            publishing.set(false);
            progress.cancel(false);
            api.forEach(ApiConnection::close);
            RunContext.closeAll(conns);
        }
        return r;
    }

    /**
     * The node of connection {@code i} (channel {@code i mod channels}): the k-th subscriber of every channel goes to
     * node k mod nodes, so each channel spans every node.
     */
    static int node(int i, int channels, int nodes) {
        return i / channels % nodes;
    }

    private static String channel(int i) {
        return "fan" + i;
    }

    /** Publisher event loop only: sends whatever is due on every idle API connection. */
    private void pump(List<ApiConnection> api, List<Payloads> bodies) {
        if (!publishing.get()) {
            return;
        }
        long now = System.nanoTime();
        for (ApiConnection c : api) {
            if (!c.idle() || !c.isOpen()) {
                continue;
            }
            long stamp;
            if (rate > 0) {
                long reqInterval = 1_000_000_000L * batch / rate;
                long intended = startNanos + requests * reqInterval;
                if (intended > now) {
                    return;
                }
                stamp = intended;
            } else {
                long inFlight = published * subscribers - delivered.sum();
                if (inFlight >= (long) window * subscribers * batch) {
                    return;
                }
                stamp = now;
            }
            Payloads body = bodies.get((int) (requests % bodies.size()));
            c.send(body.stamp(stamp), null);
            requests++;
            published += body.commands();
        }
    }

    private String progressLine() {
        Histogram h = latency.interval();
        return String.format("published %d, delivered %d, interval p50 %.2f ms p99 %.2f ms", published,
                delivered.sum(), Latency.ms(h, 50), Latency.ms(h, 99));
    }

    private static void waitSeconds(int s) throws InterruptedException {
        Thread.sleep(TimeUnit.SECONDS.toMillis(s));
    }
}
