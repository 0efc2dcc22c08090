package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.RawHttp;
import dev.rotor.testkit.WsTestClient;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** publish, presence, history, ping, slow clients and keepalive (client-protocol.md §5.5–§5.8, §7, §8, §10). */
class MessagingIT extends ProtocolSupport {

    private static final ChannelOptions ALL = ChannelOptions.builder().publish(true).presence(true).joinLeave(false)
            .historySize(2).historyLifetime(60).build();

    @Test
    void publisherGetsItsOwnMessageBeforeTheReplyWithDataVerbatim() throws Exception {
        start(config().topLevel(ALL));
        Client c = connect("u1", "{\"name\":\"A\"}");
        c.call(subscribe("1", "news"));
        c.send("{\"uid\":\"8\",\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"x\": 1}}}");
        assertThat(c.next()).matches("\\{\"method\":\"message\",\"body\":\\{\"uid\":\"[0-9A-Za-z]{22}\",\"client\":\""
                + c.id() + "\",\"info\":\\{\"default_info\":\\{\"name\":\"A\"},\"user\":\"u1\",\"client\":\"" + c.id()
                + "\"},\"channel\":\"news\",\"data\":\\{\"x\": 1}}}");
        assertThat(c.next()).isEqualTo("{\"uid\":\"8\",\"method\":\"publish\",\"body\":{\"channel\":\"news\",\"status\":true}}");
    }

    @Test
    void publishErrorsCarryAdvice() throws Exception {
        start(config().namespace("ro", ChannelOptions.builder().build()).topLevel(ALL));
        Client c = connect("u1");
        c.call(subscribe("1", "ro:x"));
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"ro:x\",\"data\":1}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"publish\",\"error\":\"permission denied\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"ro:x\",\"status\":false}}");
        assertThat(c.call("{\"uid\":\"3\",\"method\":\"publish\",\"params\":{\"channel\":\"other\",\"data\":1}}"))
                .isEqualTo("{\"uid\":\"3\",\"method\":\"publish\",\"error\":\"permission denied\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"other\",\"status\":false}}");
        assertThat(c.call("{\"uid\":\"4\",\"method\":\"publish\",\"params\":{\"channel\":\"ro:x\"}}"))
                .isEqualTo("{\"uid\":\"4\",\"method\":\"publish\",\"error\":\"invalid message\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"ro:x\",\"status\":false}}");
    }

    @Test
    void nullDataIsPublishedAsNull() throws Exception {
        start(config().topLevel(ALL));
        Client c = connect("u1");
        c.call(subscribe("1", "n"));
        c.send("{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"n\",\"data\":null}}");
        assertThat(c.next()).endsWith("\"channel\":\"n\",\"data\":null}}");
    }

    @Test
    void insecureModeAllowsPublishWithoutTheOption() throws Exception {
        start(config().insecure(true));
        Client c = connect("");
        c.call(subscribe("1", "n"));
        c.send("{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"n\",\"data\":1}}");
        assertThat(c.next()).startsWith("{\"method\":\"message\"");
        assertThat(c.next()).contains("\"status\":true");
    }

    @Test
    void apiPublicationsReachEverySubscriber() throws Exception {
        start(config().topLevel(ALL));
        Client a = connect("a");
        Client b = connect("b");
        a.call(subscribe("1", "news"));
        b.call(subscribe("1", "news"));
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"a\":1},\"uid\":\"X\",\"client\":\"cl\"}}");
        String push = "{\"method\":\"message\",\"body\":{\"uid\":\"X\",\"client\":\"cl\",\"channel\":\"news\",\"data\":{\"a\":1}}}";
        assertThat(a.next()).isEqualTo(push);
        assertThat(b.next()).isEqualTo(push);
    }

    @Test
    void presenceListsSubscribersInSerialisedRendering() throws Exception {
        start(config().topLevel(ALL));
        Client c = connect("u1", "{\"name\": \"A\"}");
        c.call(subscribe("1", "news"));
        assertThat(c.call("{\"uid\":\"4\",\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}"))
                .isEqualTo("{\"uid\":\"4\",\"method\":\"presence\",\"body\":{\"channel\":\"news\",\"data\":{\"" + c.id()
                        + "\":{\"user\":\"u1\",\"client\":\"" + c.id() + "\",\"default_info\":{\"name\":\"A\"}}}}}");
    }

    @Test
    void presenceAndHistoryErrors() throws Exception {
        start(config().namespace("off", ChannelOptions.builder().build()));
        Client c = connect("u1");
        c.call(subscribe("1", "off:x"));
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"presence\",\"params\":{\"channel\":\"off:x\"}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"presence\",\"error\":\"not available\",\"advice\":\"retry\","
                        + "\"body\":{\"channel\":\"off:x\",\"data\":null}}");
        assertThat(c.call("{\"uid\":\"3\",\"method\":\"history\",\"params\":{\"channel\":\"off:x\"}}"))
                .isEqualTo("{\"uid\":\"3\",\"method\":\"history\",\"error\":\"not available\",\"advice\":\"retry\","
                        + "\"body\":{\"channel\":\"off:x\",\"data\":null}}");
        assertThat(c.call("{\"uid\":\"4\",\"method\":\"history\",\"params\":{\"channel\":\"nosub\"}}"))
                .isEqualTo("{\"uid\":\"4\",\"method\":\"history\",\"error\":\"permission denied\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"nosub\",\"data\":null}}");
        assertThat(c.call("{\"uid\":\"5\",\"method\":\"presence\",\"params\":{\"channel\":\"nosub\"}}"))
                .isEqualTo("{\"uid\":\"5\",\"method\":\"presence\",\"error\":\"permission denied\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"nosub\",\"data\":null}}");
    }

    @Test
    void historyIsNewestFirstAndTruncatedToSize() throws Exception {
        start(config().topLevel(ALL));
        Client c = connect("u1");
        c.call(subscribe("1", "h"));
        for (int i = 1; i <= 3; i++) {
            server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"h\",\"data\":{\"n\": " + i + "},\"uid\":\"m" + i + "\"}}");
            c.next();
        }
        assertThat(c.call("{\"uid\":\"5\",\"method\":\"history\",\"params\":{\"channel\":\"h\"}}"))
                .isEqualTo("{\"uid\":\"5\",\"method\":\"history\",\"body\":{\"channel\":\"h\",\"data\":["
                        + "{\"uid\":\"m3\",\"channel\":\"h\",\"data\":{\"n\":3}},{\"uid\":\"m2\",\"channel\":\"h\",\"data\":{\"n\":2}}]}}");
    }

    @Test
    void pingEchoesDataAndOmitsAnEmptyBody() throws Exception {
        start(config());
        Client c = connect("u1");
        assertThat(c.call("{\"method\":\"ping\"}")).isEqualTo("{\"method\":\"ping\"}");
        assertThat(c.call("{\"uid\":\"7\",\"method\":\"ping\",\"params\":{\"data\":\"\"}}")).isEqualTo("{\"uid\":\"7\",\"method\":\"ping\"}");
        c.send("{\"method\":\"ping\",\"params\":\"x\"}");
        assertThat(c.awaitClose().reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void slowClientIsDisconnectedWhenAMessageExceedsTheQueue() throws Exception {
        start(config().clientQueueMaxSize(300).topLevel(ALL));
        Client c = connect("u1");
        c.call(subscribe("1", "big"));
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"big\",\"data\":\"" + "x".repeat(400) + "\"}}");
        assertThat(c.awaitClose()).isEqualTo(new WsTestClient.Close(3000, advice("slow", false)));
    }

    @Test
    void channelsAreEscapedHtmlSafe() throws Exception {
        start(config());
        Client c = connect("u1");
        assertThat(c.call(subscribe("1", "a<b>"))).isEqualTo(subscribeOk("1", "a\\u003cb\\u003e"));
    }

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
    void publishWithAnEmptyChannelIsAResponseErrorNotFatal() throws Exception {
        start(config().topLevel(ALL));
        Client c = connect("u1");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"publish\",\"params\":{\"channel\":\"\",\"data\":1}}"))
                .isEqualTo("{\"uid\":\"1\",\"method\":\"publish\",\"error\":\"invalid message\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"\",\"status\":false}}");
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"ping\"}")).isEqualTo("{\"uid\":\"2\",\"method\":\"ping\"}");
    }

    @Test
    void historyOfAnEmptyChannelIsAnEmptyArray() throws Exception {
        start(config().topLevel(ALL));
        Client c = connect("u1");
        c.call(subscribe("1", "quiet"));
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"history\",\"params\":{\"channel\":\"quiet\"}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"history\",\"body\":{\"channel\":\"quiet\",\"data\":[]}}");
    }

    @Test
    void presenceIsRewrittenEveryPresencePingIntervalWithTheCurrentInfo() throws Exception {
        start(config().topLevel(ALL).presencePingInterval(1).connectionLifetime(600));
        Client c = connect("u1", "{\"v\":1}");
        c.call(subscribe("1", "room"));
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        assertThat(c.call(server.refreshFrame("r", "u1", ts, "{\"v\":2}")))
                .contains("\"expired\":false");
        String presence = "{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}";
        // the entry written at subscribe still holds the old info until the periodic refresh rewrites it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(c.call(presence))
                .isEqualTo("{\"uid\":\"p\",\"method\":\"presence\",\"body\":{\"channel\":\"room\",\"data\":{\""
                        + c.id() + "\":{\"user\":\"u1\",\"client\":\"" + c.id() + "\",\"default_info\":{\"v\":2}}}}}"));
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
