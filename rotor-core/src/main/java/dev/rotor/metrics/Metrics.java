package dev.rotor.metrics;

import java.util.Map;

/** STUB until the metrics branch merges. */
public final class Metrics {
    public void inc(Counter c) { }
    public void add(Counter c, long n) { }
    public void setGauge(Gauge g, long v) { }
    public void recordClientApiMicros(long v) { }
    public void recordHttpApiMicros(long v) { }
    public Map<String, Long> raw() { return Map.of(); }
    public Map<String, Long> snapshot() { return Map.of(); }
    public void rotate() { }
}
