/**
 * Node metrics: the 30 counters, 12 gauges and two HdrHistogram latency histograms of v1's {@code stats} and
 * {@code node} replies (http-api.md §4.8–4.10), kept per instance (no statics) and snapshotted per interval. A
 * {@link dev.rotor.metrics.LatencyListener} sees every latency sample too (the server's Prometheus histograms);
 * nothing here knows about Prometheus or Micrometer.
 */
package dev.rotor.metrics;
