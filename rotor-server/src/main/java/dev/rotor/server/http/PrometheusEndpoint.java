package dev.rotor.server.http;

import dev.rotor.engine.EngineLosses;
import dev.rotor.engine.EngineShard;
import dev.rotor.engine.HistoryUsage;
import dev.rotor.node.ClientQueueBudget;
import dev.rotor.metrics.Metrics;
import dev.rotor.server.transport.ReadGate;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Beyond v1: {@code /metrics} in the Prometheus text format. On the given registry it binds the node's counters and
 * gauges, the engine's per-shard state and the memory engine's history budget ({@link NodeMeters}, read at scrape
 * time), and the standard JVM, process
 * and Netty meters (memory, GC, threads, CPU, open files, uptime, buffer allocator, pending event loop tasks); the
 * latency histograms are the {@link LatencyTimers} already on the registry. Every meter has a HELP text;
 * docs/monitoring.md lists them all. Requests are answered from renders paced by a {@link ScrapePacer}. Thread-safe;
 * one instance per server, which owns and closes the registry.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    /** Standard meters whose Prometheus names break the conventions: a non-base unit, or a gauge named _count. */
    private static final Set<String> DENIED = Set.of("process.cpu.time", "system.cpu.count");

    private final PrometheusMeterRegistry registry;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /**
     * Micrometer holds the state object of a gauge or function counter weakly: without this reference the lambda
     * behind the shard meters is collected at the next GC and they read NaN from then on.
     */
    private final Supplier<List<EngineShard>> engineShards;
    private final Supplier<Optional<HistoryUsage>> historyUsage; // held for the same reason
    private final Supplier<Optional<EngineLosses>> losses; // held for the same reason
    private final ScrapePacer pacer;

    /**
     * @param registry the registry {@link LatencyTimers} records into; closed by {@link #close()}
     * @param engineShards the engine's shards (a list of fixed length, read at every scrape)
     * @param historyUsage the engine's in-process history against its budget (the memory engine's), read at every
     *                     scrape; empty for an engine that keeps history elsewhere
     * @param losses       what the engine dropped or read back from its backend, read at every scrape; empty for an
     *                     engine without a backend
     * @param clientQueues the client queues against {@code client_queue_budget}, read at every scrape
     * @param eventLoops the worker event loops, whose pending task counts are exported
     */
    public PrometheusEndpoint(PrometheusMeterRegistry registry, Metrics metrics,
            Supplier<List<EngineShard>> engineShards, Supplier<Optional<HistoryUsage>> historyUsage,
            Supplier<Optional<EngineLosses>> losses, ClientQueueBudget clientQueues,
            Iterable<EventExecutor> eventLoops) {
        this.registry = registry;
        this.engineShards = engineShards;
        this.historyUsage = historyUsage;
        this.losses = losses;
        this.pacer = new ScrapePacer(() -> registry.scrape().getBytes(StandardCharsets.UTF_8));
        NodeMeters.bind(metrics, registry);
        NodeMeters.bindScrapes(pacer, registry);
        NodeMeters.bindEngine(this.engineShards, registry);
        NodeMeters.bindHistory(this.historyUsage, registry);
        NodeMeters.bindLosses(this.losses, registry);
        NodeMeters.bindClientQueues(clientQueues, registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider allocator) {
            new NettyAllocatorMetrics(allocator).bindTo(registry);
        }
        new NettyEventExecutorMetrics(eventLoops).bindTo(registry);
    }

    /**
     * A registry for this endpoint, with its meter filters in place before any meter is registered: Micrometer
     * applies a filter only to meters registered after it (and warns when one comes later), and the latency timers
     * register as soon as they are made.
     */
    public static PrometheusMeterRegistry newRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config()
                // the seconds are in rotor_process_cpu_{user,system}_seconds_total; a gauge named _count reads as
                // half of a histogram to PromQL, and the number of CPUs is already folded into process_cpu_usage
                .meterFilter(MeterFilter.deny(id -> DENIED.contains(id.getName())))
                .meterFilter(new NettyHelp());
        return registry;
    }

    /**
     * Answers with a render that starts after the request arrived, made off the event loop and shared with the other
     * requests waiting for it ({@link ScrapePacer}). Meanwhile the requests that follow on the connection wait
     * ({@link ReadGate#holdAnswer}), as behind an API request waiting for the engine: answers stay in request order.
     */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        Channel channel = ctx.channel();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        ReadGate gate = ReadGate.of(channel);
        gate.holdAnswer();
        pacer.request((body, failure) -> {
            try {
                FullHttpResponse r;
                if (failure == null) {
                    r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
                    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                } else if (failure instanceof RejectedExecutionException) { // the server is shutting down
                    r = HttpResponses.response(HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.EMPTY_BUFFER);
                } else { // logged once per render by the pacer
                    r = HttpResponses.errorResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            HttpResponseStatus.INTERNAL_SERVER_ERROR.reasonPhrase());
                }
                HttpResponses.send(channel, keepAlive, r);
            } finally {
                gate.answerWritten();
            }
        });
    }

    /**
     * Gives Micrometer's Netty meters the HELP text and base unit they lack, and drops the allocator's {@code id}
     * label (an identity hash code, new at every start, that would only churn series).
     */
    private static final class NettyHelp implements MeterFilter {
        @Override
        public Meter.Id map(Meter.Id id) {
            return switch (id.getName()) {
                case "netty.allocator.memory.used" -> new Meter.Id(id.getName(),
                        Tags.of(id.getTags().stream().filter(t -> !t.getKey().equals("id")).toList()), "bytes",
                        "Memory held by Netty's buffer allocator, by allocator and memory type (heap or direct)",
                        id.getType());
                case "netty.eventexecutor.tasks.pending" -> new Meter.Id(id.getName(), Tags.of(id.getTags()),
                        id.getBaseUnit(), "Tasks waiting in each event loop's queue", id.getType());
                default -> id;
            };
        }
    }

    @Override
    public void close() {
        pacer.close();
        gc.close();
        registry.close();
    }
}
