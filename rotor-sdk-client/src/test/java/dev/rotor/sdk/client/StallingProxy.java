package dev.rotor.sdk.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy in front of the server that can stall: while stalled, the connections that exist keep
 * their sockets open but no byte passes in either direction, like a network path that silently dies. It can also
 * stop reading what clients send, like a server that no longer reads: their socket buffers fill and their writes
 * block. Connections accepted later pass traffic normally. Thread-safe; one daemon thread per direction of each
 * connection.
 */
final class StallingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    /** Connections up to this generation are stalled. */
    private volatile int stalledUpTo = -1;
    /** Connections up to this generation no longer read from their client. */
    private volatile int deafUpTo = -1;
    private volatile int generation;

    StallingProxy(int targetPort) throws IOException {
        this.target = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "stalling-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Stalls every connection accepted so far. */
    void stallExisting() {
        stalledUpTo = generation;
    }

    /** Stops reading from the clients of every connection accepted so far (the server's side still flows). */
    void stopReadingFromExistingClients() {
        deafUpTo = generation;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket();
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 5000);
                sockets.add(client);
                sockets.add(server);
                int gen = ++generation;
                pump(client, server, gen, true);
                pump(server, client, gen, false);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(Socket from, Socket to, int gen, boolean fromClient) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while (!deaf(from, gen, fromClient) && (n = in.read(buf)) >= 0) {
                    if (gen <= stalledUpTo) {
                        continue; // swallowed: the path is dead but nobody is told
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed; the finally of the other pump closes the rest
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "stalling-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Blocks while this pump must not read, until its socket or the proxy closes; true if it should end. */
    private boolean deaf(Socket from, int gen, boolean fromClient) {
        while (fromClient && gen <= deafUpTo) {
            if (from.isClosed() || listener.isClosed()) {
                return true;
            }
            LockSupport.parkNanos(10_000_000); // not reading is the point; the poll only notices the close
        }
        return false;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(StallingProxy::closeQuietly);
    }
}
