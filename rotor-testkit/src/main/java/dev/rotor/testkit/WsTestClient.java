package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw WebSocket client for tests, on {@link java.net.http.WebSocket}: every text or binary message received is
 * queued as a string; the close code and reason are recorded; pings are answered by the JDK. Thread-safe.
 */
public final class WsTestClient {
    /** A close received from the server. */
    public record Close(int code, String reason) {
    }

    private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Close> closed = new CompletableFuture<>();
    private final WebSocket ws;

    private WsTestClient(URI uri, Duration timeout) throws Exception {
        Listener listener = new Listener();
        this.ws = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(timeout)
                .buildAsync(uri, listener).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens a connection, failing when it is not established within the timeout. */
    public static WsTestClient connect(String url, Duration timeout) throws Exception {
        return new WsTestClient(URI.create(url), timeout);
    }

    /** Sends one text message and waits until it is handed to the socket. */
    public void send(String text) {
        ws.sendText(text, true).join();
    }

    /** Sends one binary message holding the UTF-8 bytes of {@code text}. */
    public void sendBinary(String text) {
        ws.sendBinary(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), true).join();
    }

    /** The next message, failing the test when none arrives in time. */
    public String awaitFrame(Duration timeout) throws InterruptedException {
        String f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(f).as("a frame within %s (closed: %s)", timeout, closed.getNow(null)).isNotNull();
        return f;
    }

    /** Asserts that no message arrives within the given time. */
    public void assertNoFrame(Duration within) throws InterruptedException {
        String f = frames.poll(within.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(f).as("no further frame").isNull();
    }

    /**
     * Waits for the server's close. Any messages still queued before it are skipped. A connection dropped without
     * a close frame reports code 1006.
     */
    public Close awaitClose(Duration timeout) throws InterruptedException {
        try {
            return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return new Close(1006, "");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("connection not closed within " + timeout + "; frames: " + frames);
        }
    }

    /** Messages received and not yet taken. */
    public int pending() {
        return frames.size();
    }

    /** Starts a normal close handshake from the client side. */
    public void close(int code, String reason) {
        ws.sendClose(code, reason).join();
    }

    /** Drops the connection without a close handshake. */
    public void abort() {
        ws.abort();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder text = new StringBuilder();
        private java.io.ByteArrayOutputStream binary = new java.io.ByteArrayOutputStream();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                frames.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] b = new byte[data.remaining()];
            data.get(b);
            binary.writeBytes(b);
            if (last) {
                frames.add(binary.toString(StandardCharsets.UTF_8));
                binary = new java.io.ByteArrayOutputStream();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new Close(1006, ""));
        }
    }
}
