package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.RawHttp;
import dev.rotor.testkit.WsTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Peers that send without reading, or break the WebSocket rules, on the three WebSocket endpoints (raw, SockJS,
 * admin) and plain HTTP. A ping flood (or pipelined HTTP requests) from a client that never reads is met with back-pressure (the server stops reading, so the attacker's own writes stall)
 * and then cut off by {@code write_stall_timeout} (pipelined HTTP requests sooner: more than 128 waiting close the
 * connection), while other clients keep working; a subscriber that never reads
 * is closed as {@code slow} once the pushes it has not taken pass {@code client_queue_max_size}; unmasked frames and
 * reserved bits without a negotiated extension are closed with 1002 (RFC 6455 §5.1, §5.2; docs/security.md).
 */
class AbusivePeersIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /**
     * Generous: the tests run with paranoid leak detection, which records a stack trace on every buffer operation,
     * and the event loop of an attacker still answers what it read before reading stopped (tens of thousands of
     * pipelined requests fit in the kernel buffers of a loopback connection): seconds here, milliseconds without it.
     * A canary on that loop waits for it.
     */
    private static final Duration CANARY_WAIT = Duration.ofSeconds(30);
    /** Short, so the test sees the cut-off (the default is 30 s), and longer than {@link #STALLED}. */
    private static final int STALL_SECONDS = 4;
    /** No byte taken for this long: the server has stopped reading. */
    private static final Duration STALLED = Duration.ofSeconds(2);
    /**
     * Far more than the kernel buffers of both ends can hold (a few MiB each on loopback) plus the server's 256 KiB
     * high water mark: a server that kept reading pings would take all of it.
     */
    private static final long FLOOD_LIMIT = 64L * 1024 * 1024;

    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void start(boolean compression) throws Exception {
        server = TestServer.start(NodeConfig.builder().insecureAdmin(true).pingInterval(0)
                        .staleConnectionCloseDelay(300),
                ServerConfig.builder().admin(true).websocketCompression(compression).writeStallTimeout(STALL_SECONDS));
    }

    private int port() {
        return server.server().boundPort();
    }

    @Test
    void aPingFloodOnTheRawEndpointIsStoppedAndCutOffWhileOthersKeepWorking() throws Exception {
        start(false);
        floodIsBounded("/connection/websocket");
    }

    @Test
    void aPingFloodOnTheSockJsWebsocketIsStoppedAndCutOffWhileOthersKeepWorking() throws Exception {
        start(false);
        floodIsBounded("/connection/000/flooding/websocket");
    }

    @Test
    void aPingFloodOnTheAdminSocketIsStoppedAndCutOffWhileOthersKeepWorking() throws Exception {
        start(false);
        floodIsBounded("/socket");
    }

    @Test
    void pipelinedHttpRequestsFromAPeerThatNeverReadsAreStoppedAndCutOff() throws Exception {
        start(false);
        try (SocketChannel attacker = SocketChannel.open()) {
            attacker.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            attacker.connect(new InetSocketAddress("127.0.0.1", port()));
            attacker.configureBlocking(false);
            byte[] request = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer requests = ByteBuffer.allocate(request.length * 1024);
            while (requests.remaining() >= request.length) {
                requests.put(request);
            }
            requests.flip();
            floodIsBounded(attacker, requests);
        }
    }

    /**
     * Upgrades {@code path} on a socket with a tiny receive buffer, then sends 125-byte pings (each answered by a
     * pong of the same size) without ever reading.
     */
    private void floodIsBounded(String path) throws Exception {
        try (SocketChannel attacker = upgradedWithTinyReceiveBuffer(path)) {
            attacker.configureBlocking(false);
            floodIsBounded(attacker, pingFrames(512));
        }
    }

    /**
     * Writes {@code flood} over and over on the non-blocking {@code attacker} without reading. The server must stop
     * taking bytes ({@link #STALLED} without progress), after which a raw client must still get answers and
     * {@code /health} still answer; then the server must cut the attacker off (a write fails). All of it before
     * {@link #FLOOD_LIMIT} bytes: a server that kept reading would take that much first.
     */
    private void floodIsBounded(SocketChannel attacker, ByteBuffer flood) throws Exception {
        long deadline = System.nanoTime() + CANARY_WAIT.multipliedBy(3).toNanos();
        long sent = 0;
        long lastProgress = System.nanoTime();
        boolean stalled = false;
        while (true) {
            assertThat(sent).as("bytes the server read from a peer that never reads").isLessThan(FLOOD_LIMIT);
            assertThat(System.nanoTime() - deadline).as("the attacker is cut off in time").isNegative();
            if (!flood.hasRemaining()) {
                flood.rewind();
            }
            int n;
            try {
                n = attacker.write(flood);
            } catch (IOException e) {
                // reset by the server, which closed the connection
                break;
            }
            if (n > 0) {
                sent += n;
                lastProgress = System.nanoTime();
                continue;
            }
            if (!stalled && System.nanoTime() - lastProgress > STALLED.toNanos()) {
                stalled = true;
                canaryIsServed();
            }
            Thread.sleep(5);
        }
        if (!stalled) {
            // closed before the stall: pipelined HTTP requests that wait while the connection is unwritable count
            // against the codec's pipelining depth (128), past which the connection is closed (docs/security.md,
            // "Pipelined requests")
            assertThat(flood.get(0)).as("only an HTTP attacker is closed before it stalls").isEqualTo((byte) 'G');
            canaryIsServed();
        }
    }

    /**
     * A blocking loopback socket upgraded to a WebSocket at {@code path}, with a 4 KiB receive buffer so that a peer
     * that does not read fills up soon.
     */
    private SocketChannel upgradedWithTinyReceiveBuffer(String path) throws IOException {
        SocketChannel channel = SocketChannel.open();
        channel.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
        channel.connect(new InetSocketAddress("127.0.0.1", port()));
        Socket socket = channel.socket();
        socket.setSoTimeout(5000);
        RawHttp.sendUpgrade(socket, path, "");
        assertThat(RawHttp.readHead(socket.getInputStream())).startsWith("HTTP/1.1 101");
        return channel;
    }

    /** A raw client completes connect and ping; {@code /health} answers 200. */
    private void canaryIsServed() throws Exception {
        try (WsTestClient canary = WsTestClient.connect(URI.create(server.wsUrl()), CANARY_WAIT)) {
            canary.send(server.connectFrame("c", "canary", ""));
            assertThat(canary.awaitFrame(CANARY_WAIT)).contains("\"method\":\"connect\"");
            canary.send("{\"uid\":\"p\",\"method\":\"ping\"}");
            assertThat(canary.awaitFrame(CANARY_WAIT)).isEqualTo("{\"uid\":\"p\",\"method\":\"ping\"}");
        }
        var health = server.send(HttpRequest.newBuilder(server.uri("/health")).timeout(CANARY_WAIT).GET().build());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    /** {@code count} masked ping frames with a 125-byte payload (the largest a control frame may carry). */
    private static ByteBuffer pingFrames(int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.write(0x89);
            out.write(0x80 | 125);
            out.writeBytes(new byte[] {1, 2, 3, 4});
            out.writeBytes(new byte[125]);
        }
        return ByteBuffer.wrap(out.toByteArray());
    }

    // ---- pushes to a subscriber that never reads ------------------------------------------------------------------

    @Test
    void aRawSubscriberThatNeverReadsIsClosedAsSlow() throws Exception {
        nonReadingSubscriberIsClosedAsSlow("/connection/websocket", false);
    }

    @Test
    void aSockJsWebsocketSubscriberThatNeverReadsIsClosedAsSlow() throws Exception {
        nonReadingSubscriberIsClosedAsSlow("/connection/000/slowpoke/websocket", true);
    }

    /**
     * A client connects and subscribes, then reads nothing while publications of 16 KiB each arrive. Once the kernel
     * buffers are full the frames stay in the server, where the slow-client check counts them with its queue: the
     * connection is closed (and leaves presence) long before the flood ends, with the stall timeout off, so the
     * queue limit alone is what cuts it.
     */
    private void nonReadingSubscriberIsClosedAsSlow(String path, boolean sockjs) throws Exception {
        server = TestServer.start(NodeConfig.builder().clientQueueMaxSize(64 * 1024)
                        .topLevel(dev.rotor.channel.ChannelOptions.builder().presence(true).build()),
                ServerConfig.builder().writeStallTimeout(0));
        try (SocketChannel subscriber = upgradedWithTinyReceiveBuffer(path)) {
            Socket socket = subscriber.socket();
            for (String command : new String[] {server.connectFrame("c", "u", ""),
                    "{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}"}) {
                String text = sockjs ? "[" + TestServer.quote(command) + "]" : command;
                RawHttp.writeFrame(socket, 1, text.getBytes(StandardCharsets.UTF_8));
            }
            await().atMost(WAIT).until(() -> server.api(PRESENCE).body().contains("\"user\":\"u\""));

            String publish = "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":\""
                    + "x".repeat(16 * 1024) + "\"}}";
            int published = 0;
            // 4,096 × 16 KiB = 64 MiB: far more than the kernel buffers of both ends hold
            while (server.api(PRESENCE).body().contains("\"user\":\"u\"")) {
                assertThat(published).as("publications the non-reading subscriber survived").isLessThan(4096);
                for (int i = 0; i < 16; i++) {
                    assertThat(server.api(publish).statusCode()).isEqualTo(200);
                    published++;
                }
            }
            canaryIsServed();
        }
    }

    private static final String PRESENCE = "{\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}";

    // ---- RFC 6455 §5.1, §5.2 -----------------------------------------------------------------------------------

    /** Reads the server's close frame and then the end of the stream. */
    private static int closeCode(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        RawHttp.Frame close = RawHttp.readFrame(in);
        assertThat(close).as("a close frame").isNotNull();
        assertThat(close.opcode()).isEqualTo(8);
        assertThat(in.read()).as("the connection closes after the close frame").isEqualTo(-1);
        return ((close.payload()[0] & 0xFF) << 8) | (close.payload()[1] & 0xFF);
    }

    @Test
    void anUnmaskedClientFrameIsClosedWithProtocolError() throws Exception {
        start(false);
        try (Socket s = RawHttp.upgraded(port(), "/connection/websocket", "")) {
            byte[] connect = server.connectFrame("c", "u", "").getBytes(StandardCharsets.UTF_8);
            s.getOutputStream().write(frame(0x81, connect, false));
            assertThat(closeCode(s)).isEqualTo(1002);
        }
    }

    @Test
    void anUnmaskedFrameOnTheAdminSocketIsClosedWithProtocolError() throws Exception {
        start(false);
        try (Socket s = RawHttp.upgraded(port(), "/socket", "")) {
            s.getOutputStream().write(frame(0x89, new byte[0], false));
            assertThat(closeCode(s)).isEqualTo(1002);
        }
    }

    @Test
    void reservedBitsWithoutANegotiatedExtensionAreClosedWithProtocolError() throws Exception {
        // compression is on, but this client did not offer it
        start(true);
        try (Socket s = RawHttp.upgraded(port(), "/connection/websocket", "")) {
            // FIN + RSV1 + text
            s.getOutputStream().write(frame(0xC1, "{}".getBytes(StandardCharsets.US_ASCII), true));
            assertThat(closeCode(s)).isEqualTo(1002);
        }
    }

    @Test
    void aCompressedClientMessageIsAcceptedWhenPermessageDeflateWasNegotiated() throws Exception {
        start(true);
        try (Socket s = RawHttp.upgraded(port(), "/connection/websocket",
                "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            byte[] deflated = deflate(server.connectFrame("c", "u", "").getBytes(StandardCharsets.UTF_8));
            // FIN + RSV1 (compressed) + text
            s.getOutputStream().write(frame(0xC1, deflated, true));
            RawHttp.Frame reply = RawHttp.readFrame(s.getInputStream());
            assertThat(reply.opcode()).as("a text reply, not a close").isEqualTo(1);
        }
    }

    @Test
    void aCompressedFrameThatInflatesPastTheMessageLimitIsClosedNotInflated() throws Exception {
        start(true);
        try (Socket s = RawHttp.upgraded(port(), "/connection/websocket",
                "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            // 16 MiB of zeros deflate to about 16 KiB: a small frame that would inflate 250 times past the 64 KiB limit
            byte[] bomb = deflate(new byte[16 * 1024 * 1024]);
            assertThat(bomb.length).isLessThan(65536);
            s.getOutputStream().write(frame(0xC1, bomb, true));
            // 1002 from the inflater's bound, having inflated at most the limit; an unbounded inflater would inflate all
            // 16 MiB and leave the frame aggregator to close with 1009
            assertThat(closeCode(s)).isEqualTo(1002);
        }
    }

    /** One client frame with header byte {@code head}, masked with a zero key (payload unchanged) or unmasked. */
    private static byte[] frame(int head, byte[] payload, boolean masked) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(head);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            frame.write(mask | payload.length);
        } else if (payload.length < 65536) {
            frame.write(mask | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            throw new IllegalArgumentException("payloads up to 64 KiB only");
        }
        if (masked) {
            frame.writeBytes(new byte[4]);
        }
        frame.writeBytes(payload);
        return frame.toByteArray();
    }

    /** permessage-deflate's encoding (RFC 7692 §7.2.1): raw deflate, sync flush, without the trailing 00 00 ff ff. */
    private static byte[] deflate(byte[] data) {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(data);
        byte[] buf = new byte[data.length + 64];
        int n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
        deflater.end();
        byte[] out = new byte[n - 4];
        System.arraycopy(buf, 0, out, 0, n - 4);
        return out;
    }
}
