package dev.rotor.testkit;

import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A raw WebSocket test client on {@link java.net.http.WebSocket}: sends text frames, queues every received text
 * frame, and reports how the connection closed. Pings from the server are answered by the JDK automatically and
 * only counted here. Used to speak the v1 client protocol byte for byte (client-protocol.md §1.1, §9).
 *
 * <p>Thread-safe. Waits are bounded and fail with an {@link AssertionError}. {@link #close()} sends a normal
 * close and aborts the connection if the server does not answer in time.
 */
public final class WsTestClient implements AutoCloseable {
    /** Close code used when the connection ended without a close frame, as browsers report it (RFC 6455 §7.1.5). */
    public static final int ABNORMAL_CLOSURE = 1006;

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);

    /** How a connection ended: the close frame's status code and reason, or 1006 and "" for a dropped connection. */
    public record Close(int code, String reason) {
    }

    private final URI uri;
    private final Receiver receiver;
    private final WebSocket webSocket;

    private WsTestClient(URI uri, Receiver receiver, WebSocket webSocket) {
        this.uri = uri;
        this.receiver = receiver;
        this.webSocket = webSocket;
    }

    /** Connects with a 5 second handshake timeout. */
    public static WsTestClient connect(URI uri) {
        return connect(uri, Duration.ofSeconds(5));
    }

    /**
     * Connects and waits for the handshake. A refused handshake throws {@link UncheckedIOException} whose cause is
     * the JDK's {@link WebSocketHandshakeException} (it carries the HTTP response); see
     * {@link #rejectedHandshakeStatus}.
     */
    public static WsTestClient connect(URI uri, Duration timeout) {
        return connect(uri, timeout, HttpClient.newBuilder().connectTimeout(timeout).build());
    }

    /** As {@link #connect(URI, Duration)} with a given client, e.g. one trusting a test CA for {@code wss:}. */
    public static WsTestClient connect(URI uri, Duration timeout, HttpClient http) {
        Receiver receiver = new Receiver();
        CompletableFuture<WebSocket> opening = http.newWebSocketBuilder()
                .connectTimeout(timeout)
                .buildAsync(uri, receiver);
        try {
            return new WsTestClient(uri, receiver, opening.get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                throw new UncheckedIOException("WebSocket handshake to " + uri + " refused with HTTP "
                        + handshake.getResponse().statusCode(), handshake);
            }
            throw new AssertionError("Cannot connect to " + uri + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            opening.cancel(true);
            throw new AssertionError("WebSocket handshake to " + uri + " took more than " + timeout.toMillis()
                    + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted connecting to " + uri, e);
        }
    }

    /** The HTTP status of a WebSocket handshake that the server must refuse (e.g. 503 while shutting down). */
    public static int rejectedHandshakeStatus(URI uri, Duration timeout) {
        try (WsTestClient accepted = connect(uri, timeout)) {
            throw new AssertionError("Expected the WebSocket handshake to " + uri + " to be refused, but it was accepted"
                    + " (" + accepted.uri + ")");
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof WebSocketHandshakeException handshake) {
                return handshake.getResponse().statusCode();
            }
            throw e;
        }
    }

    /** Sends one text frame and waits until it is handed to the network. */
    public void send(String text) {
        complete(webSocket.sendText(text, true), "send text");
    }

    /** Sends one binary frame and waits until it is handed to the network. */
    public void sendBinary(byte[] data) {
        complete(webSocket.sendBinary(ByteBuffer.wrap(data), true), "send binary");
    }

    /** The next received text frame; fails if none arrives in time. */
    public String awaitFrame(Duration timeout) {
        String frame = poll(receiver.frames, timeout);
        if (frame == null) {
            throw new AssertionError("No text frame from " + uri + " within " + timeout.toMillis() + " ms"
                    + closedSuffix());
        }
        return frame;
    }

    /** The next received binary frame; fails if none arrives in time. */
    public byte[] awaitBinaryFrame(Duration timeout) {
        byte[] frame = poll(receiver.binaryFrames, timeout);
        if (frame == null) {
            throw new AssertionError("No binary frame from " + uri + " within " + timeout.toMillis() + " ms"
                    + closedSuffix());
        }
        return frame;
    }

    /** Fails if a text frame arrives within {@code quiet} (or is already queued). */
    public void assertNoFrame(Duration quiet) {
        String frame = poll(receiver.frames, quiet);
        if (frame != null) {
            throw new AssertionError("Expected no frame from " + uri + " but got: " + frame);
        }
    }

    /** The queue of received text frames not yet taken by {@link #awaitFrame}, oldest first. */
    public BlockingQueue<String> frames() {
        return receiver.frames;
    }

    /**
     * Waits until the connection is closed by the server (or dropped) and returns the close code and reason. A
     * connection that ended without a close frame reports {@value #ABNORMAL_CLOSURE} and an empty reason.
     */
    public Close awaitClose(Duration timeout) {
        try {
            return receiver.closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("Connection to " + uri + " still open after " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted waiting for close of " + uri, e);
        }
    }

    /** True once the server closed the connection or it was dropped. */
    public boolean isClosed() {
        return receiver.closed.isDone();
    }

    /** The error that ended the connection, or null if it ended with a close frame or is still open. */
    public Throwable error() {
        return receiver.error;
    }

    /** Number of ping frames received (each was answered with a pong by the JDK). */
    public int pingsReceived() {
        return receiver.pings.get();
    }

    /** Sends a close frame with the given code and reason (does not wait for the server's answer). */
    public void sendClose(int code, String reason) {
        complete(webSocket.sendClose(code, reason), "send close");
    }

    /** Drops the connection without a close frame. */
    public void abort() {
        webSocket.abort();
    }

    /** Closes normally (1000) if still open, waits up to 2 s for the server's close frame, then aborts. */
    @Override
    public void close() {
        if (!receiver.closed.isDone() && !webSocket.isOutputClosed()) {
            try {
                webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(2, TimeUnit.SECONDS);
                receiver.closed.get(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // The server did not answer the close; abort below.
            }
        }
        webSocket.abort();
    }

    private String closedSuffix() {
        return receiver.closed.isDone() ? " (connection closed: " + receiver.closed.join() + ")" : "";
    }

    private static <T> T poll(BlockingQueue<T> queue, Duration timeout) {
        try {
            return queue.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted waiting for a frame", e);
        }
    }

    private void complete(CompletableFuture<WebSocket> sending, String what) {
        try {
            sending.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("Cannot " + what + " to " + uri + ": " + e.getCause() + closedSuffix(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("Could not " + what + " to " + uri + " within " + SEND_TIMEOUT.toMillis()
                    + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted trying to " + what, e);
        }
    }

    /**
     * The JDK listener: reassembles fragmented messages and requests one message at a time. Callbacks are
     * invoked sequentially by the JDK, so the builders need no lock.
     */
    private static final class Receiver implements WebSocket.Listener {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> binaryFrames = new LinkedBlockingQueue<>();
        final CompletableFuture<Close> closed = new CompletableFuture<>();
        final AtomicInteger pings = new AtomicInteger();
        /** The failure that ended the connection; null unless onError ran. */
        volatile Throwable error;
        /** Text of a message whose last fragment has not arrived yet; only touched by listener callbacks. */
        private final StringBuilder text = new StringBuilder();
        /** Bytes of a binary message whose last fragment has not arrived yet; only touched by callbacks. */
        private final ByteArrayOutputStream binary = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

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
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            binary.writeBytes(chunk);
            if (last) {
                binaryFrames.add(binary.toByteArray());
                binary.reset();
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            // The JDK sends the pong itself; WsTestClientIT checks that the server receives it.
            pings.incrementAndGet();
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new Close(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable failure) {
            error = failure;
            closed.complete(new Close(ABNORMAL_CLOSURE, ""));
        }
    }

    /** Decodes a binary frame as UTF-8, for assertions. */
    public static String utf8(byte[] frame) {
        return new String(frame, StandardCharsets.UTF_8);
    }
}
