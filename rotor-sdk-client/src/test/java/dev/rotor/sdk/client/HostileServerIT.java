package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The realtime client against a server that sends one endless WebSocket message: a text frame without FIN followed
 * by continuation frames for ever. The client must give the message up at {@code maxMessageSize}, close the
 * connection (so the server's writes stop far short of what it would send) and report it; then it reconnects.
 */
class HostileServerIT {
    private static final int MAX_MESSAGE = 1 << 20;
    /** What the server would send on one connection if the client kept reading. */
    private static final long ENDLESS = 1L << 30;

    @Test
    void anEndlessMessageEndsTheConnectionAtTheSizeLimit() throws Exception {
        AtomicLong firstConnectionBytes = new AtomicLong();
        AtomicInteger accepted = new AtomicInteger();
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        int n = accepted.incrementAndGet();
                        long sent = sendEndlessMessage(s);
                        if (n == 1) {
                            firstConnectionBytes.set(sent);
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            Events events = new Events();
            RotorClient client = RotorClient.create(RotorClientConfig.builder(
                    "ws://127.0.0.1:" + listener.getLocalPort() + "/connection/websocket").insecure(true)
                    .maxMessageSize(MAX_MESSAGE).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 2, 0, 0)).listener(events).build());
            try {
                client.connect();
                RotorClientException e = Events.awaitMatch(events.errors,
                        x -> x.getMessage().contains("longer than " + MAX_MESSAGE + " characters"));
                assertThat(e).hasMessage("the server sent a message longer than 1048576 characters");
                Awaitility.await().atMost(Events.WAIT).until(() -> accepted.get() >= 2);
                assertThat(firstConnectionBytes.get()).as("bytes the server could send before the client closed")
                        .isPositive().isLessThan(64L << 20);
            } finally {
                client.close();
                listener.close();
                server.get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Completes the upgrade, then sends one message that never ends; returns the bytes sent until the peer left. */
    private static long sendEndlessMessage(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return 0;
            }
            head.append((char) b);
        }
        Matcher key = Pattern.compile("(?i)sec-websocket-key: *(\\S+)").matcher(head);
        if (!key.find()) {
            throw new IOException("no Sec-WebSocket-Key in " + head);
        }
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        // frames without the FIN bit: opcode 1 (text) first, then 0 (continuation); unmasked, 64-bit length form
        int payload = 64 * 1024;
        byte[] frame = new byte[10 + payload];
        frame[1] = 127;
        frame[7] = (byte) (payload >>> 16);
        frame[8] = (byte) (payload >>> 8);
        frame[9] = (byte) payload;
        Arrays.fill(frame, 10, frame.length, (byte) 'x');
        long sent = 0;
        try {
            frame[0] = 0x01;
            while (sent < ENDLESS) {
                out.write(frame);
                sent += payload;
                frame[0] = 0x00;
            }
        } catch (IOException peerLeft) {
            // the client closed the connection: what it took is what was sent
        }
        return sent;
    }

    private static String accept(String key) throws IOException {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                    (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }
}
