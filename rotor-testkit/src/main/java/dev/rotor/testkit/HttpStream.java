package dev.rotor.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A streaming HTTP response read as it arrives (SockJS xhr_streaming, eventsource, htmlfile). A daemon thread
 * reads the body into a buffer; tests take delimited pieces from it with timeouts. Thread-safe.
 */
public final class HttpStream implements AutoCloseable {
    private final HttpResponse<InputStream> response;
    private final StringBuilder buffer = new StringBuilder();
    /** Index in {@link #buffer} of the first character not yet taken; guarded by {@code buffer}. */
    private int position;
    /** True once the body ended; guarded by {@code buffer}. */
    private boolean ended;

    private HttpStream(HttpResponse<InputStream> response) {
        this.response = response;
        Thread reader = new Thread(this::read, "http-stream-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Sends the request and returns once the response head arrived. */
    public static HttpStream open(HttpClient http, HttpRequest request) {
        try {
            return new HttpStream(http.send(request, HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new AssertionError("Cannot open " + request.uri() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted opening " + request.uri(), e);
        }
    }

    /** A POST (empty body) or GET streaming request with a 60 s overall timeout. */
    public static HttpStream open(HttpClient http, String method, URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return open(http, b.build());
    }

    public HttpResponse<InputStream> response() {
        return response;
    }

    private void read() {
        byte[] chunk = new byte[8192];
        try (InputStream in = response.body()) {
            int n;
            // assumes UTF-8 pieces are not split across reads for the ASCII-dominated SockJS frames the tests use
            while ((n = in.read(chunk)) >= 0) {
                synchronized (buffer) {
                    buffer.append(new String(chunk, 0, n, StandardCharsets.UTF_8));
                    buffer.notifyAll();
                }
            }
        } catch (IOException e) {
            // the stream was closed by close() or the server dropped it; either way the body ended
        } finally {
            synchronized (buffer) {
                ended = true;
                buffer.notifyAll();
            }
        }
    }

    /** The text up to and including the next {@code delimiter}; fails if it does not arrive in time. */
    public String next(String delimiter, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (buffer) {
            while (true) {
                int at = buffer.indexOf(delimiter, position);
                if (at >= 0) {
                    String piece = buffer.substring(position, at + delimiter.length());
                    position = at + delimiter.length();
                    return piece;
                }
                if (ended) {
                    throw new AssertionError("Stream " + response.uri() + " ended before \"" + delimiter
                            + "\"; unread: " + buffer.substring(position));
                }
                waitUntil(deadline, delimiter);
            }
        }
    }

    /** Waits for the end of the body and returns what was not taken yet. */
    public String awaitEnd(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (buffer) {
            while (!ended) {
                waitUntil(deadline, "the end of the body");
            }
            String rest = buffer.substring(position);
            position = buffer.length();
            return rest;
        }
    }

    /** Whether the body has ended. */
    public boolean isEnded() {
        synchronized (buffer) {
            return ended;
        }
    }

    private void waitUntil(long deadline, String what) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError("Timed out waiting for " + what + " on " + response.uri() + "; unread: "
                    + buffer.substring(position));
        }
        try {
            TimeUnit.NANOSECONDS.timedWait(buffer, left);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    /** Aborts the response (the server sees the connection close). */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // already closed
        }
    }
}
