package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The fixture ladder itself: each rung leaves the client where it says, and time passes only when told. */
class TestNodeTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().config(b -> b.staleConnectionCloseDelay(10)).start();

    @Test
    void eachRungLeavesTheClientOneStepFurther() {
        TestClient opened = node.client();
        assertThat(opened.session().isAuthenticated()).isFalse();

        TestClient connected = node.connectedClient("42");
        assertThat(connected.session().isAuthenticated()).isTrue();
        assertThat(connected.session().user()).isEqualTo("42");

        TestClient subscribed = node.subscribedClient("42", "news");
        assertThat(subscribed.session().channels()).containsExactly("news");
        assertThat(node.node().hub().subscribers("news")).containsExactly(subscribed.session());
    }

    @Test
    void aTimerFiresOnlyWhenTheTestLetsTimePass() {
        TestClient client = node.client();
        node.advance(Duration.ofMillis(9_999));
        assertThat(client.closedWith()).isNull();
        node.advance(Duration.ofMillis(1));
        assertThat(client.closedWith()).isEqualTo(Disconnect.STALE);
    }

    @Test
    void reconfiguringAppliesToConnectionsOpenedLater() {
        node.reconfigure(b -> b.clientChannelLimit(1));
        TestClient client = node.subscribedClient("42", "a");
        assertThat(client.call(TestClient.subscribeFrame("b")))
                .isEqualTo("{\"method\":\"subscribe\",\"error\":\"limit exceeded\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"b\",\"status\":false,\"last\":\"\",\"messages\":null,"
                        + "\"recovered\":false}}");
    }
}
