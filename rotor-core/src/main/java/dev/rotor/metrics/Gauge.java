package dev.rotor.metrics;

import java.util.Locale;

/**
 * The twelve v1.8.0 gauges (http-api.md §4.10); {@link #key()} is the metric name in {@code stats} and
 * {@code node} replies. The node sets the {@code node_num_*} gauges and the uptime; {@link Metrics} computes the
 * process ones itself at every {@link Metrics#rotate()}. Immutable.
 */
public enum Gauge {
    /** Process CPU use over the last interval, in percent of one core (may exceed 100 on several cores). */
    NODE_CPU_USAGE,
    /** Memory the JVM holds from the OS: heap + non-heap committed + NIO buffer pools, bytes. */
    NODE_MEMORY_SYS,
    /** Heap committed, bytes. */
    NODE_MEMORY_HEAP_SYS,
    /** Heap used, bytes. */
    NODE_MEMORY_HEAP_ALLOC,
    /** Estimated thread stacks: live threads × thread stack size, bytes. */
    NODE_MEMORY_STACK_INUSE,
    /** Process user CPU time since start, nanoseconds. */
    NODE_RUSAGE_UTIME,
    /** Process system CPU time since start, nanoseconds. */
    NODE_RUSAGE_STIME,
    /** v1 reports goroutines; here the number of live JVM threads. */
    NODE_NUM_GOROUTINE,
    /** Authenticated connections on the node (set by the node). */
    NODE_NUM_CLIENTS,
    /** Distinct user ids among them, anonymous counting as one (set by the node). */
    NODE_NUM_UNIQUE_CLIENTS,
    /** Channels with at least one local subscriber (set by the node). */
    NODE_NUM_CHANNELS,
    /** Seconds since the node started (set by the node). */
    NODE_UPTIME_SECONDS;

    private final String key = name().toLowerCase(Locale.ROOT);

    public String key() {
        return key;
    }
}
