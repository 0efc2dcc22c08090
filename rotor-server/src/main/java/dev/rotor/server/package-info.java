/**
 * The Netty server: bootstrap, lifecycle and routing of Rotor's HTTP ports. Adapters for each endpoint live in
 * subpackages ({@code websocket}, {@code sockjs}, {@code sse}, {@code transport}, {@code http}, {@code admin});
 * this package assembles them and owns the event loops.
 */
package dev.rotor.server;
