package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * What the raw WebSocket transport adds to the client protocol (client-protocol.md §1.1, §3, §9): binary frames,
 * close frames with code 3000 and the advice, 1009 for an oversized message, the session's timers on the event
 * loop, a client's close cleaning up its subscriptions. The protocol rules themselves are unit-tested in rotor-core
 * ({@code dev.rotor.node.*Test}).
 */
class ConnectionIT extends ProtocolSupport {

    @Test
    void keysAreCaseInsensitiveAndBinaryFramesWork() throws Exception {
        start(config());
        Client c = connect("u1");
        c.ws().sendBinary("{\"UID\":\"b\",\"Method\":\"ping\",\"Params\":{\"Data\":\"bin\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(c.next()).isEqualTo("{\"uid\":\"b\",\"method\":\"ping\",\"body\":{\"data\":\"bin\"}}");
    }

    @Test
    void invalidTokenIsFatal() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send("{\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"1\",\"token\":\"" + "0".repeat(64) + "\"}}");
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));
    }

    @Test
    void unauthenticatedConnectionsAreClosedAsStale() throws Exception {
        start(config().staleConnectionCloseDelay(1));
        WsTestClient c = open();
        assertThat(c.awaitClose(Duration.ofSeconds(4))).isEqualTo(new WsTestClient.Close(3000, advice("stale", false)));
    }

    @Test
    void oversizedMessageIsClosedWith1009() throws Exception {
        start(config().clientRequestMaxSize(300));
        Client c = connect("u");
        c.send("{\"method\":\"ping\",\"params\":{\"data\":\"" + "x".repeat(400) + "\"}}");
        assertThat(c.awaitClose().code()).isEqualTo(1009);
    }

    @Test
    void apiDisconnectClosesWithDisconnectAdvice() throws Exception {
        start(config());
        Client c = connect("bob");
        assertThat(server.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}").statusCode()).isEqualTo(200);
        assertThat(c.awaitClose()).isEqualTo(new WsTestClient.Close(3000, advice("disconnect", false)));
    }

    @Test
    void shutdownClosesClientsWithShuttingDown() throws Exception {
        start(config());
        Client c = connect("u");
        server.server().shutdown();
        assertThat(c.awaitClose()).isEqualTo(new WsTestClient.Close(3000, advice("shutting down", true)));
    }

    @Test
    void clientCloseIsEchoedWithTheSameCode() throws Exception {
        start(config());
        Client c = connect("u");
        c.ws().sendClose(4001, "bye");
        assertThat(c.awaitClose().code()).isEqualTo(4001);
    }

    @Test
    void anyOriginIsAcceptedAndNoSubprotocolIsChosen() throws Exception {
        start(config());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.server().boundPort())) {
            s.setSoTimeout(5000);
            dev.rotor.testkit.RawHttp.sendUpgrade(s, "/connection/websocket",
                    "Origin: http://elsewhere.example\r\nSec-WebSocket-Protocol: chat\r\n");
            assertThat(dev.rotor.testkit.RawHttp.readHead(s.getInputStream())).startsWith("HTTP/1.1 101")
                    .doesNotContainIgnoringCase("sec-websocket-protocol");
        }
    }

    @Test
    void anEmptyFrameIsInvalidMessage() throws Exception {
        start(config());
        Client c = connect("u1");
        c.send("");
        assertThat(c.awaitClose()).isEqualTo(new WsTestClient.Close(3000, advice("invalid message", false)));
    }

    @Test
    void aRequestMaxSizeOfZeroRejectsEveryFrameWithLimitExceeded() throws Exception {
        // v1 compat: 0 is no transport limit, but every non-empty frame exceeds the protocol check (§3)
        start(config().clientRequestMaxSize(0));
        WsTestClient c = open();
        c.send(server.connectFrame("1", "u", ""));
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("limit exceeded", false)));
    }

    @Test
    void closingAConnectionSendsLeaveToOthersAndRemovesPresence() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).presence(true).build()));
        Client a = connect("a");
        Client b = connect("b");
        a.send(subscribe("1", "room"));
        a.next();
        a.next();
        b.send(subscribe("1", "room"));
        assertThat(a.next()).contains("\"method\":\"join\"").contains(b.id());
        b.next();
        b.next();
        b.ws().sendClose(1000, "");
        assertThat(a.next()).isEqualTo("{\"method\":\"leave\",\"body\":{\"channel\":\"room\",\"data\":{\"user\":\"b\",\"client\":\""
                + b.id() + "\"}}}");
        assertThat(a.call("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}")).doesNotContain(b.id());
    }
}
