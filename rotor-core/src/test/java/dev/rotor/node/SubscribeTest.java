package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.subscribe;
import static dev.rotor.node.Frames.subscribeError;
import static dev.rotor.node.Frames.subscribeOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelNaming;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.protocol.Disconnect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code subscribe} and the channel rules it enforces, in v1's order (client-protocol.md §5.3 steps 1–10, §6.3 and
 * the {@code anonymous} option of §6.4).
 */
class SubscribeTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .namespace("public", o -> o.anonymous(true))
            .namespace("jl", o -> o.joinLeave(true))
            .start();

    @Test
    void anEmptyChannelIsFatal() {
        assertThat(node.connectedClient("u1").closedBy(subscribe("1", ""))).isEqualTo(Disconnect.INVALID_MESSAGE);
    }

    @Test
    void aChannelLongerThanTheLimitIsLimitExceeded() {
        node.reconfigure(b -> b.maxChannelLength(5));
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(subscribe("1", "abcdef"))).isEqualTo(subscribeError("1", "abcdef", "limit exceeded"));
        assertThat(c.call(subscribe("2", "abcde"))).isEqualTo(subscribeOk("2", "abcde"));
    }

    @Test
    void channelLengthIsCountedInUtf8Bytes() {
        node.reconfigure(b -> b.maxChannelLength(4));
        TestClient c = node.connectedClient("u1");
        // two characters, four bytes: at the limit; one more byte is over it
        assertThat(c.call(subscribe("1", "\u00e9\u00e9"))).isEqualTo(subscribeOk("1", "\u00e9\u00e9"));
        assertThat(c.call(subscribe("2", "\u00e9\u00e9a"))).isEqualTo(subscribeError("2", "\u00e9\u00e9a", "limit exceeded"));
    }

    @Test
    void theChannelLimitPrecedesTheDuplicateCheck() {
        node.reconfigure(b -> b.clientChannelLimit(1));
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(subscribe("1", "a"))).isEqualTo(subscribeOk("1", "a"));
        assertThat(c.call(subscribe("2", "b"))).isEqualTo(subscribeError("2", "b", "limit exceeded"));
        assertThat(c.call(subscribe("3", "a"))).isEqualTo(subscribeError("3", "a", "limit exceeded"));
    }

    @Test
    void theChannelLimitCountsOnlyCurrentSubscriptions() {
        node.reconfigure(b -> b.clientChannelLimit(1));
        TestClient c = node.subscribedClient("u1", "a");
        assertThat(c.call(Frames.unsubscribe("1", "a"))).isEqualTo(Frames.statusReply("1", "unsubscribe", "a", true));
        assertThat(c.call(subscribe("2", "b"))).isEqualTo(subscribeOk("2", "b"));
    }

    @Test
    void aDuplicateSubscribeIsAlreadySubscribed() {
        TestClient c = node.subscribedClient("u1", "a");
        assertThat(c.call(subscribe("2", "a"))).isEqualTo(subscribeError("2", "a", "already subscribed"));
    }

    @Test
    void userLimitedChannelsAdmitOnlyListedUsers() {
        TestClient c = node.connectedClient("42");
        assertThat(c.call(subscribe("1", "dialog#42,43"))).isEqualTo(subscribeOk("1", "dialog#42,43"));
        assertThat(c.call(subscribe("2", "dialog#41,43"))).isEqualTo(subscribeError("2", "dialog#41,43", "permission denied"));
        // the user list is what follows the last boundary
        assertThat(c.call(subscribe("3", "a#42#43"))).isEqualTo(subscribeError("3", "a#42#43", "permission denied"));
        assertThat(c.call(subscribe("4", "a#43#42"))).isEqualTo(subscribeOk("4", "a#43#42"));
    }

    @Test
    void aUserLimitedChannelWithAnEmptyPartStillNeedsAnonymousAccess() {
        TestClient c = node.connectedClient("");
        assertThat(c.call(subscribe("1", "dialog#,42"))).isEqualTo(subscribeError("1", "dialog#,42", "permission denied"));
        assertThat(c.call(subscribe("2", "public:dialog#,42"))).isEqualTo(subscribeOk("2", "public:dialog#,42"));
    }

    @Test
    void clientLimitedChannelsAdmitOnlyThatClient() {
        TestClient c = node.connectedClient("u");
        assertThat(c.call(subscribe("1", "box&" + c.clientId()))).isEqualTo(subscribeOk("1", "box\\u0026" + c.clientId()));
        assertThat(c.call(subscribe("2", "box&other"))).isEqualTo(subscribeError("2", "box\\u0026other", "permission denied"));
    }

    @Test
    void userAndClientBoundariesInOneNameCannotBothPass() {
        TestClient c = node.connectedClient("42");
        String channel = "a#42&" + c.clientId();
        assertThat(c.call(subscribe("1", channel)))
                .isEqualTo(subscribeError("1", channel.replace("&", "\\u0026"), "permission denied"));
    }

    @Test
    void anUnknownNamespaceIsNamespaceNotFound() {
        TestClient c = node.connectedClient("u");
        assertThat(c.call(subscribe("1", "nope:x"))).isEqualTo(subscribeError("1", "nope:x", "namespace not found"));
        assertThat(c.call(subscribe("2", "public:x"))).isEqualTo(subscribeOk("2", "public:x"));
        // the namespace is what precedes the first boundary, after one private prefix; ":x" is top level
        assertThat(c.call(subscribe("3", "public:x:y"))).isEqualTo(subscribeOk("3", "public:x:y"));
        assertThat(c.call(subscribe("4", "x:public:y"))).isEqualTo(subscribeError("4", "x:public:y", "namespace not found"));
        assertThat(c.call(subscribe("5", ":x"))).isEqualTo(subscribeOk("5", ":x"));
    }

    @Test
    void namespacesDoNotInheritTopLevelOptions() {
        node.reconfigure(b -> b.topLevel(ChannelOptions.builder().anonymous(true).build()));
        TestClient c = node.connectedClient("");
        assertThat(c.call(subscribe("1", "news"))).isEqualTo(subscribeOk("1", "news"));
        assertThat(c.call(subscribe("2", "jl:news"))).isEqualTo(subscribeError("2", "jl:news", "permission denied"));
    }

    @Test
    void anonymousNeedsTheOptionUnlessInsecure() {
        TestClient c = node.connectedClient("");
        assertThat(c.call(subscribe("1", "news"))).isEqualTo(subscribeError("1", "news", "permission denied"));
        assertThat(c.call(subscribe("2", "public:news"))).isEqualTo(subscribeOk("2", "public:news"));
        node.reconfigure(b -> b.insecure(true));
        assertThat(c.call(subscribe("3", "news"))).isEqualTo(subscribeOk("3", "news"));
    }

    @Test
    void insecureModeKeepsChannelLimitsAndNamespaceChecks() {
        node.reconfigure(b -> b.insecure(true).maxChannelLength(10).clientChannelLimit(1));
        TestClient c = node.client();
        c.connect(json("{'method':'connect','params':{}}"));
        assertThat(c.call(subscribe("1", "nope:x"))).isEqualTo(subscribeError("1", "nope:x", "namespace not found"));
        assertThat(c.call(subscribe("2", "a".repeat(11)))).isEqualTo(subscribeError("2", "a".repeat(11), "limit exceeded"));
        assertThat(c.call(subscribe("3", "a"))).isEqualTo(subscribeOk("3", "a"));
        assertThat(c.call(subscribe("4", "b"))).isEqualTo(subscribeError("4", "b", "limit exceeded"));
    }

    @Test
    void aPrivateChannelNeedsTheClientsSignAndStoresTheChannelInfo() {
        TestClient c = node.connectedClient("u1");
        String sign = TestNode.channelSign(c.clientId(), "$jl:secret", "{\"room\":1}");
        c.send(json("{'uid':'1','method':'subscribe','params':{'channel':'$jl:secret','client':'" + c.clientId()
                + "','info':'{\\'room\\':1}','sign':'" + sign + "'}}"));
        assertThat(c.next()).isEqualTo(json("{'method':'join','body':{'channel':'$jl:secret','data':{'channel_info':"
                + "{'room':1},'user':'u1','client':'" + c.clientId() + "'}}}"));
        assertThat(c.next()).isEqualTo(subscribeOk("1", "$jl:secret"));
    }

    @Test
    void aPrivateChannelRejectsAWrongClientOrSignEvenWhenInsecure() {
        node.reconfigure(b -> b.insecure(true));
        TestClient c = node.connectedClient("u1");
        String sign = TestNode.channelSign(c.clientId(), "$p", "");
        assertThat(c.call(json("{'uid':'1','method':'subscribe','params':{'channel':'$p','client':'other','sign':'"
                + sign + "'}}"))).isEqualTo(subscribeError("1", "$p", "permission denied"));
        assertThat(c.call(json("{'uid':'2','method':'subscribe','params':{'channel':'$p','client':'" + c.clientId()
                + "','sign':'" + "a".repeat(64) + "'}}"))).isEqualTo(subscribeError("2", "$p", "permission denied"));
        assertThat(c.call(json("{'uid':'3','method':'subscribe','params':{'channel':'$p','client':'" + c.clientId()
                + "','info':'{}','sign':'" + sign + "'}}"))).as("the sign covers the info")
                .isEqualTo(subscribeError("3", "$p", "permission denied"));
        assertThat(c.call(json("{'uid':'4','method':'subscribe','params':{'channel':'$p','client':'" + c.clientId()
                + "','sign':'" + sign + "'}}"))).isEqualTo(subscribeOk("4", "$p"));
    }

    @Test
    void publicChannelsIgnoreTheClientInfoAndSignParams() {
        TestClient c = node.connectedClient("u1");
        c.send(json("{'uid':'1','method':'subscribe','params':{'channel':'jl:news','client':'someone',"
                + "'info':'{\\'x\\':1}','sign':'bad'}}"));
        assertThat(c.next()).isEqualTo(json("{'method':'join','body':{'channel':'jl:news','data':{'user':'u1',"
                + "'client':'" + c.clientId() + "'}}}"));
        assertThat(c.next()).isEqualTo(subscribeOk("1", "jl:news"));
    }

    @Test
    void configuredBoundariesAndPrefixReplaceTheDefaults() {
        node.reconfigure(b -> b.naming(new ChannelNaming("!", "/", "@", ";", "~"))
                .namespace("ns", ChannelOptions.builder().build()));
        TestClient c = node.connectedClient("42");
        assertThat(c.call(subscribe("1", "ns/a"))).isEqualTo(subscribeOk("1", "ns/a"));
        assertThat(c.call(subscribe("2", "zz/a"))).isEqualTo(subscribeError("2", "zz/a", "namespace not found"));
        assertThat(c.call(subscribe("3", "d@41;42"))).isEqualTo(subscribeOk("3", "d@41;42"));
        assertThat(c.call(subscribe("4", "d@41;43"))).isEqualTo(subscribeError("4", "d@41;43", "permission denied"));
        assertThat(c.call(subscribe("5", "box~other"))).isEqualTo(subscribeError("5", "box~other", "permission denied"));
        assertThat(c.call(subscribe("6", "!priv"))).isEqualTo(subscribeError("6", "!priv", "permission denied"));
        assertThat(c.call(subscribe("7", "$plain"))).isEqualTo(subscribeOk("7", "$plain"));
    }

    @Test
    void anEmptyPrivatePrefixMakesEveryChannelPrivate() {
        node.reconfigure(b -> b.naming(new ChannelNaming("", ":", "#", ",", "&")));
        TestClient c = node.connectedClient("u");
        assertThat(c.call(subscribe("1", "news"))).isEqualTo(subscribeError("1", "news", "permission denied"));
    }

    @Test
    void subscribeGetsItsOwnJoinBeforeTheReply() {
        TestClient c = node.client();
        c.connect(TestNode.connectFrame("u1", node.nowSeconds(), "{\"name\": \"A\"}"));
        c.send(subscribe("2", "jl:news"));
        assertThat(c.next()).isEqualTo(json("{'method':'join','body':{'channel':'jl:news','data':{'default_info':"
                + "{'name': 'A'},'user':'u1','client':'" + c.clientId() + "'}}}"));
        assertThat(c.next()).isEqualTo(subscribeOk("2", "jl:news"));
    }

    @Test
    void theFirstLocalSubscriberSubscribesTheNodeInTheEngine() {
        TestClient a = node.subscribedClient("a", "news");
        node.subscribedClient("b", "news");
        assertThat(TestNode.await(node.memory().broker().channels())).containsExactly("news");
        a.session().close(Disconnect.DISCONNECT);
        assertThat(TestNode.await(node.memory().broker().channels())).containsExactly("news");
        assertThat(node.node().hub().subscribers("news")).hasSize(1);
    }

    @Test
    void reloadedChannelOptionsApplyToTheNextCommand() {
        TestClient c = node.connectedClient("u");
        assertThat(c.call(subscribe("1", "fresh:x"))).isEqualTo(subscribeError("1", "fresh:x", "namespace not found"));
        node.reconfigure(b -> b.namespace("fresh", ChannelOptions.builder().publish(true).build()));
        assertThat(c.call(subscribe("2", "fresh:x"))).isEqualTo(subscribeOk("2", "fresh:x"));
    }
}
