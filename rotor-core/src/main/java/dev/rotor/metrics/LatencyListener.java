package dev.rotor.metrics;

/**
 * Sees every latency sample {@link Metrics} records, beyond v1's two HdrHistogram windows: the server feeds them
 * to the histograms it exports on {@code /metrics}. Called on the recording thread (an event loop), so an
 * implementation must be thread-safe, must not block and must not throw.
 */
@FunctionalInterface
public interface LatencyListener {
    /** Ignores every sample. */
    LatencyListener NONE = (latency, micros) -> { };

    /** One sample of {@code latency}, in microseconds (never negative). */
    void recorded(Latency latency, long micros);
}
