package dev.rotor.metrics;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * One node's metrics: the 30 counters, 12 gauges and two latency histograms of v1's {@code stats} and {@code node}
 * replies (http-api.md §4.8–4.10), 74 integer values in all. Thread-safe; recording is cheap (a {@link LongAdder}
 * increment, an array store, or a wait-free HdrHistogram record).
 *
 * <p>Two views. {@link #raw()} (for {@code node}): counters cumulative since start, gauges as last set or
 * computed, histograms as of the last {@link #rotate()}. {@link #snapshot()} (for {@code stats} and the node ping):
 * the view frozen by the last {@link #rotate()}, where each counter is its increase during the interval that ended
 * there; all zeros before the first rotate. The node calls {@link #rotate()} every {@code node_metrics_interval}.
 * Keys are sorted (a {@link TreeMap}), which is also the order v1's Go JSON encoder writes them in.
 */
public final class Metrics {
    private static final Counter[] COUNTERS = Counter.values();
    private static final Gauge[] GAUGES = Gauge.values();

    private final LongAdder[] counters = new LongAdder[COUNTERS.length];
    private final AtomicLongArray gauges = new AtomicLongArray(GAUGES.length);
    private final LatencyHistogram clientApi = new LatencyHistogram("client_api");
    private final LatencyHistogram httpApi = new LatencyHistogram("http_api");
    private final LatencyListener latencyListener;

    private final Object rotateLock = new Object();
    private final ProcessGauges processGauges = new ProcessGauges(); // guarded by rotateLock
    private final long[] countersAtLastRotate = new long[COUNTERS.length]; // guarded by rotateLock
    private volatile Map<String, Long> snapshot; // unmodifiable; replaced by rotate

    /** Metrics whose latency samples feed only v1's windows. */
    public Metrics() {
        this(LatencyListener.NONE);
    }

    /** Metrics that also pass every latency sample to {@code latencyListener} (the {@code /metrics} histograms). */
    public Metrics(LatencyListener latencyListener) {
        this.latencyListener = latencyListener;
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new LongAdder();
        }
        Map<String, Long> zeros = new TreeMap<>();
        for (Counter counter : COUNTERS) {
            zeros.put(counter.key(), 0L);
        }
        for (Gauge gauge : GAUGES) {
            zeros.put(gauge.key(), 0L);
        }
        clientApi.putZeros(zeros);
        httpApi.putZeros(zeros);
        snapshot = Collections.unmodifiableMap(zeros);
        synchronized (rotateLock) {
            refreshProcessGauges(); // so raw() shows memory and CPU before the first interval ends
        }
    }

    /** Adds one to a counter. */
    public void inc(Counter counter) {
        counters[counter.ordinal()].increment();
    }

    /** Adds {@code delta} to a counter. */
    public void add(Counter counter, long delta) {
        counters[counter.ordinal()].add(delta);
    }

    /** A counter's cumulative value since start. */
    public long count(Counter counter) {
        return counters[counter.ordinal()].sum();
    }

    /**
     * Sets a gauge. The node sets {@code node_num_clients}, {@code node_num_unique_clients},
     * {@code node_num_channels} and {@code node_uptime_seconds} (at each node ping); the process gauges are
     * overwritten by every {@link #rotate()}.
     */
    public void setGauge(Gauge gauge, long value) {
        gauges.set(gauge.ordinal(), value);
    }

    /** A gauge's current value. */
    public long gauge(Gauge gauge) {
        return gauges.get(gauge.ordinal());
    }

    /** Records the time to handle one client frame. */
    public void recordClientApiMicros(long micros) {
        clientApi.record(micros);
        latencyListener.recorded(Latency.CLIENT_API, Math.max(0, micros));
    }

    /** Records the time to handle one HTTP API request. */
    public void recordHttpApiMicros(long micros) {
        httpApi.record(micros);
        latencyListener.recorded(Latency.HTTP_API, Math.max(0, micros));
    }

    /** All 74 current values: counters cumulative, gauges current, histograms as of the last rotate. */
    public Map<String, Long> raw() {
        Map<String, Long> values = new TreeMap<>();
        for (Counter counter : COUNTERS) {
            values.put(counter.key(), counters[counter.ordinal()].sum());
        }
        for (Gauge gauge : GAUGES) {
            values.put(gauge.key(), gauges.get(gauge.ordinal()));
        }
        clientApi.putStats(values);
        httpApi.putStats(values);
        return Collections.unmodifiableMap(values);
    }

    /** The 74 values frozen by the last {@link #rotate()}; all zeros before the first. */
    public Map<String, Long> snapshot() {
        return snapshot;
    }

    /**
     * Ends a metrics interval: refreshes the process gauges, rotates the histogram windows and freezes a new
     * {@link #snapshot()} where counters are their increase since the previous rotate.
     */
    public void rotate() {
        synchronized (rotateLock) {
            refreshProcessGauges();
            Map<String, Long> values = new TreeMap<>();
            for (Counter counter : COUNTERS) {
                int i = counter.ordinal();
                long now = counters[i].sum();
                values.put(counter.key(), now - countersAtLastRotate[i]);
                countersAtLastRotate[i] = now;
            }
            for (Gauge gauge : GAUGES) {
                values.put(gauge.key(), gauges.get(gauge.ordinal()));
            }
            clientApi.rotate();
            httpApi.rotate();
            clientApi.putStats(values);
            httpApi.putStats(values);
            snapshot = Collections.unmodifiableMap(values);
        }
    }

    private void refreshProcessGauges() {
        processGauges.refresh(gauges);
    }
}
