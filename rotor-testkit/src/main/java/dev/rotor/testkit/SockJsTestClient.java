package dev.rotor.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.UUID;

/**
 * A minimal SockJS 0.3.3 client over one transport (xhr polling, xhr_streaming, eventsource or websocket), for
 * protocol tests that must see the raw SockJS frames. Not thread-safe: one test thread drives it.
 */
public final class SockJsTestClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The receiving transports this client can use. */
    public enum Transport { XHR, XHR_STREAMING, EVENTSOURCE, WEBSOCKET }

    private final HttpClient http;
    private final String sessionUrl;
    private final Transport transport;
    /** Null unless streaming. */
    private HttpStream stream;
    /** Null unless websocket. */
    private WsTestClient ws;
    /** Protocol messages received but not yet taken. */
    private final Queue<String> pending = new ArrayDeque<>();

    private SockJsTestClient(HttpClient http, String sessionUrl, Transport transport) {
        this.http = http;
        this.sessionUrl = sessionUrl;
        this.transport = transport;
    }

    /**
     * Opens a new session under {@code baseUrl} (e.g. {@code http://127.0.0.1:8000/connection}) and waits for
     * the {@code o} frame.
     */
    public static SockJsTestClient open(HttpClient http, String baseUrl, Transport transport, Duration timeout) {
        String url = baseUrl + "/000/" + UUID.randomUUID().toString().replace("-", "");
        SockJsTestClient c = new SockJsTestClient(http, url, transport);
        switch (transport) {
            case XHR -> { }
            case XHR_STREAMING -> {
                c.stream = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"));
                c.stream.next("\n", timeout); // the 2 KiB h prelude
            }
            case EVENTSOURCE -> {
                c.stream = HttpStream.open(http, "GET", URI.create(url + "/eventsource"));
                c.stream.next("\r\n", timeout); // prelude
            }
            case WEBSOCKET -> c.ws = WsTestClient.connect(URI.create(url.replaceFirst("^http", "ws") + "/websocket"),
                    timeout);
        }
        String open = c.nextFrame(timeout);
        if (!open.equals("o")) {
            throw new AssertionError("Expected the open frame o, got " + open);
        }
        return c;
    }

    /** The session URL, e.g. {@code http://host/connection/000/<id>}. */
    public String sessionUrl() {
        return sessionUrl;
    }

    /** The next raw SockJS frame ({@code o}, {@code h}, {@code a[...]} or {@code c[...]}), without transport framing. */
    public String nextFrame(Duration timeout) {
        return switch (transport) {
            case XHR -> poll(timeout);
            case XHR_STREAMING -> strip(stream.next("\n", timeout), "\n");
            case EVENTSOURCE -> {
                String piece = stream.next("\r\n\r\n", timeout);
                if (!piece.startsWith("data: ")) {
                    throw new AssertionError("Not an eventsource data line: " + piece);
                }
                yield strip(piece.substring(6), "\r\n\r\n");
            }
            case WEBSOCKET -> ws.awaitFrame(timeout);
        };
    }

    private String poll(Duration timeout) {
        HttpResponse<String> r = post(sessionUrl + "/xhr", "", timeout.plusSeconds(30));
        if (r.statusCode() != 200) {
            throw new AssertionError("xhr poll answered " + r.statusCode() + ": " + r.body());
        }
        return strip(r.body(), "\n");
    }

    private static String strip(String piece, String suffix) {
        if (!piece.endsWith(suffix)) {
            throw new AssertionError("Frame without its delimiter: " + piece);
        }
        return piece.substring(0, piece.length() - suffix.length());
    }

    /** The next protocol message (one string of an {@code a[...]} frame), skipping heartbeats. */
    public String nextMessage(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.isEmpty()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("No SockJS message within " + timeout.toMillis() + " ms");
            }
            String frame = nextFrame(Duration.ofNanos(left));
            if (frame.equals("h")) {
                continue;
            }
            if (!frame.startsWith("a")) {
                throw new AssertionError("Expected a message frame, got " + frame);
            }
            pending.addAll(messages(frame));
        }
        return pending.poll();
    }

    /** Sends messages: {@code xhr_send} for the HTTP transports, one text message for websocket. */
    public void send(String... messages) {
        String body = encode(messages);
        if (transport == Transport.WEBSOCKET) {
            ws.send(body);
            return;
        }
        HttpResponse<String> r = post(sessionUrl + "/xhr_send", body, Duration.ofSeconds(10));
        if (r.statusCode() != 204) {
            throw new AssertionError("xhr_send answered " + r.statusCode() + ": " + r.body());
        }
    }

    private HttpResponse<String> post(String url, String body, Duration timeout) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AssertionError("POST " + url + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted", e);
        }
    }

    /** The strings of an {@code a[...]} frame. */
    public static List<String> messages(String frame) {
        if (!frame.startsWith("a")) {
            throw new AssertionError("Not a message frame: " + frame);
        }
        try {
            return Arrays.asList(JSON.readValue(frame.substring(1), String[].class));
        } catch (JsonProcessingException e) {
            throw new AssertionError("Malformed message frame " + frame + ": " + e.getOriginalMessage(), e);
        }
    }

    /** A JSON array of strings, as clients send messages. */
    public static String encode(String... messages) {
        try {
            return JSON.writeValueAsString(messages);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Aborts the receiving connection (streaming or websocket); polling holds none between polls. */
    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
        if (ws != null) {
            ws.abort();
        }
    }
}
