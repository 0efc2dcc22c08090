package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/** A port that cannot be bound fails the start with the address and port named. */
class BindErrorIT {
    @Test
    void aTakenPortIsNamedWithItsAddress() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            RotorServer server = new RotorServer(
                    ServerConfig.builder().address("127.0.0.1").port(Integer.toString(port)).build(),
                    NodeConfig.builder().secret("s").build(), new MemoryEngine());
            try {
                assertThatThrownBy(server::start).isInstanceOf(BindException.class)
                        .hasMessage("cannot listen on 127.0.0.1:" + port + ": Address already in use");
            } finally {
                server.shutdown().join();
            }
        }
    }
}
