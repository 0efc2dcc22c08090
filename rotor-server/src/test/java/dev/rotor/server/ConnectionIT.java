package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.WsTestClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Framing and connection lifecycle over raw WebSocket (client-protocol.md §2, §3, §5.1, §5.2, §9). */
class ConnectionIT extends ProtocolSupport {

    private static String nowTs() {
        return Long.toString(System.currentTimeMillis() / 1000);
    }

    @Test
    void connectRepliesWithEveryFieldAndAClientId() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send(server.connectFrame("1", "u1", "{\"name\":\"A\"}"));
        assertThat(c.awaitFrame(WAIT)).matches("\\{\"uid\":\"1\",\"method\":\"connect\",\"body\":\\{\"version\":\"[^\"]*\","
                + "\"client\":\"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\",\"expires\":false,"
                + "\"expired\":false,\"ttl\":0}}");
    }

    @Test
    void commandsBeforeConnectAreUnauthorizedEvenPing() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send("{\"uid\":\"1\",\"method\":\"ping\"}");
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("unauthorized", false)));
    }

    @Test
    void unknownMethodAfterConnectIsMethodNotFound() throws Exception {
        start(config());
        Client c = connect("u1");
        c.send("{\"uid\":\"22\",\"method\":\"unknownmethod\"}");
        assertThat(c.awaitClose()).isEqualTo(new WsTestClient.Close(3000, advice("method not found", false)));
    }

    @Test
    void clientDisconnectMethodIsUnknownInV1() throws Exception {
        start(config());
        Client c = connect("u1");
        c.send("{\"method\":\"disconnect\"}");
        assertThat(c.awaitClose().reason()).isEqualTo(advice("method not found", false));
    }

    @Test
    void malformedFramesAreFatalInvalidMessage() throws Exception {
        start(config());
        for (String bad : new String[] {" {\"method\":\"connect\"}", "[]", "{nope", "{\"uid\":1,\"method\":\"ping\"}",
                "\"x\"", "[{\"method\":\"ping\"}] trailing"}) {
            WsTestClient c = open();
            c.send(bad);
            assertThat(c.awaitClose(WAIT)).as(bad).isEqualTo(new WsTestClient.Close(3000, advice("invalid message", false)));
        }
    }

    @Test
    void oneCommandInAnArrayGetsAnObjectReplyAndTwoGetAnArray() throws Exception {
        start(config());
        Client c = connect("u1");
        assertThat(c.call("[{\"uid\":\"1\",\"method\":\"ping\"}]")).isEqualTo("{\"uid\":\"1\",\"method\":\"ping\"}");
        assertThat(c.call("[{\"uid\":\"5\",\"method\":\"ping\",\"params\":{\"data\":\"x\"}},{\"uid\":\"6\",\"method\":\"ping\"}]"))
                .isEqualTo("[{\"uid\":\"5\",\"method\":\"ping\",\"body\":{\"data\":\"x\"}},{\"uid\":\"6\",\"method\":\"ping\"}]");
    }

    @Test
    void keysAreCaseInsensitiveAndBinaryFramesWork() throws Exception {
        start(config());
        Client c = connect("u1");
        c.ws().sendBinary("{\"UID\":\"b\",\"Method\":\"ping\",\"Params\":{\"Data\":\"bin\"}}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertThat(c.next()).isEqualTo("{\"uid\":\"b\",\"method\":\"ping\",\"body\":{\"data\":\"bin\"}}");
    }

    @Test
    void aFatalErrorSuppressesEveryReplyOfTheFrameButKeepsEarlierEffects() throws Exception {
        start(config().topLevel(dev.rotor.channel.ChannelOptions.builder().publish(true).historySize(10).historyLifetime(60).build()));
        Client c = connect("u1");
        c.send("[{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}},{\"uid\":\"2\",\"method\":\"nope\"}]");
        assertThat(c.awaitClose().reason()).isEqualTo(advice("method not found", false));
        assertThat(server.api("{\"method\":\"channels\"}").body())
                .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
    }

    @Test
    void invalidTokenIsFatal() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send("{\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"1\",\"token\":\"" + "0".repeat(64) + "\"}}");
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));
    }

    @Test
    void correctlySignedNonNumericTimestampIsInvalidMessage() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send("{\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"abc\",\"token\":\""
                + server.token("u", "abc", "") + "\"}}");
        assertThat(c.awaitClose(WAIT).reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void secondConnectIsInvalidMessage() throws Exception {
        start(config());
        Client c = connect("u1");
        c.send(server.connectFrame("2", "u1", ""));
        assertThat(c.awaitClose().reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void infoThatIsNotJsonIsRejectedAtConnect() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send(server.connectFrame("1", "u", "not json"));
        assertThat(c.awaitClose(WAIT).reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void insecureModeConnectsWithoutToken() throws Exception {
        start(config().insecure(true));
        WsTestClient c = open();
        c.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"anyone\"}}");
        assertThat(c.awaitFrame(WAIT)).contains("\"method\":\"connect\"").contains("\"expired\":false");
    }

    @Test
    void userConnectionLimitIsPerUserAndSparesAnonymous() throws Exception {
        start(config().userConnectionLimit(1).insecure(false));
        connect("u1");
        WsTestClient second = open();
        second.send(server.connectFrame("2", "u1", ""));
        assertThat(second.awaitClose(WAIT).reason()).isEqualTo(advice("limit exceeded", false));
        connect("");
        connect("");
    }

    @Test
    void expiredConnectLeavesTheConnectionOpenButUnauthenticated() throws Exception {
        start(config().connectionLifetime(10));
        WsTestClient c = open();
        String old = Long.toString(System.currentTimeMillis() / 1000 - 100);
        c.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + old
                + "\",\"token\":\"" + server.token("u", old, "") + "\"}}");
        assertThat(c.awaitFrame(WAIT)).isEqualTo("{\"uid\":\"1\",\"method\":\"connect\",\"body\":{\"version\":\""
                + server.server().node().config().version() + "\",\"client\":\"\",\"expires\":true,\"expired\":true,\"ttl\":10}}");
        c.send(server.connectFrame("2", "u", ""));
        assertThat(c.awaitFrame(WAIT)).contains("\"expires\":true,\"expired\":false,\"ttl\":10");
    }

    @Test
    void connectionExpiresAfterLifetimePlusDelay() throws Exception {
        start(config().connectionLifetime(2).expiredConnectionCloseDelay(1));
        WsTestClient c = open();
        String ts = Long.toString(System.currentTimeMillis() / 1000 - 1);
        c.send("{\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + ts + "\",\"token\":\""
                + server.token("u", ts, "") + "\"}}");
        assertThat(c.awaitFrame(WAIT)).contains("\"expires\":true");
        assertThat(c.awaitClose(Duration.ofSeconds(6))).isEqualTo(new WsTestClient.Close(3000, advice("expired", true)));
    }

    @Test
    void refreshExtendsTheConnectionAndReplacesInfo() throws Exception {
        start(config().connectionLifetime(2).expiredConnectionCloseDelay(0)
                .topLevel(dev.rotor.channel.ChannelOptions.builder().presence(true).build()));
        Client c = connect("u", "{\"v\":1}");
        String ts = Long.toString(System.currentTimeMillis() / 1000 + 60);
        String reply = c.call("{\"uid\":\"r\",\"method\":\"refresh\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + ts
                + "\",\"info\":\"{\\\"v\\\":2}\",\"token\":\"" + server.token("u", ts, "{\"v\":2}") + "\"}}");
        assertThat(reply).isEqualTo("{\"uid\":\"r\",\"method\":\"refresh\",\"body\":{\"version\":\""
                + server.server().node().config().version() + "\",\"client\":\"" + c.id()
                + "\",\"expires\":true,\"expired\":false,\"ttl\":2}}");
        c.send(subscribe("s", "room"));
        assertThat(c.next()).isEqualTo(subscribeOk("s", "room"));
        // still open after the original lifetime has passed
        Thread.sleep(3200);
        assertThat(c.call("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}"))
                .contains("\"default_info\":{\"v\":2}");
    }

    @Test
    void refreshWithAnOldTimestampReportsExpired() throws Exception {
        start(config().connectionLifetime(60));
        Client c = connect("u");
        String old = Long.toString(System.currentTimeMillis() / 1000 - 120);
        assertThat(c.call("{\"uid\":\"r\",\"method\":\"refresh\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + old
                + "\",\"token\":\"" + server.token("u", old, "") + "\"}}")).contains("\"expired\":true,\"ttl\":60");
    }

    @Test
    void refreshChecksTheTokenEvenInInsecureMode() throws Exception {
        start(config().insecure(true));
        WsTestClient c = open();
        c.send("{\"method\":\"connect\",\"params\":{}}");
        c.awaitFrame(WAIT);
        c.send("{\"method\":\"refresh\",\"params\":{}}");
        assertThat(c.awaitClose(WAIT).reason()).isEqualTo(advice("invalid token", false));
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
    void unknownMethodsBeforeConnectAreUnauthorizedToo() throws Exception {
        start(config());
        WsTestClient c = open();
        c.send("{\"method\":\"nope\"}");
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("unauthorized", false)));
    }

    @Test
    void anEmptyUidIsNotEchoed() throws Exception {
        start(config());
        Client c = connect("u1");
        assertThat(c.call("{\"uid\":\"\",\"method\":\"ping\",\"params\":{\"data\":\"d\"}}"))
                .isEqualTo("{\"method\":\"ping\",\"body\":{\"data\":\"d\"}}");
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
    void refreshWithoutALifetimeOnlyChecksTheToken() throws Exception {
        start(config());
        Client c = connect("u");
        String ts = nowTs();
        assertThat(c.call(server.refreshFrame("r", "u", ts, "")))
                .isEqualTo("{\"uid\":\"r\",\"method\":\"refresh\",\"body\":{\"version\":\""
                        + server.server().node().config().version() + "\",\"client\":\"" + c.id()
                        + "\",\"expires\":false,\"expired\":false,\"ttl\":0}}");
        c.send(server.refreshFrame("s", "u", "soon", ""));
        assertThat(c.awaitClose().reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void refreshWithAWrongTokenIsFatal() throws Exception {
        start(config().connectionLifetime(60));
        Client c = connect("u");
        c.send("{\"method\":\"refresh\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + nowTs() + "\",\"token\":\""
                + "0".repeat(64) + "\"}}");
        assertThat(c.awaitClose()).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));
    }

    @Test
    void anExpiryTimerDoesNothingOnceTheLifetimeIsReloadedToZero() throws Exception {
        start(config().connectionLifetime(2).expiredConnectionCloseDelay(0));
        Client c = connect("u");
        server.server().reload(server.server().node().config().toBuilder().connectionLifetime(0).build());
        // the timer fires at most 2 s after connect; a close would come before this ping's reply
        c.ws().assertNoFrame(Duration.ofMillis(3000));
        assertThat(c.call("{\"uid\":\"p\",\"method\":\"ping\"}")).isEqualTo("{\"uid\":\"p\",\"method\":\"ping\"}");
        assertThat(c.ws().isClosed()).isFalse();
    }

    @Test
    void aStaleDelayOfZeroNeverClosesUnauthenticatedConnections() throws Exception {
        start(config().staleConnectionCloseDelay(0));
        WsTestClient c = open();
        c.assertNoFrame(Duration.ofMillis(1500));
        assertThat(c.isClosed()).isFalse();
        c.send(server.connectFrame("1", "u", ""));
        assertThat(c.awaitFrame(WAIT)).startsWith("{\"uid\":\"1\",\"method\":\"connect\",\"body\":");
    }
}
