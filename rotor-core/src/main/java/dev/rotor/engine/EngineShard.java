package dev.rotor.engine;

import java.util.Objects;

/**
 * The state of one external backend an engine uses (a Redis shard), as {@code /health?verbose} and {@code /metrics}
 * show it: its position, where it lives (never with a password), whether it can serve now, how often its
 * connections came back after a loss, and how many channels it carries PUB/SUB subscriptions for on this node.
 * Immutable.
 */
public record EngineShard(int index, String address, boolean connected, long reconnects, int channels) {
    public EngineShard {
        Objects.requireNonNull(address, "address");
    }
}
