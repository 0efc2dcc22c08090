package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.SockJsTestClient;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import org.junit.jupiter.api.Test;

/** SockJS's websocket transport: SockJS frames in WebSocket text messages, h heartbeats, close with advice. */
class SockJsWebSocketIT extends SockJsSupport {

    private WsTestClient ws(String sessionUrl) {
        return WsTestClient.connect(URI.create(sessionUrl.replaceFirst("^http", "ws") + "/websocket"), WAIT);
    }

    @Test
    void framingEmptyMessagesSingleStringsAndNoPings() throws Exception {
        start(NodeConfig.builder().topLevel(ALL).pingInterval(1), ServerConfig.builder().sockjsHeartbeatDelay(25));
        try (WsTestClient c = ws(sessionUrl())) {
            assertThat(c.awaitFrame(WAIT)).isEqualTo("o");
            c.send("");
            c.send("\"{\\\"uid\\\":\\\"1\\\",\\\"method\\\":\\\"connect\\\",\\\"params\\\":{}}\"");
            assertThat(c.awaitFrame(WAIT)).isEqualTo("c[3000,\"{\\\"reason\\\":\\\"invalid token\\\","
                    + "\\\"reconnect\\\":false}\"]");
            assertThat(c.awaitClose(WAIT).code()).isEqualTo(1000);
            // SockJS uses h heartbeats: no WebSocket pings even with ping_interval 1
            assertThat(c.pingsReceived()).isZero();
        }
    }

    @Test
    void brokenJsonEndsTheConnectionWith1002AndTheSessionWithIt() throws Exception {
        start(25);
        try (WsTestClient c = ws(sessionUrl())) {
            assertThat(c.awaitFrame(WAIT)).isEqualTo("o");
            c.send(SockJsTestClient.encode(connect("1", "u1")));
            assertThat(c.awaitFrame(WAIT)).startsWith("a[");
            assertThat(server.server().node().openSessionCount()).isEqualTo(1);
            c.send("[\"a");
            assertThat(c.awaitFrame(WAIT)).isEqualTo("c[1002,\"Broken framing.\"]");
            assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(1002, "Broken framing."));
            await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
        }
    }

    @Test
    void sessionIdsMayBeReusedOverWebSocket() throws Exception {
        start(25);
        String url = sessionUrl();
        try (WsTestClient a = ws(url); WsTestClient b = ws(url)) {
            assertThat(a.awaitFrame(WAIT)).isEqualTo("o");
            assertThat(b.awaitFrame(WAIT)).isEqualTo("o");
            a.send(SockJsTestClient.encode("{\"uid\":\"a\",\"method\":\"ping\"}"));
            assertThat(a.awaitFrame(WAIT)).isEqualTo("c[3000,\"{\\\"reason\\\":\\\"unauthorized\\\",\\\"reconnect\\\":false}\"]");
            b.send(SockJsTestClient.encode(connect("1", "u1")));
            assertThat(b.awaitFrame(WAIT)).contains("connect");
        }
    }

    @Test
    void apiDisconnectSendsTheAdviceCloseFrame() throws Exception {
        start(25);
        try (WsTestClient c = ws(sessionUrl())) {
            assertThat(c.awaitFrame(WAIT)).isEqualTo("o");
            c.send(SockJsTestClient.encode(connect("1", "u1")));
            assertThat(c.awaitFrame(WAIT)).contains("connect");
            server.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"u1\"}}");
            assertThat(c.awaitFrame(WAIT))
                    .isEqualTo("c[3000,\"{\\\"reason\\\":\\\"disconnect\\\",\\\"reconnect\\\":false}\"]");
            c.awaitClose(WAIT);
        }
    }

    @Test
    void slowClientIsClosedAndQueuedFramesAreDiscarded() throws Exception {
        start(NodeConfig.builder().topLevel(ALL).clientQueueMaxSize(300), ServerConfig.builder());
        SockJsTestClient c = open(SockJsTestClient.Transport.XHR);
        c.send(connect("1", "u1"), subscribe("2", "news"));
        c.nextMessage(WAIT);
        c.nextMessage(WAIT);
        // nobody polls: the queue fills, and the publication that would overflow it closes the session as slow
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":\"" + "x".repeat(100) + "\"}}");
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":\"" + "y".repeat(200) + "\"}}");
        assertThat(c.nextFrame(WAIT)).isEqualTo("c[3000,\"{\\\"reason\\\":\\\"slow\\\",\\\"reconnect\\\":false}\"]");
    }
}
