package dev.rotor.sdk.client;

import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import dev.rotor.sdk.api.RotorApiClient;
import dev.rotor.sdk.api.Tokens;
import dev.rotor.server.RotorServer;
import dev.rotor.server.ServerConfig;
import java.util.concurrent.TimeUnit;

/**
 * A real Rotor server on a free loopback port (memory engine) plus the server-API SDK pointed at it: the backend
 * side of every realtime-client test. Not thread-safe; one per test.
 */
final class ServerFixture implements AutoCloseable {
    static final String SECRET = "client-sdk-secret";

    final RotorServer server;
    final RotorApiClient api;

    ServerFixture(NodeConfig.Builder node) throws Exception {
        server = new RotorServer(ServerConfig.builder().address("127.0.0.1").port("0").build(),
                node.secret(SECRET).build(), new MemoryEngine());
        server.start();
        api = RotorApiClient.builder("http://127.0.0.1:" + server.boundPort(), SECRET).build();
    }

    String wsUrl() {
        return "ws://127.0.0.1:" + server.boundPort() + "/connection/websocket";
    }

    /** Fresh credentials for {@code user}, issued now, as a backend would hand them out. */
    static Credentials credentials(String user, String info) {
        Tokens.Credentials c = Tokens.connect(SECRET, user, info);
        return new Credentials(c.user(), c.timestamp(), c.info(), c.token());
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get(15, TimeUnit.SECONDS);
    }
}
