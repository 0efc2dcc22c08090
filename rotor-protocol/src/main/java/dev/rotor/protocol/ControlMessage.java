package dev.rotor.protocol;

/**
 * A node-to-node message (redis-engine.md §3): control messages ({@code ping}, {@code unsubscribe},
 * {@code disconnect}) carry the originating node's uid; admin messages have an empty uid and method
 * {@code message}. {@code params} is raw JSON. Immutable.
 */
public record ControlMessage(String uid, String method, RawJson params) {
}
