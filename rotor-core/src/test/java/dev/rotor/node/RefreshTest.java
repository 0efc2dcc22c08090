package dev.rotor.node;

import static dev.rotor.node.Frames.connect;
import static dev.rotor.node.Frames.connectReply;
import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.presence;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code refresh} (client-protocol.md §5.2): the token check, the new expiry and the replaced info. */
class RefreshTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(o -> o.presence(true)).start();

    private long now() {
        return node.nowSeconds();
    }

    @Test
    void refreshExtendsTheConnectionAndReplacesInfo() {
        node.reconfigure(b -> b.connectionLifetime(2).expiredConnectionCloseDelay(0));
        TestClient c = node.client();
        c.connect(connect("connect", "c", "u", now(), "{\"v\":1}"));
        assertThat(c.call(connect("refresh", "r", "u", now() + 60, "{\"v\":2}")))
                .isEqualTo(connectReply("r", "refresh", c.clientId(), true, false, 2));
        c.subscribe("room");
        node.advance(Duration.ofSeconds(61));
        assertThat(c.closedWith()).as("open after the original lifetime").isNull();
        assertThat(c.call(presence("p", "room"))).contains("\"default_info\":{\"v\":2}");
        node.advance(Duration.ofSeconds(1));
        assertThat(c.closedWith()).as("closed at the refreshed deadline").isEqualTo(Disconnect.EXPIRED);
    }

    @Test
    void refreshWithEmptyInfoKeepsTheOldInfo() {
        node.reconfigure(b -> b.connectionLifetime(60));
        TestClient c = node.client();
        c.connect(connect("connect", "c", "u", now(), "{\"v\":1}"));
        assertThat(c.call(connect("refresh", "r", "u", now(), ""))).contains("\"expired\":false");
        c.subscribe("room");
        assertThat(c.call(presence("p", "room"))).contains("\"default_info\":{\"v\":1}");
    }

    @Test
    void refreshWithAnOldTimestampReportsExpiredAndChangesNothing() {
        node.reconfigure(b -> b.connectionLifetime(60).expiredConnectionCloseDelay(0));
        TestClient c = node.connectedClient("u");
        assertThat(c.call(connect("refresh", "r", "u", now() - 120, "")))
                .isEqualTo(connectReply("r", "refresh", c.clientId(), true, true, 60));
        // the connect's expiry timer still closes the connection on time
        node.advance(Duration.ofSeconds(60));
        assertThat(c.closedWith()).isEqualTo(Disconnect.EXPIRED);
    }

    @Test
    void refreshChecksTheTokenEvenInInsecureMode() {
        node.reconfigure(b -> b.insecure(true));
        TestClient c = node.client();
        c.connect(json("{'method':'connect','params':{}}"));
        assertThat(c.closedBy(json("{'method':'refresh','params':{}}"))).isEqualTo(Disconnect.INVALID_TOKEN);
    }

    @Test
    void refreshWithAWrongTokenIsFatal() {
        node.reconfigure(b -> b.connectionLifetime(60));
        TestClient c = node.connectedClient("u");
        assertThat(c.closedBy(json("{'method':'refresh','params':{'user':'u','timestamp':'" + now() + "','token':'"
                + "0".repeat(64) + "'}}"))).isEqualTo(Disconnect.INVALID_TOKEN);
    }

    @Test
    void refreshDoesNotCompareTheUser() {
        node.reconfigure(b -> b.connectionLifetime(60));
        TestClient c = node.connectedClient("alice");
        assertThat(c.call(connect("refresh", "r", "mallory", now(), "")))
                .isEqualTo(connectReply("r", "refresh", c.clientId(), true, false, 60));
        assertThat(c.session().user()).isEqualTo("alice");
    }

    @Test
    void refreshWithoutALifetimeOnlyChecksTheToken() {
        TestClient c = node.connectedClient("u");
        assertThat(c.call(connect("refresh", "r", "u", now(), "")))
                .isEqualTo(connectReply("r", "refresh", c.clientId(), false, false, 0));
        assertThat(c.closedBy(json("{'method':'refresh','params':{'user':'u','timestamp':'soon','token':'"
                + dev.rotor.auth.Hmac.clientToken(TestNode.SECRET, "u", "soon", "") + "'}}")))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void everyRefreshReplacesTheExpiryTimerInsteadOfAddingOne() {
        node.reconfigure(b -> b.connectionLifetime(60));
        TestClient c = node.connectedClient("u");
        int pending = node.scheduler().pendingCount();
        for (int i = 0; i < 100; i++) {
            assertThat(c.call(connect("refresh", "", "u", now() + i, ""))).contains("\"expired\":false");
        }
        assertThat(node.scheduler().pendingCount()).isEqualTo(pending);
    }
}
