package dev.rotor.server.http;

import dev.rotor.metrics.Latency;
import dev.rotor.metrics.LatencyListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The node's two latencies as Micrometer timers, published on {@code /metrics} as Prometheus histograms with fixed
 * buckets ({@code _bucket}, {@code _count}, {@code _sum}, plus Micrometer's {@code _max} gauge). The buckets follow
 * the 1-2.5-5 series from 100 µs to 10 s: client commands on a healthy node take tens of microseconds to a few
 * milliseconds, an HTTP API request with a Redis round trip a few milliseconds, and anything past a second is an
 * outage worth its own bucket. Fixed buckets (not Micrometer's percentile histogram, about 70 buckets per timer)
 * keep each histogram at 17 series and let {@code histogram_quantile} aggregate across nodes. Thread-safe.
 */
public final class LatencyTimers implements LatencyListener {
    /** Upper bounds of the histogram buckets ({@code le}); {@code +Inf} is added by the registry. */
    static final Duration[] BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5),
        Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
        Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2_500), Duration.ofSeconds(5), Duration.ofSeconds(10),
    };

    private final Map<Latency, Timer> timers = new EnumMap<>(Latency.class);

    /** Registers both timers on {@code registry}. */
    public LatencyTimers(MeterRegistry registry) {
        for (Latency latency : Latency.values()) {
            timers.put(latency, switch (latency) {
                case CLIENT_API -> timer(registry, "rotor.client.command.duration",
                        "Time to handle one client protocol frame (v1 client_api_* latency)");
                case HTTP_API -> timer(registry, "rotor.http.api.request.duration",
                        "Time to handle one HTTP API request (v1 http_api_* latency)");
            });
        }
    }

    private static Timer timer(MeterRegistry registry, String name, String help) {
        return Timer.builder(name).description(help).serviceLevelObjectives(BUCKETS).register(registry);
    }

    @Override
    public void recorded(Latency latency, long micros) {
        timers.get(latency).record(micros, TimeUnit.MICROSECONDS);
    }
}
