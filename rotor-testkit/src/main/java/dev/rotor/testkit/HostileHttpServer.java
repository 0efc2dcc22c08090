package dev.rotor.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on a free loopback port that answers every request with {@code 200} and a body that does not end
 * the way a client expects: endless (64 KiB chunks up to 1 GiB) or dripping (one byte every 100 ms for a minute),
 * for tests of the clients that read answers from peers. It counts what it sent until the client left. Thread-safe.
 */
public final class HostileHttpServer implements AutoCloseable {
    /** What an endless answer sends at most if the client keeps reading. */
    public static final long ENDLESS = 1L << 30;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicLong sent = new AtomicLong();
    private final CountDownLatch finished = new CountDownLatch(1);

    private HostileHttpServer(boolean endless) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> answer(exchange, endless));
        server.setExecutor(threads);
        server.start();
    }

    /** Answers with a body of up to {@link #ENDLESS} bytes, chunked (no length announced). */
    public static HostileHttpServer endless() throws IOException {
        return new HostileHttpServer(true);
    }

    /** Answers with a body of one byte ({@code [}) every 100 ms, for a minute. */
    public static HostileHttpServer dripping() throws IOException {
        return new HostileHttpServer(false);
    }

    /** {@code http://127.0.0.1:<port>}. */
    public String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Waits until the first answer's writes ended (the client left, or all was sent); false on timeout. */
    public boolean awaitFinished(Duration timeout) throws InterruptedException {
        return finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Body bytes sent so far. */
    public long sent() {
        return sent.get();
    }

    private void answer(HttpExchange exchange, boolean endless) throws IOException {
        try {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            if (endless) {
                byte[] chunk = new byte[64 * 1024];
                while (sent.get() < ENDLESS) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } else {
                for (int i = 0; i < 600; i++) {
                    out.write('[');
                    out.flush();
                    sent.incrementAndGet();
                    Thread.sleep(100); // the drip itself, not a wait for a condition
                }
            }
        } catch (IOException clientLeft) {
            // the client closed the connection: what it took is what was sent
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        } finally {
            finished.countDown();
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
