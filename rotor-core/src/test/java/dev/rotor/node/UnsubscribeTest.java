package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.presence;
import static dev.rotor.node.Frames.statusReply;
import static dev.rotor.node.Frames.subscribeOk;
import static dev.rotor.node.Frames.unsubscribe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Leaving channels: client {@code unsubscribe} (client-protocol.md §5.4), the {@code leave} and {@code unsubscribe}
 * pushes (§8) and what a close undoes (§3 "What happens on close").
 */
class UnsubscribeTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(o -> o.joinLeave(true).presence(true)).start();

    private String leave(String channel, TestClient who, String user) {
        return json("{'method':'leave','body':{'channel':'" + channel + "','data':{'user':'" + user + "','client':'"
                + who.clientId() + "'}}}");
    }

    private static String unsubscribePush(String channel) {
        return json("{'method':'unsubscribe','body':{'channel':'" + channel + "','status':true}}");
    }

    @Test
    void unsubscribeSendsTheOwnLeaveBeforeTheReply() {
        TestClient c = node.subscribedClient("u1", "news");
        c.send(unsubscribe("2", "news"));
        assertThat(c.next()).isEqualTo(leave("news", c, "u1"));
        assertThat(c.next()).isEqualTo(statusReply("2", "unsubscribe", "news", true));
        assertThat(c.session().channels()).isEmpty();
        assertThat(TestNode.await(node.memory().broker().channels())).isEmpty();
    }

    @Test
    void unsubscribeWhenNotSubscribedStillSucceeds() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(unsubscribe("2", "x"))).isEqualTo(statusReply("2", "unsubscribe", "x", true));
    }

    @Test
    void anUnknownNamespaceIsAResponseErrorAndAnEmptyChannelIsFatal() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(unsubscribe("3", "no:x"))).isEqualTo(json("{'uid':'3','method':'unsubscribe',"
                + "'error':'namespace not found','advice':'fix','body':{'channel':'no:x','status':false}}"));
        assertThat(c.closedBy(unsubscribe("4", ""))).isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void unsubscribeRemovesPresence() {
        TestClient a = node.subscribedClient("a", "room");
        TestClient b = node.subscribedClient("b", "room");
        assertThat(a.next()).contains("\"method\":\"join\"");
        b.send(unsubscribe("1", "room"));
        assertThat(b.next()).isEqualTo(leave("room", b, "b"));
        assertThat(b.next()).isEqualTo(statusReply("1", "unsubscribe", "room", true));
        assertThat(a.next()).isEqualTo(leave("room", b, "b"));
        assertThat(TestNode.await(node.memory().presenceStore().presence("room"))).containsOnlyKeys(a.clientId());
    }

    @Test
    void closingAConnectionSendsLeaveToTheOthersAndRemovesPresence() {
        TestClient a = node.subscribedClient("a", "room");
        TestClient b = node.subscribedClient("b", "room");
        assertThat(a.next()).contains("\"method\":\"join\"").contains(b.clientId());
        b.session().transportClosed();
        assertThat(a.next()).isEqualTo(leave("room", b, "b"));
        assertThat(a.call(presence("p", "room"))).doesNotContain(b.clientId());
        assertThat(b.closedWith()).as("a client close sends no advice").isNull();
        assertThat(node.node().hub().numClients()).isEqualTo(1);
    }

    @Test
    void anApiUnsubscribePushesToEveryConnectionOfTheUser() {
        TestClient subscribed = node.subscribedClient("bob", "one");
        TestClient notSubscribed = node.connectedClient("bob");
        TestClient other = node.subscribedClient("alice", "one");
        assertThat(subscribed.next()).contains("\"method\":\"join\"");
        assertThat(node.api(json("{'method':'unsubscribe','params':{'channel':'one','user':'bob'}}")))
                .isEqualTo(json("[{'method':'unsubscribe','error':null,'body':null}]"));
        assertThat(subscribed.next()).isEqualTo(leave("one", subscribed, "bob"));
        assertThat(subscribed.next()).isEqualTo(unsubscribePush("one"));
        assertThat(notSubscribed.next()).isEqualTo(unsubscribePush("one"));
        assertThat(other.next()).isEqualTo(leave("one", subscribed, "bob"));
        // the user may subscribe again at once
        subscribed.send(Frames.subscribe("2", "one"));
        assertThat(subscribed.next()).contains("\"method\":\"join\"");
        assertThat(subscribed.next()).isEqualTo(subscribeOk("2", "one"));
        assertThat(other.next()).contains("\"method\":\"join\"");
    }

    @Test
    void anApiUnsubscribeWithAnEmptyChannelLeavesEveryChannel() {
        node.reconfigure(b -> b.topLevel(dev.rotor.channel.ChannelOptions.NONE));
        TestClient c = node.subscribedClient("bob", "a");
        c.subscribe("b");
        node.api(json("{'method':'unsubscribe','params':{'channel':'','user':'bob'}}"));
        assertThat(List.of(c.next(), c.next())).containsExactlyInAnyOrder(unsubscribePush("a"), unsubscribePush("b"));
        assertThat(c.session().channels()).isEmpty();
    }

    @Test
    void anApiDisconnectSendsLeaveToTheOthersAndTheUserMayComeBackAtOnce() {
        TestClient a = node.subscribedClient("a", "room");
        TestClient b = node.subscribedClient("b", "room");
        assertThat(a.next()).contains("\"method\":\"join\"").contains(b.clientId());
        node.api(json("{'method':'disconnect','params':{'user':'b'}}"));
        assertThat(b.closedWith()).isEqualTo(Disconnect.DISCONNECT);
        assertThat(a.next()).isEqualTo(leave("room", b, "b"));
        assertThat(node.connectedClient("b").clientId()).isNotEqualTo(b.clientId());
    }
}
