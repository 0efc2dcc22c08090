package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.auth.Hmac;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.RawHttp;
import dev.rotor.testkit.WsTestClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP deadlines, head limits, answers from the head and malformed requests, over raw sockets (docs/security.md). */
class HttpHardeningIT {
    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private void start(NodeConfig.Builder node, HttpLimitsConfig.Builder http) throws Exception {
        server = TestServer.start(node, ServerConfig.builder().http(http.build()));
    }

    private void start(HttpLimitsConfig.Builder http) throws Exception {
        start(NodeConfig.builder(), http);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.server().boundPort());
        s.setSoTimeout(10_000);
        return s;
    }

    private static void write(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
    }

    /** Everything the server sends until it closes the connection (fails after the socket's read timeout). */
    private static String readToEnd(Socket s) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        byte[] buf = new byte[8192];
        int n;
        try {
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
            }
        } catch (SocketException e) {
            // a reset after the answer also ends the connection
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** One response with a Content-Length body. */
    private static String readResponse(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        String head = RawHttp.readHead(in);
        int length = 0;
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        return head + new String(in.readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    private static long millisSince(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    @Test
    void connectionsThatSendNothingOrAnUnfinishedHeadAreClosedAtTheHeadDeadline() throws Exception {
        start(HttpLimitsConfig.builder().readHeaderTimeout(1));
        long started = System.nanoTime();
        try (Socket bare = connect(); Socket slow = connect()) {
            write(slow, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
            assertThat(readToEnd(slow)).startsWith("HTTP/1.1 408 Request Timeout");
            assertThat(readToEnd(bare)).isEmpty();
            assertThat(millisSince(started)).isBetween(1000L, 5000L);
        }
    }

    @Test
    void anIdleKeptAliveConnectionIsClosedAtTheIdleDeadline() throws Exception {
        start(HttpLimitsConfig.builder().idleTimeout(1));
        try (Socket s = connect()) {
            // the idle time starts when the response is written, after this
            long sent = System.nanoTime();
            write(s, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200 OK").endsWith("{\"status\":\"ok\"}");
            assertThat(readToEnd(s)).isEmpty();
            assertThat(millisSince(sent)).isBetween(1000L, 5000L);
        }
    }

    @Test
    void aBodyThatIsNotCompleteInTimeGets408() throws Exception {
        start(HttpLimitsConfig.builder().readBodyTimeout(1));
        try (Socket s = connect()) {
            write(s, "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\ndata=");
            assertThat(readToEnd(s)).startsWith("HTTP/1.1 408 Request Timeout");
        }
    }

    @Test
    void headersOverTheLimitGet431AndALongUrlGets414() throws Exception {
        start(HttpLimitsConfig.builder());
        try (Socket s = connect()) {
            write(s, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + "c".repeat(20_000) + "\r\n\r\n");
            assertThat(readToEnd(s)).startsWith("HTTP/1.1 431 Request Header Fields Too Large");
        }
        try (Socket s = connect()) {
            write(s, "GET /health?" + "q".repeat(10_000) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readToEnd(s)).startsWith("HTTP/1.1 414 Request-URI Too Long");
        }
    }

    @Test
    void aJsonApiRequestWithoutSignIsAnsweredBeforeItsBodyIsSent() throws Exception {
        start(HttpLimitsConfig.builder());
        try (Socket s = connect()) {
            // 10 MB announced, none sent: the answer must not wait for it
            write(s, "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 10000000\r\n\r\n");
            String answer = readResponse(s);
            assertThat(answer).startsWith("HTTP/1.1 400 Bad Request").contains("connection: close")
                    .endsWith("\r\n\r\nBad Request\n");
        }
        try (Socket s = connect()) {
            // v2 dialect with a wrong key: 401 from the head as well
            write(s, "POST /api HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: apikey wrong\r\n"
                    + "Content-Length: 10000000\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 401 Unauthorized");
        }
    }

    @Test
    void aSignedApiRequestLargerThanTheWholeBodyBudgetStillGoesThrough() throws Exception {
        start(HttpLimitsConfig.builder().bodyBudget(64 * 1024));
        try (Socket s = connect()) {
            write(s, signedForm(300_000));
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200 OK")
                    .endsWith("[{\"method\":\"publish\",\"error\":null,\"body\":null}]");
        }
    }

    @Test
    void anUpgradedWebSocketOutlivesTheHttpDeadlines() throws Exception {
        start(HttpLimitsConfig.builder().readHeaderTimeout(1).idleTimeout(1).readBodyTimeout(1));
        try (WsTestClient c = WsTestClient.connect(java.net.URI.create(server.wsUrl()))) {
            c.send(server.connectFrame("1", "u", ""));
            assertThat(c.awaitFrame(Duration.ofSeconds(5))).contains("\"method\":\"connect\"");
            // past every HTTP deadline: the WebSocket's own (stale close, pings) apply instead
            c.assertNoFrame(Duration.ofMillis(2500));
            c.send("{\"uid\":\"p\",\"method\":\"ping\"}");
            assertThat(c.awaitFrame(Duration.ofSeconds(5))).isEqualTo("{\"uid\":\"p\",\"method\":\"ping\"}");
        }
    }

    @Test
    void expectContinueIsAnsweredOnlyForARequestThatCanBeValid() throws Exception {
        start(HttpLimitsConfig.builder());
        String body = "{\"method\":\"channels\"}";
        try (Socket s = connect()) {
            write(s, "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-API-Sign: "
                    + Hmac.apiSign(TestServer.SECRET, body.getBytes(StandardCharsets.UTF_8))
                    + "\r\nExpect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
            assertThat(RawHttp.readHead(s.getInputStream())).startsWith("HTTP/1.1 100 Continue");
            write(s, body);
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200 OK");
        }
        try (Socket s = connect()) {
            write(s, "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "Expect: 100-continue\r\nContent-Length: " + body.length() + "\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 400 Bad Request");
            assertThat(readToEnd(s)).as("closed: the client sends no body after a final answer").isEmpty();
        }
    }

    @Test
    void aBodyPastTheBudgetWaitsForTheOldestOneAndThenCompletes() throws Exception {
        start(HttpLimitsConfig.builder().bodyBudget(64 * 1024));
        var budget = server.server().bodyBudget();
        String first = signedForm(200_000);
        String second = signedForm(150_000);
        try (Socket oldest = connect(); Socket held = connect()) {
            int half = first.length() / 2;
            write(oldest, first.substring(0, half));
            // the oldest body is never held back, even past the budget
            await().atMost(Duration.ofSeconds(5)).until(() -> budget.used() >= 100_000);
            write(held, second);
            await().atMost(Duration.ofSeconds(5)).until(() -> budget.waiting() == 1);
            write(oldest, first.substring(half));
            assertThat(readResponse(oldest)).startsWith("HTTP/1.1 200 OK");
            assertThat(readResponse(held)).startsWith("HTTP/1.1 200 OK");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> budget.used() == 0 && budget.waiting() == 0);
    }

    /** A signed form API publish of about {@code size} bytes, as a whole request. */
    private static String signedForm(int size) {
        String data = "{\"method\":\"publish\",\"params\":{\"channel\":\"c\",\"data\":\"" + "x".repeat(size) + "\"}}";
        String body = "data=" + URLEncoder.encode(data, StandardCharsets.UTF_8) + "&sign="
                + Hmac.apiSign(TestServer.SECRET, data.getBytes(StandardCharsets.UTF_8));
        return "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    @Test
    void badPercentEscapesAndNulBytesGet400() throws Exception {
        start(HttpLimitsConfig.builder());
        try (Socket s = connect()) {
            write(s, "GET /%00 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 400 Bad Request").endsWith("Bad Request\n");
            write(s, "GET /api/?data=%zz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 400 Bad Request");
            write(s, "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                    + "Content-Length: 16\r\n\r\ndata=%zz&sign=ab");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 400 Bad Request").endsWith("Bad Request\n");
            // a SockJS session to send to
            write(s, "POST /connection/000/hardening/xhr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 200 OK").endsWith("o\n");
            write(s, "POST /connection/000/hardening/jsonp_send HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 4\r\n\r\nd=%z");
            assertThat(readResponse(s)).startsWith("HTTP/1.1 400 Bad Request");
            write(s, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(readResponse(s)).as("the connection is still usable").startsWith("HTTP/1.1 200 OK");
        }
    }

    @Test
    void aSockJsWebSocketMessageOverTheLimitEndsTheConnection() throws Exception {
        start(NodeConfig.builder().clientRequestMaxSize(1000), HttpLimitsConfig.builder());
        int port = server.server().boundPort();
        // over three times the limit: refused by the WebSocket decoder before it is buffered
        try (Socket s = RawHttp.upgraded(port, "/connection/000/big/websocket", "")) {
            assertThat(RawHttp.readFrame(s.getInputStream()).text()).isEqualTo("o");
            RawHttp.writeFrame(s, 1, ("[\"" + "x".repeat(5000) + "\"]").getBytes(StandardCharsets.UTF_8));
            // no SockJS close frame: the session never saw the message
            assertClosedWithout(s, "c[");
        }
        // over the limit but within the escaping allowance: the session answers as v1 did
        try (Socket s = RawHttp.upgraded(port, "/connection/000/over/websocket", "")) {
            assertThat(RawHttp.readFrame(s.getInputStream()).text()).isEqualTo("o");
            RawHttp.writeFrame(s, 1, ("[\"" + "x".repeat(1500) + "\"]").getBytes(StandardCharsets.UTF_8));
            assertThat(RawHttp.readFrame(s.getInputStream()).text())
                    .isEqualTo("c[3000,\"{\\\"reason\\\":\\\"limit exceeded\\\",\\\"reconnect\\\":false}\"]");
            assertClosedWithout(s, "a[");
        }
    }

    @Test
    void aSockJsSessionNobodyPollsIsClosedAndForgotten() throws Exception {
        start(HttpLimitsConfig.builder());
        try (Socket s = connect()) {
            write(s, "POST /connection/000/orphan/xhr HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n");
            assertThat(readResponse(s)).endsWith("o\n");
        }
        assertThat(server.server().node().openSessionCount()).isEqualTo(1);
        // SockJS's disconnect delay (5 s) without a receiving request
        await().atMost(Duration.ofSeconds(10)).until(() -> server.server().node().openSessionCount() == 0);
    }

    @Test
    void aSockJsWebSocketThatDoesNotAuthenticateIsClosedAsStale() throws Exception {
        start(NodeConfig.builder().staleConnectionCloseDelay(1), HttpLimitsConfig.builder());
        try (Socket s = RawHttp.upgraded(server.server().boundPort(), "/connection/000/stale/websocket", "")) {
            assertThat(RawHttp.readFrame(s.getInputStream()).text()).isEqualTo("o");
            assertThat(RawHttp.readFrame(s.getInputStream()).text())
                    .isEqualTo("c[3000,\"{\\\"reason\\\":\\\"stale\\\",\\\"reconnect\\\":false}\"]");
        }
    }

    @Test
    void anAdminSocketThatDoesNotAuthenticateIsClosedAsStale() throws Exception {
        server = TestServer.start(NodeConfig.builder().staleConnectionCloseDelay(1).adminSecret("s"),
                ServerConfig.builder().admin(true));
        long started = System.nanoTime();
        try (Socket s = RawHttp.upgraded(server.server().boundAdminPort(), "/socket", "")) {
            StringBuilder frames = new StringBuilder();
            RawHttp.Frame f;
            while ((f = readFrameOrNull(s)) != null) {
                frames.append(f.text());
            }
            assertThat(frames.toString()).contains("stale");
            assertThat(millisSince(started)).isBetween(1000L, 5000L);
        }
    }

    private static RawHttp.Frame readFrameOrNull(Socket s) throws IOException {
        try {
            return RawHttp.readFrame(s.getInputStream());
        } catch (SocketException e) {
            return null;
        }
    }

    /** Reads frames until the connection ends; none may start with {@code prefix}. */
    private static void assertClosedWithout(Socket s, String prefix) throws IOException {
        RawHttp.Frame f;
        try {
            while ((f = readFrameOrNull(s)) != null) {
                assertThat(f.text()).doesNotStartWith(prefix);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was not closed", e);
        }
    }
}
