package dev.rotor.server;

import dev.rotor.engine.Engine;
import dev.rotor.node.NodeConfig;
import java.util.concurrent.CompletableFuture;

/**
 * A running Rotor node: the engine, the node and its HTTP servers. Thread-safe.
 * PLACEHOLDER API — the real implementation replaces this body; the signatures are the contract.
 */
public final class RotorServer {
    private final ServerConfig server;
    private volatile NodeConfig node;
    private final Engine engine;

    public RotorServer(ServerConfig server, NodeConfig node, Engine engine) {
        this.server = server;
        this.node = node;
        this.engine = engine;
    }

    /** Starts the engine, then binds every port; fails if a port cannot be bound. */
    public void start() throws Exception {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Swaps in a reloaded node configuration (SIGHUP). */
    public void reload(NodeConfig newConfig) {
        this.node = newConfig;
    }

    /** Graceful shutdown (configuration.md §7): 503 on client/API routes, close clients with "shutting down". */
    public CompletableFuture<Void> shutdown() {
        return CompletableFuture.completedFuture(null);
    }

    /** The actual port bound for the client endpoints (useful when configured as "0"). */
    public int boundPort() {
        return -1;
    }
}
