package dev.rotor.cli;

import dev.rotor.engine.Engine;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.ServerConfig;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link ManagedServer} that records what the CLI asked of it. Thread-safe. */
final class RecordingServer implements ManagedServer {
    final ServerConfig server;
    final NodeConfig node;
    final Engine engine;
    final List<NodeConfig> reloads = new CopyOnWriteArrayList<>();
    /** What {@link #start()} throws; null to succeed. */
    volatile Exception startFailure;
    /** What {@link #shutdown()} returns. */
    volatile CompletableFuture<Void> shutdownResult = CompletableFuture.completedFuture(null);
    volatile boolean started;
    volatile boolean shutdownCalled;

    RecordingServer(ServerConfig server, NodeConfig node, Engine engine) {
        this.server = server;
        this.node = node;
        this.engine = engine;
    }

    @Override
    public void start() throws Exception {
        if (startFailure != null) {
            throw startFailure;
        }
        started = true;
    }

    @Override
    public void reload(NodeConfig config) {
        reloads.add(config);
    }

    @Override
    public CompletableFuture<Void> shutdown() {
        shutdownCalled = true;
        return shutdownResult;
    }
}
