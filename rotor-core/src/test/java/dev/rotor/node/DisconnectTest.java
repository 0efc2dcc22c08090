package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.RawJson;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Server-initiated closes and their advice (client-protocol.md §9) and the slow-client queue limit (§10).
 */
class DisconnectTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(o -> o.publish(true)).start();

    private void publish(String channel, String data) {
        TestNode.await(node.node().publish(new Message("m", channel, RawJson.of(data), null, null),
                node.node().config().channelOptions(channel)));
    }

    @Test
    void theAdviceIsReasonThenReconnectWithoutSpaces() {
        assertThat(Disconnect.INVALID_TOKEN.toJson()).isEqualTo("{\"reason\":\"invalid token\",\"reconnect\":false}");
        assertThat(Disconnect.SHUTDOWN.toJson()).isEqualTo("{\"reason\":\"shutting down\",\"reconnect\":true}");
        assertThat(Disconnect.DEFAULT.toJson()).isEqualTo("{\"reason\":\"\",\"reconnect\":true}");
    }

    @Test
    void onlyAnInternalServerErrorAdvisesToReconnect() {
        for (ProtocolError error : ProtocolError.values()) {
            Disconnect d = Disconnect.forError(error);
            assertThat(d.reason()).isEqualTo(error.text());
            assertThat(d.reconnect()).as(error.text()).isEqualTo(error == ProtocolError.INTERNAL_SERVER_ERROR);
        }
    }

    @Test
    void eachCauseClosesWithV1sReasonAndReconnectFlag() {
        assertThat(node.client().closedBy(json("{'method':'ping'}"))).isEqualTo(new Disconnect("unauthorized", false));
        assertThat(node.connectedClient("u").closedBy("{")).isEqualTo(new Disconnect("invalid message", false));
        assertThat(node.connectedClient("u").closedBy(json("{'method':'x'}")))
                .isEqualTo(new Disconnect("method not found", false));
        assertThat(node.client().closedBy(json("{'method':'connect','params':{'token':'x'}}")))
                .isEqualTo(new Disconnect("invalid token", false));
        TestClient slow = node.subscribedClient("u", "news");
        slow.transport().setQueuedBytes(node.node().config().clientQueueMaxSize());
        publish("news", "1");
        assertThat(slow.closedWith()).isEqualTo(new Disconnect("slow", false));
        TestClient bob = node.connectedClient("bob");
        TestNode.await(node.node().disconnectUser("bob"));
        assertThat(bob.closedWith()).isEqualTo(new Disconnect("disconnect", false));
    }

    @Test
    void shutdownClosesConnectedClientsWithShuttingDown() {
        TestClient c = node.subscribedClient("u", "news");
        node.node().shutdown();
        assertThat(c.closedWith()).isEqualTo(new Disconnect("shutting down", true));
        assertThat(node.node().hub().numClients()).isZero();
    }

    @Test
    void lostEngineSubscriptionsCloseTheirSubscribersWithReconnect() {
        TestClient lost = node.subscribedClient("u", "news");
        TestClient kept = node.subscribedClient("u", "sport");
        node.node().onSubscriptionsLost(Set.of("news"));
        assertThat(lost.closedWith()).isEqualTo(new Disconnect("subscriptions lost", true));
        assertThat(kept.closedWith()).isNull();
    }

    @Test
    void aMessageThatOverflowsTheQueueClosesTheClientAsSlowAndIsNotWritten() {
        node.reconfigure(b -> b.clientQueueMaxSize(300));
        TestClient c = node.subscribedClient("u1", "big");
        publish("big", "\"" + "x".repeat(400) + "\"");
        assertThat(c.closedWith()).isEqualTo(Disconnect.SLOW);
        c.assertNoFrame();
        assertThat(node.node().hub().subscribers("big")).isEmpty();
        assertThat(node.node().hub().numClients()).isZero();
    }

    @Test
    void theQueueLimitCountsTheQueuedBytesPlusTheNewFrame() {
        node.reconfigure(b -> b.clientQueueMaxSize(1000));
        TestClient c = node.subscribedClient("u1", "news");
        String data = "1";
        int frame = ("{\"method\":\"message\",\"body\":{\"uid\":\"m\",\"channel\":\"news\",\"data\":" + data + "}}")
                .length();
        c.transport().setQueuedBytes(1000 - frame);
        publish("news", data);
        assertThat(c.next()).as("exactly at the limit").endsWith("\"data\":1}}");
        c.transport().setQueuedBytes(1000 - frame + 1);
        publish("news", data);
        assertThat(c.closedWith()).as("one byte past it").isEqualTo(Disconnect.SLOW);
    }

    @Test
    void aReplyThatOverflowsTheQueueClosesTheClientToo() {
        node.reconfigure(b -> b.clientQueueMaxSize(150));
        TestClient c = node.connectedClient("u1");
        c.send(json("{'method':'ping','params':{'data':'") + "x".repeat(150) + json("'}}"));
        assertThat(c.closedWith()).isEqualTo(Disconnect.SLOW);
        c.assertNoFrame();
    }

    @Test
    void theQueueLimitIsFixedWhenTheConnectionOpens() {
        TestClient before = node.subscribedClient("u1", "news");
        node.reconfigure(b -> b.clientQueueMaxSize(10));
        publish("news", "1");
        assertThat(before.next()).endsWith("\"data\":1}}");
        assertThat(before.closedWith()).isNull();
    }
}
