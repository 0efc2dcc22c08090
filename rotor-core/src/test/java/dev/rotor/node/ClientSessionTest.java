package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Counter;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.transport.RecordingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The node and client sessions without sockets, through {@link RecordingTransport}. */
class ClientSessionTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .config(b -> b.staleConnectionCloseDelay(1).clientQueueMaxSize(1000))
            .topLevel(o -> o.publish(true))
            .start();

    private void publish(String channel) {
        TestNode.await(node.node().publish(new Message("m1", channel, RawJson.of("{\"a\":1}"), null, null),
                ChannelOptions.NONE));
    }

    @Test
    void aPublicationIsEncodedOnceAndTheSameBytesGoToEverySubscriber() throws Exception {
        TestClient[] clients = {node.subscribedClient("u", "news"), node.subscribedClient("u", "news"),
                node.subscribedClient("u", "news")};
        publish("news");
        byte[] first = clients[0].transport().nextRaw();
        assertThat(new String(first, StandardCharsets.UTF_8))
                .isEqualTo("{\"method\":\"message\",\"body\":{\"uid\":\"m1\",\"channel\":\"news\",\"data\":{\"a\":1}}}");
        assertThat(clients[1].transport().nextRaw()).isSameAs(first);
        assertThat(clients[2].transport().nextRaw()).isSameAs(first);
    }

    @Test
    void aClientWhoseQueueIsFullIsDisconnectedAsSlow() {
        TestClient c = node.subscribedClient("u", "news");
        c.transport().setQueuedBytes(990);
        publish("news");
        assertThat(c.closedWith()).isEqualTo(Disconnect.SLOW);
        assertThat(c.session().isClosed()).isTrue();
        assertThat(node.node().hub().subscribers("news")).isEmpty();
    }

    @Test
    void closingUnsubscribesAndLeavesTheRegistry() {
        TestClient c = node.subscribedClient("u", "news");
        assertThat(node.node().hub().numClients()).isEqualTo(1);
        c.session().close(Disconnect.DISCONNECT);
        assertThat(c.closedWith()).isEqualTo(Disconnect.DISCONNECT);
        assertThat(node.node().hub().numClients()).isZero();
        assertThat(node.node().hub().numChannels()).isZero();
        assertThat(node.node().openSessionCount()).isZero();
        assertThat(TestNode.await(node.memory().broker().channels())).isEmpty();
    }

    @Test
    void anUnauthenticatedSessionIsClosedAsStale() {
        TestClient c = node.client();
        node.advance(Duration.ofMillis(999));
        assertThat(c.closedWith()).isNull();
        node.advance(Duration.ofMillis(1));
        assertThat(c.closedWith()).isEqualTo(Disconnect.STALE);
    }

    @Test
    void framesAndBytesAreCounted() {
        node.subscribedClient("u", "news");
        assertThat(node.node().metrics().count(Counter.CLIENT_API_NUM_REQUESTS)).isEqualTo(2);
        assertThat(node.node().metrics().count(Counter.CLIENT_NUM_CONNECT)).isEqualTo(1);
        assertThat(node.node().metrics().count(Counter.CLIENT_NUM_SUBSCRIBE)).isEqualTo(1);
        assertThat(node.node().metrics().count(Counter.CLIENT_BYTES_IN)).isPositive();
        assertThat(node.node().metrics().count(Counter.CLIENT_NUM_MSG_QUEUED)).isEqualTo(2);
    }
}
