package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestClient;
import dev.rotor.node.TestNode;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.RawJson;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API {@code unsubscribe} and {@code disconnect} commands (http-api.md §4.3, §4.4): what the user's connections
 * on this node receive, what the others see, and the same commands arriving from another node as control messages.
 */
class ApiUserCommandsTest {
    private static final String OK_UNSUBSCRIBE = "[{\"method\":\"unsubscribe\",\"error\":null,\"body\":null}]";
    private static final String OK_DISCONNECT = "[{\"method\":\"disconnect\",\"error\":null,\"body\":null}]";

    /** The engine under the node; a test makes its control messages fail. */
    private FailingEngine engine;
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory)
            .namespace("jl", o -> o.joinLeave(true).presence(true))
            .engine(memory -> engine = new FailingEngine(memory)).start();
    private final ApiCalls api = new ApiCalls(node);

    private static String unsubscribePush(String channel) {
        return "{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"" + channel + "\",\"status\":true}}";
    }

    private static String leave(String channel, TestClient c, String user) {
        return "{\"method\":\"leave\",\"body\":{\"channel\":\"" + channel + "\",\"data\":{\"user\":\"" + user
                + "\",\"client\":\"" + c.clientId() + "\"}}}";
    }

    /** Subscribes to a channel with join/leave on: the client's own join comes before the reply. */
    private static void subscribeWithJoin(TestClient c, String channel) {
        c.send("{\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}");
        assertThat(c.next()).startsWith("{\"method\":\"join\"").contains(c.clientId());
        assertThat(c.next()).contains("\"status\":true").doesNotContain("\"error\"");
    }

    /** Connects {@code user} and subscribes it to {@code channel}, where {@code member} already is and sees the join. */
    private TestClient joinAfter(TestClient member, String user, String channel) {
        TestClient c = node.connectedClient(user);
        subscribeWithJoin(c, channel);
        assertThat(member.next()).startsWith("{\"method\":\"join\"").contains(c.clientId());
        return c;
    }

    private String presence(String channel) {
        return api.run("{\"method\":\"presence\",\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    @Test
    void unsubscribeRunsTheFullProcedureAndPushesToEveryConnectionOfTheUserSubscribedOrNot() {
        TestClient carol = node.connectedClient("carol");
        subscribeWithJoin(carol, "jl:one");
        TestClient subscribed = joinAfter(carol, "bob", "jl:one");
        TestClient notSubscribed = node.connectedClient("bob");

        assertThat(api.run("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"jl:one\",\"user\":\"bob\"}}"))
                .isEqualTo(OK_UNSUBSCRIBE);

        // the leave goes to the channel (bob is still in it while it is published), then the push to bob alone
        assertThat(subscribed.next()).isEqualTo(leave("jl:one", subscribed, "bob"));
        assertThat(subscribed.next()).isEqualTo(unsubscribePush("jl:one"));
        assertThat(carol.next()).isEqualTo(leave("jl:one", subscribed, "bob"));
        // v1 compat: a connection of the user that was not subscribed gets the push too
        assertThat(notSubscribed.next()).isEqualTo(unsubscribePush("jl:one"));
        assertThat(presence("jl:one")).contains(carol.clientId()).doesNotContain(subscribed.clientId());

        // the connection stays open and may subscribe again
        assertThat(subscribed.closedWith()).isNull();
        subscribeWithJoin(subscribed, "jl:one");
        assertThat(carol.next()).startsWith("{\"method\":\"join\"").contains(subscribed.clientId());
        carol.session().transportClosed();
        assertThat(subscribed.next()).isEqualTo(leave("jl:one", carol, "carol"));
    }

    @Test
    void unsubscribeWithAnEmptyChannelLeavesEveryChannel() {
        TestClient bob = node.subscribedClient("bob", "a");
        bob.subscribe("b");
        assertThat(api.run("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"\",\"user\":\"bob\"}}"))
                .isEqualTo(OK_UNSUBSCRIBE);
        assertThat(List.of(bob.next(), bob.next())).containsExactlyInAnyOrder(unsubscribePush("a"), unsubscribePush("b"));
        assertThat(api.run("{\"method\":\"channels\"}")).contains("\"data\":[]");
    }

    @Test
    void unsubscribeAndDisconnectOfAUserWithoutConnectionsSucceed() {
        TestClient other = node.subscribedClient("other", "a");
        assertThat(api.run("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"a\",\"user\":\"nobody\"}}"))
                .isEqualTo(OK_UNSUBSCRIBE);
        assertThat(api.run("{\"method\":\"disconnect\",\"params\":{\"user\":\"nobody\"}}")).isEqualTo(OK_DISCONNECT);
        other.assertNoFrame();
        assertThat(other.closedWith()).isNull();
    }

    @Test
    void disconnectClosesEveryConnectionOfTheUserWithoutReconnect() {
        TestClient first = node.subscribedClient("bob", "a");
        TestClient second = node.connectedClient("bob");
        TestClient other = node.subscribedClient("carol", "a");
        assertThat(api.run("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}")).isEqualTo(OK_DISCONNECT);
        assertThat(first.closedWith()).isEqualTo(Disconnect.DISCONNECT);
        assertThat(second.closedWith()).isEqualTo(Disconnect.DISCONNECT);
        assertThat(Disconnect.DISCONNECT.toJson()).isEqualTo("{\"reason\":\"disconnect\",\"reconnect\":false}");
        assertThat(other.closedWith()).isNull();
        assertThat(presence("a")).contains(other.clientId()).doesNotContain(first.clientId());
    }

    @Test
    void disconnectSendsLeaveToTheOthersAndTheUserMayComeBackAtOnce() {
        TestClient carol = node.connectedClient("carol");
        subscribeWithJoin(carol, "jl:room");
        TestClient bob = joinAfter(carol, "bob", "jl:room");
        api.run("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}");
        assertThat(carol.next()).isEqualTo(leave("jl:room", bob, "bob"));
        TestClient again = node.connectedClient("bob");
        assertThat(again.clientId()).isNotEqualTo(bob.clientId());
        assertThat(again.closedWith()).isNull();
    }

    @Test
    void theSameCommandsFromAnotherNodeActOnThisNodesConnections() {
        TestClient bob = node.subscribedClient("bob", "a");
        TestClient carol = node.subscribedClient("carol", "a");
        node.node().onControl(new ControlMessage("another-node", "unsubscribe",
                RawJson.of("{\"channel\":\"a\",\"user\":\"bob\"}")));
        assertThat(bob.next()).isEqualTo(unsubscribePush("a"));
        node.node().onControl(new ControlMessage("another-node", "disconnect", RawJson.of("{\"user\":\"carol\"}")));
        assertThat(carol.closedWith()).isEqualTo(Disconnect.DISCONNECT);
        assertThat(bob.closedWith()).isNull();
    }

    @Test
    void aControlMessageThatCannotBePublishedIsInternalServerErrorAfterThisNodeActed() {
        TestClient bob = node.subscribedClient("bob", "a");
        engine.failControl();
        assertThat(api.run("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"a\",\"user\":\"bob\"}}"))
                .isEqualTo("[{\"method\":\"unsubscribe\",\"error\":\"internal server error\",\"body\":null}]");
        assertThat(bob.next()).isEqualTo(unsubscribePush("a"));
        assertThat(api.run("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}"))
                .isEqualTo("[{\"method\":\"disconnect\",\"error\":\"internal server error\",\"body\":null}]");
        assertThat(bob.closedWith()).isEqualTo(Disconnect.DISCONNECT);
    }
}
