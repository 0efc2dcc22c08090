package dev.rotor.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latency recording in microseconds (1 µs to 1 h, 3 significant digits) from any thread, wait-free for writers.
 * Fixed-rate scenarios pass the <em>intended</em> send time, so a stalled server is charged for every message it
 * delayed (coordinated-omission correction); closed-loop scenarios pass the actual send time. Thread-safe.
 */
final class Latency {
    private final Recorder recorder = new Recorder(3_600_000_000L, 3);
    private final Histogram total = new Histogram(3_600_000_000L, 3);
    /** Guarded by {@code this}: only the snapshot thread touches {@link #total}. */
    private Histogram lastInterval;

    void recordSince(long startNanos, long nowNanos) {
        long micros = Math.max(1, (nowNanos - startNanos) / 1000);
        recorder.recordValue(Math.min(micros, 3_600_000_000L));
    }

    /** Moves everything recorded so far into the totals; returns the interval (for progress lines). */
    synchronized Histogram interval() {
        lastInterval = recorder.getIntervalHistogram(lastInterval);
        total.add(lastInterval);
        return lastInterval;
    }

    /** Discards everything recorded so far (end of warm-up). */
    synchronized void reset() {
        interval();
        total.reset();
    }

    /** Totals since the last reset, including anything still in the recorder. */
    synchronized Histogram total() {
        interval();
        return total.copy();
    }

    static double ms(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Adds p50, p90, p99, p99.9 and max (ms) and the sample count to a result. */
    static void report(Histogram h, Result r) {
        r.put("p50_ms", ms(h, 50)).put("p90_ms", ms(h, 90)).put("p99_ms", ms(h, 99)).put("p999_ms", ms(h, 99.9))
                .put("max_ms", h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0)
                .put("latency_samples", h.getTotalCount());
    }
}
