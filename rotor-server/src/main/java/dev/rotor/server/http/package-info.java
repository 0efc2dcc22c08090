/**
 * Plain HTTP: {@link dev.rotor.server.http.ApiEndpoint}, the server API at {@code /api/} (http-api.md), and
 * {@link dev.rotor.server.http.PrometheusEndpoint}, {@code /metrics} for Prometheus (with the Micrometer meters it
 * serves: the node's counters and gauges under Prometheus names in {@code NodeMeters}, the latency histograms in
 * {@code LatencyTimers}), which the port's router calls with each request; Go-compatible error responses; and the
 * Netty handlers that guard every HTTP connection (request head, deadlines, body budget). Classes named
 * {@code *Handler} are Netty handlers; the others are called by them.
 */
package dev.rotor.server.http;
