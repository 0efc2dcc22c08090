package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.RawHttp;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Keepalive and write timeouts on the raw WebSocket (client-protocol.md §1.1, §7): server pings, the read deadline,
 * the write deadline. publish, presence, history, ping and the slow-client limit are unit-tested in rotor-core
 * ({@code dev.rotor.node.*Test}).
 */
class MessagingIT extends ProtocolSupport {

    @Test
    void serverPingsAndDropsAClientThatNeverAnswers() throws Exception {
        start(config().pingInterval(1));
        try (Socket s = new Socket("127.0.0.1", server.server().boundPort())) {
            s.setSoTimeout(5000);
            RawHttp.sendUpgrade(s, "/connection/websocket", "");
            InputStream in = s.getInputStream();
            String head = RawHttp.readHead(in);
            assertThat(head).startsWith("HTTP/1.1 101");
            long started = System.nanoTime();
            // first frame: a ping control frame (opcode 0x9) with payload "ping"
            assertThat(in.read()).isEqualTo(0x89);
            int len = in.read();
            assertThat(len).isEqualTo(4);
            assertThat(new String(in.readNBytes(4), StandardCharsets.US_ASCII)).isEqualTo("ping");
            // never answer: the read deadline (1 s × 10/9) drops us without a close frame
            int next;
            do {
                next = in.read();
                if (next == 0x89) {
                    in.readNBytes(in.read());
                    continue;
                }
                break;
            } while (true);
            assertThat(next).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        }
    }

    @Test
    void nonUpgradeRequestsAreRejectedLikeV1() throws Exception {
        start(config());
        var get = server.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.server().boundPort() + "/connection/websocket")).GET().build());
        assertThat(get.statusCode()).isEqualTo(400);
        assertThat(get.body()).isEqualTo("Bad Request\n");
        assertThat(get.headers().firstValue("Sec-Websocket-Version")).hasValue("13");
        var post = server.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + server.server().boundPort() + "/connection/websocket"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void dataFramesDoNotExtendTheReadDeadlineOnlyPongsDo() throws Exception {
        start(config().pingInterval(1));
        try (Socket s = RawHttp.upgraded(server.server().boundPort(), "/connection/websocket", "")) {
            InputStream in = s.getInputStream();
            long started = System.nanoTime();
            RawHttp.writeFrame(s, 1, server.connectFrame("c", "u", "").getBytes(StandardCharsets.UTF_8));
            int answered = 0;
            int serverPings = 0;
            boolean dropped = false;
            // keep sending commands (and never a pong): the deadline of 1 s × 10/9 still drops the connection
            for (int i = 0; i < 40 && !dropped; i++) {
                RawHttp.Frame f;
                try {
                    f = RawHttp.readFrame(in);
                    while (f != null && f.opcode() == 0x9) {
                        serverPings++;
                        f = RawHttp.readFrame(in);
                    }
                } catch (java.net.SocketException e) {
                    f = null;
                }
                if (f == null) {
                    dropped = true;
                    break;
                }
                assertThat(f.opcode()).as("a text reply, not a close frame: %s", f.text()).isEqualTo(1);
                answered++;
                Thread.sleep(150); // pacing of the client's commands
                try {
                    RawHttp.writeFrame(s, 1, ("{\"uid\":\"" + i + "\",\"method\":\"ping\"}").getBytes(StandardCharsets.UTF_8));
                } catch (java.net.SocketException e) {
                    dropped = true;
                }
            }
            assertThat(dropped).as("dropped after %d replies", answered).isTrue();
            assertThat(answered).isGreaterThanOrEqualTo(3);
            assertThat(serverPings).isPositive();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aPingIntervalOfZeroSendsNoPingsAndSetsNoReadDeadline() throws Exception {
        start(config().pingInterval(0));
        try (Socket s = RawHttp.upgraded(server.server().boundPort(), "/connection/websocket", "")) {
            s.setSoTimeout(3000);
            InputStream in = s.getInputStream();
            // a silent client: nothing arrives (no ping frame, no drop) until the read times out
            assertThatThrownBy(() -> RawHttp.readFrame(in)).isInstanceOf(java.net.SocketTimeoutException.class);
            RawHttp.writeFrame(s, 1, server.connectFrame("c", "u", "").getBytes(StandardCharsets.UTF_8));
            RawHttp.Frame reply = RawHttp.readFrame(in);
            assertThat(reply).isNotNull();
            assertThat(reply.text()).startsWith("{\"uid\":\"c\",\"method\":\"connect\"");
        }
    }

    @Test
    void aClientThatStopsReadingIsClosedByTheWriteTimeout() throws Exception {
        start(config().clientMessageWriteTimeout(1).clientQueueMaxSize(64L << 20)
                .topLevel(ChannelOptions.builder().presence(true).build()));
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096); // a small TCP window, so that the server's writes soon stall
            s.connect(new java.net.InetSocketAddress("127.0.0.1", server.server().boundPort()), 5000);
            s.setSoTimeout(5000);
            RawHttp.sendUpgrade(s, "/connection/websocket", "");
            InputStream in = s.getInputStream();
            assertThat(RawHttp.readHead(in)).startsWith("HTTP/1.1 101");
            RawHttp.writeFrame(s, 1, server.connectFrame("c", "u", "").getBytes(StandardCharsets.UTF_8));
            assertThat(RawHttp.readFrame(in).text()).contains("\"method\":\"connect\"");
            RawHttp.writeFrame(s, 1, subscribe("1", "room").getBytes(StandardCharsets.UTF_8));
            assertThat(RawHttp.readFrame(in).text()).isEqualTo(subscribeOk("1", "room"));
            String presence = "{\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}";
            assertThat(server.api(presence).body()).contains("\"user\":\"u\"");
            // the client reads nothing more: 8 MiB of publications (more than the kernel buffers on loopback, far
            // below client_queue_max_size) stall the writes
            String data = "\"" + "x".repeat(32 * 1024) + "\"";
            for (int i = 0; i < 256; i++) {
                server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"room\",\"data\":" + data + "}}");
            }
            // closed by the server after the 1 s write deadline: the close removes the client's presence
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(server.api(presence).body())
                    .isEqualTo("[{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":\"room\",\"data\":{}}}]"));
        }
    }
}
