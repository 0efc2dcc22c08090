package dev.rotor.cli;

import dev.rotor.engine.Engine;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.RotorServer;
import dev.rotor.server.ServerConfig;
import java.util.concurrent.CompletableFuture;

/**
 * The server lifecycle as the CLI drives it: {@link RotorServer} in production, a recording fake in tests.
 * Implementations are thread-safe.
 */
public interface ManagedServer {

    /** Starts the engine and binds every port; throws when that fails (fatal at startup, §6). */
    void start() throws Exception;

    /** Swaps in a reloaded node configuration (SIGHUP, configuration.md §7). */
    void reload(NodeConfig config);

    /** Graceful shutdown (§7); the CLI waits at most 10 seconds for the returned stage. */
    CompletableFuture<Void> shutdown();

    /** Creates the server of a process. */
    @FunctionalInterface
    interface Factory {
        ManagedServer create(ServerConfig server, NodeConfig node, Engine engine);
    }

    /** The production factory: a {@link RotorServer}. */
    static Factory rotor() {
        return (server, node, engine) -> {
            RotorServer s = new RotorServer(server, node, engine);
            return new ManagedServer() {
                @Override
                public void start() throws Exception {
                    s.start();
                }

                @Override
                public void reload(NodeConfig config) {
                    s.reload(config);
                }

                @Override
                public CompletableFuture<Void> shutdown() {
                    return s.shutdown();
                }
            };
        };
    }
}
