package dev.rotor.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link Metrics}: the v1 key set (http-api.md §4.10), interval semantics of snapshots and histogram windows. */
class MetricsTest {
    private static final List<String> COUNTER_KEYS = List.of(
            "client_api_num_requests", "client_bytes_in", "client_bytes_out",
            "client_num_connect", "client_num_msg_published", "client_num_msg_queued",
            "client_num_msg_sent", "client_num_subscribe",
            "http_api_num_requests", "http_raw_ws_num_requests", "http_sockjs_num_requests",
            "node_num_add_client_conn", "node_num_add_client_sub", "node_num_add_presence",
            "node_num_admin_msg_published", "node_num_admin_msg_received",
            "node_num_client_msg_published", "node_num_client_msg_received",
            "node_num_control_msg_published", "node_num_control_msg_received",
            "node_num_history", "node_num_join_msg_published", "node_num_join_msg_received",
            "node_num_last_message_id", "node_num_leave_msg_published", "node_num_leave_msg_received",
            "node_num_presence", "node_num_remove_client_conn", "node_num_remove_client_sub",
            "node_num_remove_presence");
    private static final List<String> GAUGE_KEYS = List.of(
            "node_cpu_usage", "node_memory_sys", "node_memory_heap_sys", "node_memory_heap_alloc",
            "node_memory_stack_inuse", "node_rusage_utime", "node_rusage_stime", "node_num_goroutine",
            "node_num_clients", "node_num_unique_clients", "node_num_channels", "node_uptime_seconds");

    private final Metrics metrics = new Metrics();

    private static List<String> histogramKeys() {
        List<String> keys = new ArrayList<>();
        for (String h : List.of("client_api", "http_api")) {
            for (String window : List.of("1", "15")) {
                keys.add(h + "_" + window + "_count");
                for (String stat : List.of("min", "max", "mean", "50%ile", "90%ile", "99%ile", "99.99%ile")) {
                    keys.add(h + "_" + window + "_microseconds_" + stat);
                }
            }
        }
        return keys;
    }

    private static List<String> allKeys() {
        List<String> keys = new ArrayList<>(COUNTER_KEYS);
        keys.addAll(GAUGE_KEYS);
        keys.addAll(histogramKeys());
        return keys;
    }

    @Test
    void everyLatencySampleAlsoReachesTheListener() {
        List<String> seen = new ArrayList<>();
        Metrics withListener = new Metrics((latency, micros) -> seen.add(latency + "=" + micros));
        withListener.recordClientApiMicros(120);
        withListener.recordHttpApiMicros(-5);
        assertThat(seen).containsExactly("CLIENT_API=120", "HTTP_API=0");
        withListener.rotate();
        assertThat(withListener.snapshot()).containsEntry("client_api_1_count", 1L)
                .containsEntry("client_api_1_microseconds_max", 120L).containsEntry("http_api_1_count", 1L);
    }

    @Test
    void rawAndSnapshotHaveExactlyTheSeventyFourV1Keys() {
        assertThat(allKeys()).hasSize(74).doesNotHaveDuplicates();

        assertThat(metrics.raw().keySet()).containsExactlyInAnyOrderElementsOf(allKeys());
        assertThat(metrics.snapshot().keySet()).containsExactlyInAnyOrderElementsOf(allKeys());
        metrics.rotate();
        assertThat(metrics.snapshot().keySet()).containsExactlyInAnyOrderElementsOf(allKeys());
    }

    @Test
    void keysAreSortedLikeV1sJsonEncoderWritesThem() {
        List<String> sorted = new ArrayList<>(allKeys());
        sorted.sort(null);

        assertThat(metrics.raw().keySet()).containsExactlyElementsOf(sorted);
    }

    @Test
    void enumKeysMatchTheV1Names() {
        assertThat(List.of(Counter.values())).extracting(Counter::key).containsExactlyElementsOf(COUNTER_KEYS);
        assertThat(List.of(Gauge.values())).extracting(Gauge::key).containsExactlyElementsOf(GAUGE_KEYS);
    }

    @Test
    void snapshotIsAllZerosBeforeTheFirstRotate() {
        metrics.inc(Counter.CLIENT_NUM_CONNECT);
        metrics.setGauge(Gauge.NODE_NUM_CLIENTS, 5);
        metrics.recordClientApiMicros(100);

        assertThat(metrics.snapshot()).hasSize(74).allSatisfy((key, value) -> assertThat(value).isZero());
    }

    @Test
    void snapshotCountersAreTheIncreaseDuringTheLastIntervalWhileRawCountersAccumulate() {
        metrics.inc(Counter.NODE_NUM_CLIENT_MSG_PUBLISHED);
        metrics.inc(Counter.NODE_NUM_CLIENT_MSG_PUBLISHED);
        metrics.add(Counter.CLIENT_BYTES_IN, 1000);
        metrics.rotate();
        assertThat(metrics.snapshot()).containsEntry("node_num_client_msg_published", 2L)
                .containsEntry("client_bytes_in", 1000L).containsEntry("client_bytes_out", 0L);

        metrics.inc(Counter.NODE_NUM_CLIENT_MSG_PUBLISHED);
        metrics.add(Counter.CLIENT_BYTES_IN, 24);
        assertThat(metrics.snapshot()).containsEntry("node_num_client_msg_published", 2L);
        metrics.rotate();
        assertThat(metrics.snapshot()).containsEntry("node_num_client_msg_published", 1L)
                .containsEntry("client_bytes_in", 24L);

        metrics.rotate();
        assertThat(metrics.snapshot()).containsEntry("node_num_client_msg_published", 0L)
                .containsEntry("client_bytes_in", 0L);
        assertThat(metrics.raw()).containsEntry("node_num_client_msg_published", 3L)
                .containsEntry("client_bytes_in", 1024L);
        assertThat(metrics.count(Counter.CLIENT_BYTES_IN)).isEqualTo(1024);
    }

    @Test
    void concurrentIncrementsAreAllCounted() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < 10_000; i++) {
                        metrics.inc(Counter.CLIENT_NUM_MSG_SENT);
                    }
                }, pool));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertThat(metrics.raw()).containsEntry("client_num_msg_sent", 40_000L);
    }

    @Test
    void nodeGaugesShowInRawAtOnceAndInTheSnapshotFromTheNextRotate() {
        metrics.setGauge(Gauge.NODE_NUM_CLIENTS, 7);
        metrics.setGauge(Gauge.NODE_NUM_UNIQUE_CLIENTS, 3);
        metrics.setGauge(Gauge.NODE_NUM_CHANNELS, 11);
        metrics.setGauge(Gauge.NODE_UPTIME_SECONDS, 42);
        assertThat(metrics.raw()).containsEntry("node_num_clients", 7L).containsEntry("node_uptime_seconds", 42L);
        assertThat(metrics.snapshot()).containsEntry("node_num_clients", 0L);

        metrics.rotate();
        metrics.setGauge(Gauge.NODE_NUM_CLIENTS, 9);

        assertThat(metrics.snapshot()).containsEntry("node_num_clients", 7L)
                .containsEntry("node_num_unique_clients", 3L).containsEntry("node_num_channels", 11L)
                .containsEntry("node_uptime_seconds", 42L);
        assertThat(metrics.gauge(Gauge.NODE_NUM_CLIENTS)).isEqualTo(9);
    }

    @Test
    void processGaugesAreComputedFromTheJvm() {
        Map<String, Long> raw = metrics.raw();
        assertThat(raw.get("node_memory_heap_alloc")).isPositive();
        assertThat(raw.get("node_memory_heap_sys")).isGreaterThanOrEqualTo(raw.get("node_memory_heap_alloc"));
        assertThat(raw.get("node_memory_sys")).isGreaterThan(raw.get("node_memory_heap_sys"));
        assertThat(raw.get("node_memory_stack_inuse")).isPositive();
        assertThat(raw.get("node_num_goroutine")).isGreaterThanOrEqualTo(1L);
        assertThat(raw.get("node_rusage_utime")).isPositive(); // starting a JVM costs far more than one tick
        assertThat(raw.get("node_rusage_stime")).isNotNegative();
        assertThat(raw.get("node_cpu_usage")).isNotNegative();

        metrics.rotate();
        assertThat(metrics.snapshot().get("node_memory_heap_alloc")).isPositive();
        assertThat(metrics.snapshot().get("node_rusage_utime")).isGreaterThanOrEqualTo(raw.get("node_rusage_utime"));
    }

    @Test
    void oneIntervalWindowIsTheLastCompletedInterval() {
        metrics.recordClientApiMicros(100);
        metrics.recordClientApiMicros(200);
        metrics.recordClientApiMicros(300);
        assertThat(metrics.raw()).containsEntry("client_api_1_count", 0L);

        metrics.rotate();

        assertThat(metrics.snapshot())
                .containsEntry("client_api_1_count", 3L)
                .containsEntry("client_api_1_microseconds_min", 100L)
                .containsEntry("client_api_1_microseconds_max", 300L)
                .containsEntry("client_api_1_microseconds_mean", 200L)
                .containsEntry("client_api_1_microseconds_50%ile", 200L)
                .containsEntry("client_api_1_microseconds_90%ile", 300L)
                .containsEntry("client_api_1_microseconds_99.99%ile", 300L)
                .containsEntry("client_api_15_count", 3L)
                .containsEntry("http_api_1_count", 0L)
                .containsEntry("http_api_15_count", 0L);
        assertThat(metrics.raw()).containsEntry("client_api_1_count", 3L);

        metrics.rotate();
        assertThat(metrics.snapshot())
                .containsEntry("client_api_1_count", 0L)
                .containsEntry("client_api_1_microseconds_max", 0L)
                .containsEntry("client_api_15_count", 3L)
                .containsEntry("client_api_15_microseconds_max", 300L);
    }

    @Test
    void fifteenIntervalWindowMergesOnlyTheLastFifteenIntervals() {
        for (int i = 1; i <= 16; i++) {
            metrics.recordHttpApiMicros(i * 10L);
            metrics.rotate();
        }

        assertThat(metrics.snapshot())
                .containsEntry("http_api_1_count", 1L)
                .containsEntry("http_api_1_microseconds_min", 160L)
                .containsEntry("http_api_1_microseconds_max", 160L)
                .containsEntry("http_api_15_count", 15L)
                .containsEntry("http_api_15_microseconds_min", 20L) // the first interval (10) has dropped out
                .containsEntry("http_api_15_microseconds_max", 160L)
                .containsEntry("http_api_15_microseconds_mean", 90L)
                .containsEntry("client_api_15_count", 0L);
    }

    @Test
    void negativeLatenciesAreRecordedAsZero() {
        metrics.recordClientApiMicros(-5);
        metrics.rotate();

        assertThat(metrics.snapshot()).containsEntry("client_api_1_count", 1L)
                .containsEntry("client_api_1_microseconds_max", 0L);
    }
}
