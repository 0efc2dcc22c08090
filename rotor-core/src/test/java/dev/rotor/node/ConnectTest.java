package dev.rotor.node;

import static dev.rotor.node.Frames.connect;
import static dev.rotor.node.Frames.connectReply;
import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.Hmac;
import dev.rotor.metrics.Counter;
import dev.rotor.protocol.Disconnect;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connection lifecycle up to and including {@code connect} (client-protocol.md §3, §4 and §5.1): the stale
 * timer, what is allowed before connect, the v1 token, the user connection limit and connection expiry.
 */
class ConnectTest {
    @RegisterExtension
    final TestNode node = TestNode.start();

    private long now() {
        return node.nowSeconds();
    }

    @Test
    void connectRepliesWithEveryFieldAndAVersion4Uuid() {
        TestClient c = node.client();
        String reply = c.call(connect("connect", "1", "u1", now(), "{\"name\":\"A\"}"));
        assertThat(reply).isEqualTo(connectReply("1", "connect", c.clientId(), false, false, 0));
        assertThat(c.clientId()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(node.client().clientId()).isNotEqualTo(c.clientId());
    }

    @Test
    void everyCommandBeforeConnectIsUnauthorizedEvenPingAndUnknownOnes() {
        for (String frame : new String[] {"{'uid':'1','method':'ping'}", "{'method':'nope'}",
                "{'method':'subscribe','params':{'channel':'news'}}", "{'method':'refresh','params':{}}"}) {
            assertThat(node.client().closedBy(json(frame))).as(frame).isEqualTo(Disconnect.UNAUTHORIZED);
        }
    }

    @Test
    void aSecondConnectIsInvalidMessage() {
        assertThat(node.connectedClient("u1").closedBy(connect("connect", "2", "u1", now(), "")))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void aWrongTokenIsFatalInvalidToken() {
        String signed = connect("connect", "", "u", now(), "");
        String token = signed.replaceAll(".*\"token\":\"([0-9a-f]{64})\".*", "$1");
        for (String wrong : new String[] {"0".repeat(64), token.toUpperCase(), token.substring(1), token + "0", ""}) {
            assertThat(node.client().closedBy(signed.replace(token, wrong))).as(wrong)
                    .isEqualTo(Disconnect.INVALID_TOKEN);
        }
        // the token covers user, timestamp and info: changing any of them breaks it
        assertThat(node.client().closedBy(signed.replace("\"user\":\"u\"", "\"user\":\"v\"")))
                .isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(node.client().closedBy(signed.replace("\"info\":\"\"", "\"info\":\"{}\"")))
                .isEqualTo(Disconnect.INVALID_TOKEN);
    }

    @Test
    void anEmptySecretIsALegalKey() {
        node.reconfigure(b -> b.secret(""));
        String ts = Long.toString(now());
        TestClient c = node.client();
        c.connect(json("{'method':'connect','params':{'user':'u','timestamp':'" + ts + "','token':'"
                + Hmac.clientToken("", "u", ts, "") + "'}}"));
        assertThat(c.session().isAuthenticated()).isTrue();
    }

    @Test
    void aCorrectlySignedNonNumericTimestampIsInvalidMessage() {
        assertThat(node.client().closedBy(json("{'method':'connect','params':{'user':'u','timestamp':'abc','token':'"
                + Hmac.clientToken(TestNode.SECRET, "u", "abc", "") + "'}}"))).isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void aTimestampInTheFutureIsAccepted() {
        TestClient c = node.client();
        c.connect(connect("connect", "1", "u", now() + 86_400, ""));
        assertThat(c.session().isAuthenticated()).isTrue();
    }

    @Test
    void infoThatIsNotJsonIsRejectedAtConnect() {
        assertThat(node.client().closedBy(connect("connect", "1", "u", now(), "not json")))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void insecureModeConnectsWithoutTokenOrTimestamp() {
        node.reconfigure(b -> b.insecure(true));
        TestClient c = node.client();
        assertThat(c.call(json("{'uid':'1','method':'connect','params':{'user':'anyone','timestamp':'x'}}")))
                .isEqualTo(connectReply("1", "connect", c.clientId(), false, false, 0));
        assertThat(c.session().user()).isEqualTo("anyone");
    }

    @Test
    void userConnectionLimitIsPerUserAndSparesAnonymous() {
        node.reconfigure(b -> b.userConnectionLimit(1));
        TestClient first = node.connectedClient("u1");
        assertThat(node.client().closedBy(connect("connect", "2", "u1", now(), "")))
                .isEqualTo(Disconnect.LIMIT_EXCEEDED);
        node.connectedClient("u2");
        node.connectedClient("");
        node.connectedClient("");
        first.session().close(Disconnect.DISCONNECT);
        node.connectedClient("u1");
    }

    @Test
    void onlyAuthenticatedConnectionsCountTowardsTheUserLimit() {
        node.reconfigure(b -> b.userConnectionLimit(1).connectionLifetime(10));
        TestClient expired = node.client();
        assertThat(expired.call(connect("connect", "1", "u1", now() - 100, ""))).contains("\"expired\":true");
        node.connectedClient("u1");
    }

    @Test
    void unauthenticatedConnectionsAreClosedAsStaleAfterTheDelay() {
        TestClient c = node.client();
        node.advance(Duration.ofMillis(24_999));
        assertThat(c.closedWith()).isNull();
        node.advance(Duration.ofMillis(1));
        assertThat(c.closedWith()).isEqualTo(Disconnect.STALE);
        assertThat(node.node().openSessionCount()).isZero();
    }

    @Test
    void aConnectedClientIsNeverClosedAsStale() {
        TestClient c = node.connectedClient("u");
        node.advance(Duration.ofMinutes(1));
        assertThat(c.closedWith()).isNull();
    }

    @Test
    void aStaleDelayOfZeroNeverClosesUnauthenticatedConnections() {
        node.reconfigure(b -> b.staleConnectionCloseDelay(0));
        TestClient c = node.client();
        node.advance(Duration.ofMinutes(2));
        assertThat(c.closedWith()).isNull();
        c.connect(connect("connect", "1", "u", now(), ""));
    }

    @Test
    void anExpiredConnectLeavesTheConnectionOpenButUnauthenticated() {
        node.reconfigure(b -> b.connectionLifetime(10));
        TestClient c = node.client();
        assertThat(c.call(connect("connect", "1", "u", now() - 100, "")))
                .isEqualTo(connectReply("1", "connect", "", true, true, 10));
        assertThat(c.session().isAuthenticated()).isFalse();
        assertThat(node.node().hub().numClients()).isZero();
        assertThat(c.call(connect("connect", "2", "u", now(), "")))
                .isEqualTo(connectReply("2", "connect", c.clientId(), true, false, 10));
    }

    @Test
    void afterAnExpiredConnectOtherCommandsAreUnauthorized() {
        node.reconfigure(b -> b.connectionLifetime(10));
        TestClient c = node.client();
        assertThat(c.call(connect("connect", "1", "u", now() - 10, ""))).contains("\"expired\":true");
        assertThat(c.closedBy(json("{'method':'ping'}"))).isEqualTo(Disconnect.UNAUTHORIZED);
    }

    @Test
    void anExpiredConnectDoesNotRestartTheStaleTimer() {
        node.reconfigure(b -> b.connectionLifetime(10).staleConnectionCloseDelay(3));
        TestClient c = node.client();
        node.advance(Duration.ofSeconds(2));
        assertThat(c.call(connect("connect", "1", "u", now() - 100, ""))).contains("\"expired\":true");
        node.advance(Duration.ofSeconds(1));
        assertThat(c.closedWith()).isEqualTo(Disconnect.STALE);
    }

    @Test
    void aConnectionExpiresAfterItsTimeLeftPlusTheCloseDelay() {
        node.reconfigure(b -> b.connectionLifetime(2).expiredConnectionCloseDelay(1));
        TestClient c = node.client();
        assertThat(c.call(connect("connect", "1", "u", now() - 1, "")))
                .isEqualTo(connectReply("1", "connect", c.clientId(), true, false, 2));
        node.advance(Duration.ofMillis(1999));
        assertThat(c.closedWith()).isNull();
        node.advance(Duration.ofMillis(1));
        assertThat(c.closedWith()).isEqualTo(Disconnect.EXPIRED);
        assertThat(Disconnect.EXPIRED.reconnect()).isTrue();
        assertThat(node.node().hub().numClients()).isZero();
    }

    @Test
    void anExpiryTimerDoesNothingOnceTheLifetimeIsReloadedToZero() {
        node.reconfigure(b -> b.connectionLifetime(2).expiredConnectionCloseDelay(0));
        TestClient c = node.connectedClient("u");
        node.reconfigure(b -> b.connectionLifetime(0));
        node.advance(Duration.ofSeconds(10));
        assertThat(c.closedWith()).isNull();
        assertThat(c.call(json("{'uid':'p','method':'ping'}"))).isEqualTo(json("{'uid':'p','method':'ping'}"));
    }

    @Test
    void insecureModeAnnouncesTheLifetimeButNeverExpires() {
        node.reconfigure(b -> b.insecure(true).connectionLifetime(1).expiredConnectionCloseDelay(0));
        TestClient c = node.client();
        assertThat(c.call(json("{'method':'connect','params':{'user':'u'}}")))
                .isEqualTo(connectReply("", "connect", c.clientId(), true, false, 1));
        node.advance(Duration.ofMinutes(2));
        assertThat(c.closedWith()).isNull();
    }

    @Test
    void aClosedSessionLeavesNoTimerBehind() {
        node.reconfigure(b -> b.connectionLifetime(60));
        int idle = node.scheduler().pendingCount();
        TestClient opened = node.client();
        assertThat(node.scheduler().pendingCount()).as("the stale timer").isEqualTo(idle + 1);
        opened.connect(connect("connect", "1", "u", now(), ""));
        assertThat(node.scheduler().pendingCount()).as("the expiry timer instead").isEqualTo(idle + 1);
        opened.session().transportClosed();
        TestClient stale = node.client();
        stale.session().close(Disconnect.DISCONNECT);
        assertThat(node.scheduler().pendingCount()).isEqualTo(idle);
    }

    @Test
    void aSessionClosedBetweenItsAuthenticationAndItsRegistrationIsNotKept() {
        ClientSession session = node.client().session();
        assertThat(session.authenticate("bob", now(), null, 0, 0)).isTrue();
        session.transportClosed(); // e.g. the peer's close on another thread: its clean-up runs before the registration
        assertThat(node.node().addClient(session, 0)).isTrue();
        assertThat(node.node().hub().userConnectionCount("bob")).as("a closed session kept for good").isZero();
    }

    @Test
    void aConnectRefusedByTheUserLimitAfterAuthenticatingCountsNoRemoval() {
        ClientSession first = node.client().session();
        assertThat(first.authenticate("bob", now(), null, 0, 0)).isTrue();
        assertThat(node.node().addClient(first, 1)).isTrue();
        // a second connect of the user passed the early check before the first was registered, and is refused here
        ClientSession second = node.client().session();
        assertThat(second.authenticate("bob", now(), null, 0, 0)).isTrue();
        long added = node.node().metrics().count(Counter.NODE_NUM_ADD_CLIENT_CONN);
        long removed = node.node().metrics().count(Counter.NODE_NUM_REMOVE_CLIENT_CONN);
        assertThat(node.node().addClient(second, 1)).isFalse();
        second.close(Disconnect.LIMIT_EXCEEDED);
        assertThat(node.node().metrics().count(Counter.NODE_NUM_ADD_CLIENT_CONN)).isEqualTo(added);
        assertThat(node.node().metrics().count(Counter.NODE_NUM_REMOVE_CLIENT_CONN))
                .as("a removal counted for a connection never added").isEqualTo(removed);
        assertThat(node.node().hub().userConnectionCount("bob")).isEqualTo(1);
    }
}
