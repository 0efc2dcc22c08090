package dev.rotor.cli;

import dev.rotor.config.RotorConfig;
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

        /** Creates the server of a whole configuration; by default without {@code ssl_autocert}. */
        default ManagedServer create(RotorConfig config, Engine engine) {
            return create(config.server(), config.node(), engine);
        }
    }

    /** The production factory: a {@link RotorServer}, with {@code ssl_autocert} when configured. */
    static Factory rotor() {
        return new Factory() {
            @Override
            public ManagedServer create(ServerConfig server, NodeConfig node, Engine engine) {
                return wrap(new RotorServer(server, node, engine));
            }

            @Override
            public ManagedServer create(RotorConfig config, Engine engine) {
                return wrap(new RotorServer(config.server(), config.node(), engine, config.autocert()));
            }
        };
    }

    private static ManagedServer wrap(RotorServer s) {
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
    }
}
