/**
 * The Netty server: bootstrap, lifecycle and routing of Rotor's HTTP ports. Adapters for each endpoint live in
 * subpackages ({@code websocket}, {@code http}); this package assembles them and owns the event loops.
 */
package dev.rotor.server;
