package dev.rotor.metrics;

/** STUB until the metrics branch merges. */
public enum Gauge {
    NODE_NUM_CLIENTS, NODE_NUM_UNIQUE_CLIENTS, NODE_NUM_CHANNELS, NODE_UPTIME_SECONDS
}
