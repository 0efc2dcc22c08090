/**
 * The load generator behind {@code bin/bench}: scenarios ({@code conns}, {@code fanout}, {@code api},
 * {@code churn}) that drive any Rotor or Centrifugo v1 node over loopback with the v1 client protocol (raw
 * WebSocket, or SockJS framing over its websocket and xhr-streaming transports) and the HTTP API, sample the
 * server's CPU and RSS from {@code /proc}, and report tables, JSON and a PNG plot. The suite starts the servers
 * itself, on the memory engine or on a fresh {@code redis-server} per run ({@link dev.rotor.bench.LocalRedis},
 * whose CPU is sampled too), one node or two. The JMH micro-benchmarks live in
 * {@code dev.rotor.bench.jmh}.
 */
package dev.rotor.bench;
