/**
 * Plain HTTP endpoints: the server API at {@code /api/} (http-api.md), Go-compatible error responses, and
 * {@code /metrics} for Prometheus ({@code PrometheusHandler}, with the Micrometer meters it serves: the node's
 * counters and gauges under Prometheus names in {@code NodeMeters}, the latency histograms in {@code LatencyTimers}).
 */
package dev.rotor.server.http;
