package dev.rotor.server.http;

import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Gauge;
import dev.rotor.metrics.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Beyond v1: the {@code /metrics} endpoint in the Prometheus text format, called by the port's router. The node's
 * counters and gauges (the same ones {@code stats} reports) are bound to a Micrometer registry as {@code rotor_*}
 * meters read at scrape time, plus the JVM's memory, GC, thread and CPU meters. Thread-safe; one instance per server.
 */
public final class PrometheusEndpoint implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();

    public PrometheusEndpoint(Metrics metrics) {
        for (Counter c : Counter.values()) {
            FunctionCounter.builder("rotor_" + c.key(), metrics, m -> m.count(c)).register(registry);
        }
        for (Gauge g : Gauge.values()) {
            io.micrometer.core.instrument.Gauge.builder("rotor_" + g.key(), metrics, m -> m.gauge(g))
                    .register(registry);
        }
        // latency percentiles of the last completed metrics interval, as in the node command
        for (String key : metrics.raw().keySet()) {
            if (key.startsWith("client_api_1_") || key.startsWith("http_api_1_")) {
                String name = "rotor_" + key.replace("%ile", "_percentile").replace('.', '_').toLowerCase(Locale.ROOT);
                io.micrometer.core.instrument.Gauge.builder(name, metrics, m -> m.raw().getOrDefault(key, 0L))
                        .register(registry);
            }
        }
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        HttpResponses.send(ctx, request, r);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
