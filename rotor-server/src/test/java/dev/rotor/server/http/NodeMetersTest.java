package dev.rotor.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.EngineShard;
import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Gauge;
import dev.rotor.metrics.Metrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The v1 counters and gauges under their Prometheus names, and the latency histograms' buckets, without a server. */
class NodeMetersTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Metrics metrics = new Metrics(new LatencyTimers(registry));

    @AfterEach
    void close() {
        registry.close();
    }

    @Test
    void everyV1CounterHasItsOwnSeriesWithHelp() {
        Set<String> series = new HashSet<>();
        for (Counter c : Counter.values()) {
            NodeMeters.Series s = NodeMeters.series(c);
            assertThat(s.help()).as(c.key()).isNotBlank();
            assertThat(series.add(s.name() + s.tags())).as("%s is the only %s%s", c.key(), s.name(), s.tags()).isTrue();
        }
        for (Gauge g : Gauge.values()) {
            NodeMeters.Series s = NodeMeters.series(g);
            if (s != null) {
                assertThat(s.help()).as(g.key()).isNotBlank();
                assertThat(series.add(s.name() + s.tags())).as(g.key()).isTrue();
            }
        }
    }

    @Test
    void countersAndGaugesAreReadAtScrapeTime() {
        NodeMeters.bind(metrics, registry);
        metrics.inc(Counter.NODE_NUM_JOIN_MSG_PUBLISHED);
        metrics.add(Counter.CLIENT_BYTES_OUT, 1234);
        metrics.inc(Counter.HTTP_SOCKJS_NUM_REQUESTS);
        metrics.setGauge(Gauge.NODE_NUM_CLIENTS, 7);

        assertThat(registry.scrape()).contains("rotor_node_messages_published_total{type=\"join\"} 1.0\n")
                .contains("rotor_node_messages_published_total{type=\"leave\"} 0.0\n")
                .contains("rotor_client_sent_bytes_total 1234.0\n")
                .contains("rotor_http_requests_total{endpoint=\"sockjs\"} 1.0\n")
                .contains("rotor_node_clients 7.0\n");
        // v1's Go-shaped gauges are left to the JVM meters (their HELP texts name the v1 key they replace)
        assertThat(registry.scrape().lines().filter(l -> !l.startsWith("#")))
                .noneMatch(l -> l.contains("goroutine") || l.contains("rusage") || l.contains("node_num_"));
    }

    @Test
    void eachEngineShardHasItsStateReadAtScrapeTime() {
        AtomicReference<List<EngineShard>> shards = new AtomicReference<>(List.of(
                new EngineShard(0, "127.0.0.1:6379/0", true, 0, 3),
                new EngineShard(1, "127.0.0.1:6380/0", true, 0, 1)));
        NodeMeters.bindEngine(shards::get, registry);
        assertThat(registry.scrape())
                .contains("rotor_engine_shard_connected{address=\"127.0.0.1:6379/0\",shard=\"0\"} 1.0\n")
                .contains("rotor_engine_shard_connected{address=\"127.0.0.1:6380/0\",shard=\"1\"} 1.0\n")
                .contains("rotor_engine_shard_channels{address=\"127.0.0.1:6379/0\",shard=\"0\"} 3.0\n")
                .contains("rotor_engine_shard_reconnects_total{address=\"127.0.0.1:6380/0\",shard=\"1\"} 0.0\n")
                .contains("# HELP rotor_engine_shard_connected ")
                .contains("# TYPE rotor_engine_shard_reconnects_total counter");

        shards.set(List.of(new EngineShard(0, "127.0.0.1:6379/0", true, 0, 3),
                new EngineShard(1, "127.0.0.1:6380/0", false, 2, 0)));
        assertThat(registry.scrape())
                .contains("rotor_engine_shard_connected{address=\"127.0.0.1:6380/0\",shard=\"1\"} 0.0\n")
                .contains("rotor_engine_shard_reconnects_total{address=\"127.0.0.1:6380/0\",shard=\"1\"} 2.0\n")
                .contains("rotor_engine_shard_channels{address=\"127.0.0.1:6380/0\",shard=\"1\"} 0.0\n");
    }

    @Test
    void theMemoryEngineHasNoShardSeries() {
        NodeMeters.bindEngine(List::of, registry);
        assertThat(registry.scrape()).doesNotContain("rotor_engine");
    }

    @Test
    void aLatencySampleLandsInTheRightBucketInSeconds() {
        metrics.recordHttpApiMicros(150);
        metrics.recordClientApiMicros(20_000_000); // 20 s: past the last bucket

        assertThat(registry.scrape())
                .contains("rotor_http_api_request_duration_seconds_bucket{le=\"1.0E-4\"} 0\n")
                .contains("rotor_http_api_request_duration_seconds_bucket{le=\"2.5E-4\"} 1\n")
                .contains("rotor_http_api_request_duration_seconds_count 1\n")
                .contains("rotor_http_api_request_duration_seconds_sum 1.5E-4\n")
                .contains("rotor_client_command_duration_seconds_bucket{le=\"10.0\"} 0\n")
                .contains("rotor_client_command_duration_seconds_bucket{le=\"+Inf\"} 1\n");
        // and v1's own window still sees both samples
        metrics.rotate();
        assertThat(metrics.snapshot()).containsEntry("http_api_1_count", 1L).containsEntry("client_api_1_count", 1L);
    }
}
