package dev.rotor.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP server on a free loopback port that answers every request with {@code 200} and a body that does not end
 * the way a client expects: endless (64 KiB chunks up to 1 GiB) or dripping (one byte every 100 ms for a minute),
 * for tests of the clients that read answers from peers; or with given bodies in turn, e.g. one built to be costly to
 * parse and then a valid one. It counts what it sent until the client left. Thread-safe.
 */
public final class HostileHttpServer implements AutoCloseable {
    /** What an endless answer sends at most if the client keeps reading. */
    public static final long ENDLESS = 1L << 30;

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicLong sent = new AtomicLong();
    private final CountDownLatch finished = new CountDownLatch(1);
    /** Null for an endless or dripping server; else the bodies to answer with, in turn (the last one repeated). */
    private final List<String> bodies;
    private final AtomicInteger answered = new AtomicInteger();

    private HostileHttpServer(boolean endless, List<String> bodies) throws IOException {
        this.bodies = bodies;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            if (bodies != null) {
                answerInTurn(exchange);
            } else {
                answer(exchange, endless);
            }
        });
        server.setExecutor(threads);
        server.start();
    }

    /** Answers with a body of up to {@link #ENDLESS} bytes, chunked (no length announced). */
    public static HostileHttpServer endless() throws IOException {
        return new HostileHttpServer(true, null);
    }

    /** Answers with a body of one byte ({@code [}) every 100 ms, for a minute. */
    public static HostileHttpServer dripping() throws IOException {
        return new HostileHttpServer(false, null);
    }

    /**
     * Answers the first request with the first body (UTF-8, its length announced), the next with the next, and so on;
     * the last body is repeated.
     */
    public static HostileHttpServer answering(String... bodies) throws IOException {
        if (bodies.length == 0) {
            throw new IllegalArgumentException("at least one body");
        }
        return new HostileHttpServer(false, List.of(bodies));
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

    private void answerInTurn(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            String body = bodies.get(Math.min(answered.getAndIncrement(), bodies.size() - 1));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            sent.addAndGet(bytes.length);
        }
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
