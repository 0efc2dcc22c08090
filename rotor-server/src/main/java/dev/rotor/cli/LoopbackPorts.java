package dev.rotor.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free ports on the loopback address, for the private servers of {@code cds-training} and the JIT warm-up. */
final class LoopbackPorts {
    private LoopbackPorts() {
    }

    /** A loopback port that is free right now (another process may take it before the caller binds it). */
    static int free() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
