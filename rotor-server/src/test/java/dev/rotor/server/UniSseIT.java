package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.HttpStream;
import dev.rotor.testkit.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code uni_sse} endpoint over real sockets (docs/sse.md): the handshake's HTTP answers, each event as it
 * appears on the wire, ids and recovery, keepalive, the server's closes and the limits.
 */
class UniSseIT extends ProtocolSupport {
    private static final Pattern CONNECT = Pattern.compile(
            "data: \\{\"method\":\"connect\",\"body\":\\{\"version\":\"[^\"]*\",\"client\":\"[0-9a-f-]{36}\","
                    + "\"expires\":false,\"expired\":false,\"ttl\":0}}\n\n");
    private final java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<HttpStream> streams = new ArrayList<>();

    @AfterEach
    void closeStreams() {
        streams.forEach(HttpStream::close);
    }

    /** The credentials of {@code user} with a valid v1 token, as query parameters. */
    private String credentials(String user) {
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        return "user=" + user + "&timestamp=" + ts + "&token=" + server.token(user, ts, "");
    }

    private URI uri(String query) {
        return URI.create("http://127.0.0.1:" + server.server().boundPort() + "/connection/uni_sse?" + query);
    }

    /** Opens a stream and checks that it started: 200, the event-stream type, the connect event. */
    private HttpStream stream(String query, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(query)).timeout(Duration.ofSeconds(60)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        HttpStream s = HttpStream.open(http, b.build());
        streams.add(s);
        assertThat(s.response().statusCode()).isEqualTo(200);
        assertThat(s.response().headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
        assertThat(next(s)).matches(CONNECT);
        return s;
    }

    private static String next(HttpStream s) {
        return s.next("\n\n", WAIT);
    }

    private HttpResponse<String> get(String query) throws Exception {
        return server.send(HttpRequest.newBuilder(uri(query)).timeout(WAIT).GET().build());
    }

    private void publish(String channel, String data, String uid) throws Exception {
        assertThat(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"" + channel + "\",\"data\":" + data
                + (uid == null ? "" : ",\"uid\":\"" + uid + "\"") + "}}").body()).contains("\"error\":null");
    }

    private static String subscribed(String channel, String last) {
        return "data: {\"method\":\"subscribe\",\"body\":{\"channel\":\"" + channel + "\",\"status\":true,\"last\":\""
                + last + "\",\"messages\":null,\"recovered\":false}}\n\n";
    }

    private static String message(String channel, String uid, String data) {
        return "data: {\"method\":\"message\",\"body\":{\"uid\":\"" + uid + "\",\"channel\":\"" + channel
                + "\",\"data\":" + data + "}}\n\n";
    }

    private static ChannelOptions.Builder recovering() {
        return ChannelOptions.builder().recover(true).historySize(10).historyLifetime(60);
    }

    @Test
    void connectsSubscribesAndStreamsEveryPublicationAsItsV1Push() throws Exception {
        start(config());
        HttpStream s = stream(credentials("u1") + "&channel=news&channel=sport");
        assertThat(s.response().headers().firstValue("Cache-Control")).hasValue("no-cache, no-store");
        assertThat(s.response().headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(next(s)).isEqualTo(subscribed("news", ""));
        assertThat(next(s)).isEqualTo(subscribed("sport", ""));
        publish("news", "{\"text\":\"hello\"}", "m1");
        assertThat(next(s)).isEqualTo(message("news", "m1", "{\"text\":\"hello\"}"));
        // raw published JSON may hold line breaks: each line becomes a data line, which the browser joins with \n
        publish("sport", "{\"a\":\r\n1,\n\"b\":2}", "m2");
        assertThat(next(s)).isEqualTo("data: {\"method\":\"message\",\"body\":{\"uid\":\"m2\",\"channel\":\"sport\","
                + "\"data\":{\"a\":\ndata: 1,\ndata: \"b\":2}}}\n\n");
    }

    @Test
    void streamsOnAPortThatNegotiatesWebSocketCompressionToo() throws Exception {
        server = TestServer.start(config(), ServerConfig.builder().websocketCompression(true));
        HttpStream s = stream(credentials("u1") + "&channel=news");
        assertThat(next(s)).isEqualTo(subscribed("news", ""));
        publish("news", "1", "m1");
        assertThat(next(s)).isEqualTo(message("news", "m1", "1"));
    }

    @Test
    void aJwtConnectsToo() throws Exception {
        start(config().topLevel(ChannelOptions.builder().presence(true).build()));
        HttpStream s = stream("token=" + TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\"}") + "&channel=news");
        assertThat(next(s)).isEqualTo(subscribed("news", ""));
        assertThat(server.api("{\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}").body())
                .contains("\"user\":\"42\"");
    }

    @Test
    void joinAndLeaveArriveAsPushes() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        HttpStream s = stream(credentials("u1") + "&channel=news");
        assertThat(next(s)).isEqualTo(subscribed("news", ""));
        // the memory engine delivers the own join before the reply; the stream holds it until the reply's events
        assertThat(next(s)).startsWith("data: {\"method\":\"join\",\"body\":{\"channel\":\"news\",\"data\":{\"user\":"
                + "\"u1\",\"client\":\"");
        Client other = connect("u2");
        other.call(subscribe("1", "news"));
        String join = "data: {\"method\":\"join\",\"body\":{\"channel\":\"news\",\"data\":{\"user\":\"u2\","
                + "\"client\":\"" + other.id() + "\"}}}\n\n";
        assertThat(next(s)).isEqualTo(join);
        other.call("{\"uid\":\"2\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"news\"}}");
        assertThat(next(s)).isEqualTo(join.replace("\"join\"", "\"leave\""));
    }

    @Test
    void aServerSideUnsubscribeArrivesAndItsChannelFallsSilent() throws Exception {
        start(config());
        HttpStream s = stream(credentials("u1") + "&channel=news&channel=sport");
        next(s);
        next(s);
        server.api("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"news\",\"user\":\"u1\"}}");
        assertThat(next(s)).isEqualTo("data: {\"method\":\"unsubscribe\",\"body\":{\"channel\":\"news\","
                + "\"status\":true}}\n\n");
        publish("news", "1", "gone");
        publish("sport", "2", "kept");
        assertThat(next(s)).isEqualTo(message("sport", "kept", "2"));
    }

    @Test
    void aDisconnectThroughTheApiEndsTheStreamWithItsAdvice() throws Exception {
        start(config());
        HttpStream s = stream(credentials("u1") + "&channel=news");
        next(s);
        server.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"u1\"}}");
        assertThat(next(s)).isEqualTo("data: {\"method\":\"disconnect\",\"body\":" + advice("disconnect", false)
                + "}\n\n");
        assertThat(s.awaitEnd(WAIT)).isEmpty();
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }

    @Test
    void shutdownEndsTheStreamWithReconnectAdvice() throws Exception {
        start(config());
        HttpStream s = stream(credentials("u1") + "&channel=news");
        next(s);
        server.server().shutdown();
        assertThat(next(s)).isEqualTo("data: {\"method\":\"disconnect\",\"body\":" + advice("shutting down", true)
                + "}\n\n");
        assertThat(s.awaitEnd(WAIT)).isEmpty();
    }

    @Test
    void anExpiredConnectionEndsWithTheExpiredAdvice() throws Exception {
        start(config().connectionLifetime(2).expiredConnectionCloseDelay(0));
        assertEndsExpired(credentials("u1") + "&channel=news");
    }

    @Test
    void aStreamOfAJwtEndsAtItsExpWithTheExpiredAdvice() throws Exception {
        // no connection_lifetime: only the token's exp bounds the stream, which cannot refresh
        start(config().expiredConnectionCloseDelay(0));
        long exp = System.currentTimeMillis() / 1000 + 2;
        assertEndsExpired("token=" + TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\",\"exp\":" + exp + "}")
                + "&channel=news");
        assertThat(System.currentTimeMillis() / 1000).as("ended at exp, not before").isGreaterThanOrEqualTo(exp);
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }

    /** Opens a stream of one channel that expires within seconds, and checks that it ends with the expired advice. */
    private void assertEndsExpired(String query) {
        HttpStream s = HttpStream.open(http, HttpRequest.newBuilder(uri(query)).timeout(Duration.ofSeconds(60)).GET()
                .build());
        streams.add(s);
        assertThat(next(s)).contains("\"expires\":true");
        next(s);
        assertThat(s.next("\n\n", Duration.ofSeconds(10))).isEqualTo("data: {\"method\":\"disconnect\",\"body\":"
                + advice("expired", true) + "}\n\n");
        assertThat(s.awaitEnd(WAIT)).isEmpty();
    }

    @Test
    void lastEventIdRecoversEveryChannelWithRecover() throws Exception {
        start(config().topLevel(recovering().build()).namespace("live", ChannelOptions.builder().build()));
        publish("news", "0", "m0");
        HttpStream s = stream(credentials("u1") + "&channel=news&channel=live:x");
        assertThat(next(s)).isEqualTo(subscribed("news", "m0"));
        // the id rides on the last event of the handshake: positions of news and live:x (no recover, none)
        assertThat(next(s)).isEqualTo("id: 2:m0,\n" + subscribed("live:x", ""));
        publish("news", "1", "m1");
        assertThat(next(s)).isEqualTo("id: 2:m1,\n" + message("news", "m1", "1"));
        publish("live:x", "2", "l1");
        assertThat(next(s)).isEqualTo(message("live:x", "l1", "2"));
        s.close();
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
        publish("news", "3", "m3");
        publish("news", "4", "m4");

        HttpStream again = stream(credentials("u1") + "&channel=news&channel=live:x", "Last-Event-ID", "2:m1,");
        assertThat(next(again)).isEqualTo("data: {\"method\":\"subscribe\",\"body\":{\"channel\":\"news\",\"status\":"
                + "true,\"last\":\"\",\"messages\":[{\"uid\":\"m4\",\"channel\":\"news\",\"data\":4},{\"uid\":\"m3\","
                + "\"channel\":\"news\",\"data\":3}],\"recovered\":true}}\n\n");
        assertThat(next(again)).isEqualTo("id: 2:m4,\ndata: {\"method\":\"subscribe\",\"body\":{\"channel\":\"live:x\","
                + "\"status\":true,\"last\":\"\",\"messages\":null,\"recovered\":false}}\n\n");
        publish("news", "5", "m5");
        assertThat(next(again)).isEqualTo("id: 2:m5,\n" + message("news", "m5", "5"));
    }

    @Test
    void aPositionLostFromHistoryRecoversWhatIsLeftAndSaysSo() throws Exception {
        start(config().topLevel(recovering().build()));
        publish("news", "1", "m1");
        HttpStream s = stream(credentials("u1") + "&channel=news", "Last-Event-ID", "1:gone");
        assertThat(next(s)).isEqualTo("id: 1:m1\ndata: {\"method\":\"subscribe\",\"body\":{\"channel\":\"news\","
                + "\"status\":true,\"last\":\"\",\"messages\":[{\"uid\":\"m1\",\"channel\":\"news\",\"data\":1}],"
                + "\"recovered\":false}}\n\n");
        // an id that does not fit the channel list is a first connection
        HttpStream other = stream(credentials("u2") + "&channel=news", "Last-Event-ID", "2:m1,");
        assertThat(next(other)).isEqualTo("id: 1:m1\n" + subscribed("news", "m1"));
    }

    @Test
    void aPositionTheHistoryDoesNotHoldIsNotRepeatedInTheIds() throws Exception {
        start(config().topLevel(recovering().build()));
        // news has no history, so the text sent as its position is found nowhere; were it kept, it would ride on
        // the id of every message of sport, re-encoded to three times its size (%FF comes back as %EF%BF%BD)
        HttpStream s = stream(credentials("u1") + "&channel=news&channel=sport", "Last-Event-ID",
                "2:" + "%FF".repeat(2000) + ",");
        assertThat(next(s)).startsWith("data: {\"method\":\"subscribe\",\"body\":{\"channel\":\"news\"");
        assertThat(next(s)).startsWith("id: 2:,\ndata: {\"method\":\"subscribe\",\"body\":{\"channel\":\"sport\"");
        publish("sport", "1", "s1");
        assertThat(next(s)).isEqualTo("id: 2:,s1\n" + message("sport", "s1", "1"));
    }

    @Test
    void badCredentialsAre401WithTheReason() throws Exception {
        start(config().connectionLifetime(60));
        HttpResponse<String> r = get("user=u1&timestamp=1&token=" + "0".repeat(64) + "&channel=news");
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.body()).isEqualTo("invalid token\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        HttpResponse<String> jwt = get("token=" + TestJwts.hs256("wrong", "{\"sub\":\"42\"}") + "&channel=news");
        assertThat(jwt.statusCode()).isEqualTo(401);
        // an expired token: the connect leaves the connection unauthenticated, so its subscribes are refused
        HttpResponse<String> expired = get("user=u1&timestamp=1&token=" + server.token("u1", "1", "")
                + "&channel=news");
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).isEqualTo("unauthorized\n");
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }

    @Test
    void badChannelsAndQueriesAre4xxWithTheReason() throws Exception {
        start(config().clientChannelLimit(2));
        String creds = credentials("u1");
        assertThat(get(creds + "&channel=nope:x")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("namespace not found: nope:x\n");
        });
        // a private channel needs a sign made for the client id, which the request cannot know yet
        assertThat(get(creds + "&channel=" + URLEncoder.encode("$secret", StandardCharsets.UTF_8)))
                .satisfies(r -> {
                    assertThat(r.statusCode()).isEqualTo(403);
                    assertThat(r.body()).isEqualTo("permission denied: $secret\n");
                });
        assertThat(get(creds + "&channel=" + "x".repeat(256))).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).startsWith("limit exceeded: xxx");
        });
        assertThat(get(creds).body()).isEqualTo("no channel: give one or more channel parameters\n");
        assertThat(get(creds + "&channel=a&channel=a").body()).isEqualTo("a channel is given twice\n");
        assertThat(get(creds + "&channel=a&channel=b&channel=c")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("limit exceeded: more than client_channel_limit (2) channels\n");
        });
        assertThat(get(creds + "&user=again&channel=a").body()).isEqualTo("parameter user is given twice\n");
        try (Socket socket = request(creds + "&channel=%zz", 0)) {
            assertThat(RawHttp.readHead(socket.getInputStream())).startsWith("HTTP/1.1 400 Bad Request");
        }
        // the request line is bounded by http_max_url_length (8 KiB by default)
        assertThat(get(creds + "&channel=" + "y".repeat(9000)).statusCode()).isEqualTo(414);
        assertThat(server.send(HttpRequest.newBuilder(uri(creds + "&channel=a")).timeout(WAIT)
                .POST(HttpRequest.BodyPublishers.noBody()).build()).statusCode()).isEqualTo(405);
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }

    @Test
    void aQueryThatIsNotPercentEncodedUtf8Is400AndSubscribesNothing() throws Exception {
        start(config());
        String creds = credentials("u1");
        // each used to name a channel of U+FFFD or Latin-1 characters: invalid UTF-8, an escaped lone surrogate (the
        // bytes of U+D800), and a raw UTF-8 "é" (two bytes outside ASCII)
        for (String channel : List.of("pub%FF", "pub%ED%A0%80", "pub\u00c3\u00a9")) {
            try (Socket socket = request(creds + "&channel=" + channel, 0)) {
                InputStream in = socket.getInputStream();
                assertThat(RawHttp.readHead(in)).as(channel).startsWith("HTTP/1.1 400 Bad Request");
                String body = "malformed query string\n";
                assertThat(new String(in.readNBytes(body.length()), StandardCharsets.UTF_8)).isEqualTo(body);
            }
        }
        // well-formed UTF-8 is served
        HttpStream s = stream(creds + "&channel=pub%C3%A9");
        assertThat(next(s)).isEqualTo(subscribed("pub\u00e9", ""));
    }

    @Test
    void aRequestWhoseFrameIsLargerThanClientRequestMaxSizeIs400BeforeAnySession() throws Exception {
        start(config().clientRequestMaxSize(512));
        // a URL of some 400 bytes: each %01 of info is one character, which the frame's JSON escapes as \u0001
        HttpResponse<String> r = get(credentials("u1") + "&info=" + "%01".repeat(100) + "&channel=news");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("limit exceeded: the request is larger than client_request_max_size\n");
        assertThat(server.server().node().openSessionCount()).isZero();
    }

    @Test
    void streamsCountAgainstUserConnectionLimitWithTheUsersOtherConnections() throws Exception {
        start(config().userConnectionLimit(2));
        HttpStream first = stream(credentials("u1") + "&channel=news");
        connect("u1");
        HttpResponse<String> third = get(credentials("u1") + "&channel=news");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.body()).isEqualTo("limit exceeded\n");
        // another user is not limited by u1's connections, and a stream that ends frees its place
        stream(credentials("u2") + "&channel=news");
        first.close();
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 2);
        stream(credentials("u1") + "&channel=news");
    }

    @Test
    void aUserLimitedChannelIsOpenOnlyToItsUsers() throws Exception {
        start(config());
        String channel = URLEncoder.encode("room#u1,u2", StandardCharsets.UTF_8);
        HttpStream s = stream(credentials("u2") + "&channel=" + channel);
        assertThat(next(s)).isEqualTo(subscribed("room#u1,u2", ""));
        HttpResponse<String> other = get(credentials("u3") + "&channel=" + channel);
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).isEqualTo("permission denied: room#u1,u2\n");
    }

    @Test
    void anyOriginMayOpenTheStream() throws Exception {
        start(config());
        HttpStream s = stream(credentials("u1") + "&channel=news", "Origin", "http://app.test");
        assertThat(s.response().headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://app.test");
        assertThat(s.response().headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
        HttpResponse<String> preflight = server.send(HttpRequest.newBuilder(uri("channel=news")).timeout(WAIT)
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://app.test")
                .header("Access-Control-Request-Headers", "last-event-id").build());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin")).hasValue("http://app.test");
        assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers")).hasValue("last-event-id");
    }

    @Test
    void pingsAreCommentLinesAtThePingInterval() throws Exception {
        start(config().pingInterval(1));
        HttpStream s = stream(credentials("u1") + "&channel=news");
        next(s);
        assertThat(s.next("\n\n", Duration.ofSeconds(3))).isEqualTo(": ping\n\n");
        assertThat(s.next("\n\n", Duration.ofSeconds(3))).isEqualTo(": ping\n\n");
    }

    /**
     * Opens a socket whose receive buffer is {@code receiveBuffer} bytes (0: the default), sends a {@code uni_sse}
     * request with {@code query} (ISO-8859-1) and returns it with nothing read.
     */
    private Socket request(String query, int receiveBuffer) throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", server.server().boundPort()));
        socket.setSoTimeout(5000);
        // one byte per character: a character past ASCII goes out as that raw byte
        socket.getOutputStream().write(("GET /connection/uni_sse?" + query + " HTTP/1.1\r\nHost: x\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        return socket;
    }

    /** Publishes large messages until the stream's session is gone; fails if it outlives {@code max} of them. */
    private void publishUntilClosed(int max) throws Exception {
        String big = "\"" + "x".repeat(64 * 1024) + "\"";
        for (int i = 0; i < max && server.server().node().openSessionCount() > 0; i++) {
            publish("news", big, null);
        }
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }

    /** What the server sends until it closes the connection; fails if it is still open after the socket's timeout. */
    private static String receivedUntilClosed(Socket socket) throws IOException {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = socket.getInputStream().read(buffer)) >= 0; ) {
                received.write(buffer, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection is still open; received: " + received, e);
        }
        return received.toString(StandardCharsets.US_ASCII);
    }

    /** Reads to the end of the stream (what was already on its way, then the end); fails if it does not end. */
    private static void drainToEnd(Socket socket) throws IOException {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[64 * 1024];
        while (in.read(buffer) >= 0) {
            // drained
        }
    }

    @Test
    void aReaderThatFallsBehindIsCutOffAtTheQueueLimit() throws Exception {
        start(config().clientQueueMaxSize(256 * 1024));
        try (Socket socket = request(credentials("u1") + "&channel=news", 4096)) {
            assertThat(RawHttp.readHead(socket.getInputStream())).startsWith("HTTP/1.1 200 OK");
            // the peer reads nothing more: its socket buffers fill, then the server's queue does; within WAIT only
            // the queue limit can end the session (write_stall_timeout is 30 s)
            publishUntilClosed(500);
            drainToEnd(socket);
        }
    }

    @Test
    void aPeerThatTakesNoByteIsClosedAfterTheWriteStallTimeout() throws Exception {
        // a queue too large to overflow first: only back-pressure's stall check can end this stream
        server = TestServer.start(config().clientQueueMaxSize(1L << 30),
                ServerConfig.builder().writeStallTimeout(1));
        try (Socket socket = request(credentials("u1") + "&channel=news", 4096)) {
            assertThat(RawHttp.readHead(socket.getInputStream())).startsWith("HTTP/1.1 200 OK");
            publishUntilClosed(300);
            drainToEnd(socket);
        }
    }

    @Test
    void aRequestPipelinedBehindTheStreamClosesTheConnectionUnanswered() throws Exception {
        start(config());
        // a JSON API request without a sign, which the head checks answer with 400 and keep the connection for; and
        // one that expects 100 Continue. Neither may be answered (before the stream's head, or inside its body), nor
        // may its body be buffered: an event stream is one request
        for (String next : List.of(
                "POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]",
                "POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-API-Sign: 00\r\n"
                        + "Expect: 100-continue\r\nContent-Length: 100000\r\n\r\n")) {
            try (Socket socket = new Socket("127.0.0.1", server.server().boundPort())) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET /connection/uni_sse?" + credentials("u1") + "&channel=news "
                        + "HTTP/1.1\r\nHost: x\r\n\r\n" + next).getBytes(StandardCharsets.US_ASCII));
                assertThat(receivedUntilClosed(socket)).as(next).doesNotContain("HTTP/1.1 400")
                        .doesNotContain("HTTP/1.1 100");
            }
        }
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }

    @Test
    void aPeerThatSendsMoreThanItsRequestIsClosed() throws Exception {
        start(config());
        try (Socket socket = request(credentials("u1") + "&channel=news", 0)) {
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.readHead(in)).startsWith("HTTP/1.1 200 OK");
            socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).doesNotContain("HTTP/1.1");
        }
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
    }
}
