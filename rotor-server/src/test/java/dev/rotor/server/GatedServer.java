package dev.rotor.server;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.GatedPresenceEngine;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test server whose engine holds every {@code presence} call until {@link #releasePresence}, with presence on at
 * the top level, closed after each test: for tests of what waits behind a command the engine has not answered.
 */
final class GatedServer implements AfterEachCallback {
    private final GatedPresenceEngine engine = new GatedPresenceEngine();
    private TestServer server;

    /** Starts the server; its port is {@link #port}. */
    void start(NodeConfig.Builder node, ServerConfig.Builder server) throws Exception {
        this.server = TestServer.start(node.topLevel(ChannelOptions.builder().presence(true).build()), server, engine);
    }

    int port() {
        return server.server().boundPort();
    }

    /** Answers the held presence calls (with nobody present). */
    void releasePresence() {
        engine.releasePresence(Map.of());
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (server != null) {
            server.close();
        }
        engine.close();
    }
}
