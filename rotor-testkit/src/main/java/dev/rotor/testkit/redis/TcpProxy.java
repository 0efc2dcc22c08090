package dev.rotor.testkit.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy for fault injection in tests: clients connect to {@link #port()} and each connection is relayed
 * to {@code 127.0.0.1:targetPort}. It can cut every connection ({@link #cutAll}), refuse new ones while
 * {@link #block blocked}, and hold every chunk for a fixed {@link #delay} before forwarding it. Thread-safe.
 *
 * <p>Bounded: at most {@link #MAX_CONNECTIONS} relayed connections (more are closed at once, counted by
 * {@link #refused()}); each direction of a connection holds at most {@link #MAX_CHUNKS} chunks of at most
 * {@link #CHUNK} bytes in flight, and its reader blocks (TCP back-pressure) while they are full. Two platform threads
 * per direction per connection: a test tool, not a server.
 */
public final class TcpProxy implements AutoCloseable {
    public static final int MAX_CONNECTIONS = 64;
    public static final int MAX_CHUNKS = 64;
    public static final int CHUNK = 16 * 1024;

    private volatile int targetPort;
    private final ServerSocket server;
    private final Set<Relay> relays = ConcurrentHashMap.newKeySet();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile long delayNanos;
    private volatile boolean blocked;
    private volatile boolean closed;

    private TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "tcp-proxy-accept-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port relaying to {@code 127.0.0.1:targetPort}. */
    public static TcpProxy to(int targetPort) {
        try {
            return new TcpProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Connections currently relayed. */
    public int connections() {
        return relays.size();
    }

    /** Connections closed on arrival (blocked, or over {@link #MAX_CONNECTIONS}, or the target refused). */
    public int refused() {
        return refused.get();
    }

    /** Connections relayed since the start. */
    public int accepted() {
        return accepted.get();
    }

    /** Relays new connections to {@code 127.0.0.1:port} from now on (a failover behind a fixed address). */
    public void retarget(int port) {
        targetPort = port;
    }

    /** Holds each chunk for {@code delay} before forwarding it (zero: forward at once). Applies to new chunks. */
    public void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** While blocked, new connections are closed on arrival; existing ones are not touched (see {@link #cutAll}). */
    public void block(boolean block) {
        blocked = block;
    }

    /** Closes every relayed connection now, on both sides (the peers see a reset or an end of stream). */
    public void cutAll() {
        for (Relay r : relays) {
            r.close();
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            if (blocked || relays.size() >= MAX_CONNECTIONS) {
                refused.incrementAndGet();
                closeQuietly(client);
                continue;
            }
            Socket target = new Socket();
            try {
                target.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 2000);
            } catch (IOException e) {
                refused.incrementAndGet();
                closeQuietly(client);
                closeQuietly(target);
                continue;
            }
            accepted.incrementAndGet();
            Relay relay = new Relay(client, target);
            relays.add(relay);
            relay.start();
        }
    }

    /** One relayed connection: a reader and a writer thread per direction, joined by a bounded chunk queue. */
    private final class Relay {
        private final Socket client;
        private final Socket target;
        private final AtomicInteger open = new AtomicInteger(1);

        Relay(Socket client, Socket target) {
            this.client = client;
            this.target = target;
        }

        void start() {
            pump(client, target, "up");
            pump(target, client, "down");
        }

        private void pump(Socket from, Socket to, String direction) {
            BlockingQueue<Chunk> queue = new ArrayBlockingQueue<>(MAX_CHUNKS);
            String name = "tcp-proxy-" + port() + "-" + from.getPort() + "-" + direction;
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[CHUNK];
                try (InputStream in = from.getInputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0
                            && offer(queue, new Chunk(Arrays.copyOf(buf, n), System.nanoTime() + delayNanos))) {
                        // relayed
                    }
                    offer(queue, Chunk.END); // the writer forwards what is queued, then closes the relay
                } catch (IOException | InterruptedException e) {
                    close(); // cut or closed
                }
            }, name + "-read");
            Thread writer = new Thread(() -> {
                try (OutputStream out = to.getOutputStream()) {
                    while (true) {
                        Chunk c = queue.poll(1, TimeUnit.SECONDS);
                        if (c == null) {
                            if (open.get() == 0) {
                                return;
                            }
                            continue;
                        }
                        if (c == Chunk.END) {
                            return;
                        }
                        long wait = c.due - System.nanoTime();
                        if (wait > 0) {
                            TimeUnit.NANOSECONDS.sleep(wait); // the injected delay, bounded by delay()
                        }
                        out.write(c.bytes);
                        out.flush();
                    }
                } catch (IOException | InterruptedException e) {
                    // cut or closed
                } finally {
                    close();
                }
            }, name + "-write");
            reader.setDaemon(true);
            writer.setDaemon(true);
            reader.start();
            writer.start();
        }

        /** Waits while the queue is full (back-pressure on the sender); false once the relay is closed. */
        private boolean offer(BlockingQueue<Chunk> queue, Chunk c) throws InterruptedException {
            while (!queue.offer(c, 200, TimeUnit.MILLISECONDS)) {
                if (open.get() == 0) {
                    return false;
                }
            }
            return true;
        }

        void close() {
            if (open.getAndSet(0) == 1) {
                relays.remove(this);
                closeQuietly(client);
                closeQuietly(target);
            }
        }
    }

    private record Chunk(byte[] bytes, long due) {
        static final Chunk END = new Chunk(new byte[0], 0);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** Stops accepting and cuts every connection. Idempotent. */
    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        cutAll();
    }
}
