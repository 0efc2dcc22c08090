package dev.rotor.node;

import static dev.rotor.node.Frames.history;
import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.presence;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code presence} and {@code history} (client-protocol.md §5.6, §5.7), the periodic presence refresh (§5.3) and
 * {@code ping} (§5.8).
 */
class PresenceHistoryTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.presence(true).historySize(2).historyLifetime(60))
            .namespace("off", o -> { })
            .namespace("ns", o -> o.presence(true).historySize(5).historyLifetime(60))
            .start();

    private static String reply(String uid, String method, String channel, String data) {
        return json("{'uid':'" + uid + "','method':'" + method + "','body':{'channel':'" + channel + "','data':"
                + data + "}}");
    }

    private static String error(String uid, String method, String channel, String error, String advice) {
        return json("{'uid':'" + uid + "','method':'" + method + "','error':'" + error + "','advice':'" + advice
                + "','body':{'channel':'" + channel + "','data':null}}");
    }

    @Test
    void presenceListsSubscribersInTheSerialisedRendering() {
        TestClient c = node.client();
        c.connect(TestNode.connectFrame("u1", node.nowSeconds(), "{\"name\": \"A\"}"));
        c.subscribe("news");
        assertThat(c.call(presence("4", "news"))).isEqualTo(reply("4", "presence", "news", "{'" + c.clientId()
                + "':{'user':'u1','client':'" + c.clientId() + "','default_info':{'name':'A'}}}"));
    }

    @Test
    void presenceAndHistoryOfADisabledChannelAreNotAvailable() {
        TestClient c = node.subscribedClient("u1", "off:x");
        assertThat(c.call(presence("2", "off:x"))).isEqualTo(error("2", "presence", "off:x", "not available", "retry"));
        assertThat(c.call(history("3", "off:x"))).isEqualTo(error("3", "history", "off:x", "not available", "retry"));
    }

    @Test
    void historyNeedsBothASizeAndALifetime() {
        node.reconfigure(b -> b.namespace("sizeonly", dev.rotor.channel.ChannelOptions.builder().historySize(5).build())
                .namespace("lifetimeonly", dev.rotor.channel.ChannelOptions.builder().historyLifetime(5).build()));
        TestClient c = node.subscribedClient("u1", "sizeonly:x");
        c.subscribe("lifetimeonly:x");
        assertThat(c.call(history("1", "sizeonly:x")))
                .isEqualTo(error("1", "history", "sizeonly:x", "not available", "retry"));
        assertThat(c.call(history("2", "lifetimeonly:x")))
                .isEqualTo(error("2", "history", "lifetimeonly:x", "not available", "retry"));
    }

    @Test
    void presenceAndHistoryNeedASubscription() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(history("4", "nosub"))).isEqualTo(error("4", "history", "nosub", "permission denied", "fix"));
        assertThat(c.call(presence("5", "nosub"))).isEqualTo(error("5", "presence", "nosub", "permission denied", "fix"));
    }

    @Test
    void aNamespaceRemovedByAReloadIsNamespaceNotFoundWithRetry() {
        TestClient c = node.subscribedClient("u", "ns:x");
        node.reconfigure(b -> b.namespaces(Map.of()));
        assertThat(c.call(presence("2", "ns:x"))).isEqualTo(error("2", "presence", "ns:x", "namespace not found", "retry"));
        assertThat(c.call(history("3", "ns:x"))).isEqualTo(error("3", "history", "ns:x", "namespace not found", "retry"));
        assertThat(c.call(Frames.unsubscribe("5", "ns:x"))).isEqualTo(json("{'uid':'5','method':'unsubscribe',"
                + "'error':'namespace not found','advice':'fix','body':{'channel':'ns:x','status':false}}"));
    }

    @Test
    void historyIsNewestFirstAndTruncatedToSize() {
        TestClient c = node.subscribedClient("u1", "h");
        for (int i = 1; i <= 3; i++) {
            TestNode.await(node.node().publish(new Message("m" + i, "h", RawJson.of("{\"n\": " + i + "}"), null, null),
                    node.node().config().channelOptions("h")));
            c.next();
        }
        assertThat(c.call(history("5", "h"))).isEqualTo(reply("5", "history", "h",
                "[{'uid':'m3','channel':'h','data':{'n':3}},{'uid':'m2','channel':'h','data':{'n':2}}]"));
    }

    @Test
    void historyExpiresAfterItsLifetime() {
        TestClient c = node.subscribedClient("u1", "h");
        TestNode.await(node.node().publish(new Message("m1", "h", RawJson.of("1"), null, null),
                node.node().config().channelOptions("h")));
        c.next();
        node.advance(Duration.ofSeconds(59));
        assertThat(c.call(history("1", "h"))).isEqualTo(reply("1", "history", "h", "[{'uid':'m1','channel':'h','data':1}]"));
        node.advance(Duration.ofSeconds(1));
        assertThat(c.call(history("2", "h"))).isEqualTo(reply("2", "history", "h", "[]"));
    }

    @Test
    void theHistoryOfAnEmptyChannelIsAnEmptyArrayAndItsPresenceHoldsTheSubscriber() {
        TestClient c = node.subscribedClient("u1", "quiet");
        assertThat(c.call(history("2", "quiet"))).isEqualTo(reply("2", "history", "quiet", "[]"));
        assertThat(c.call(presence("3", "quiet"))).contains(c.clientId());
    }

    @Test
    void presenceIsRewrittenEveryPresencePingIntervalWithTheCurrentInfo() {
        node.reconfigure(b -> b.presencePingInterval(1).connectionLifetime(600));
        TestClient c = node.client();
        c.connect(TestNode.connectFrame("u1", node.nowSeconds(), "{\"v\":1}"));
        c.subscribe("room");
        assertThat(c.call(Frames.connect("refresh", "r", "u1", node.nowSeconds(), "{\"v\":2}")))
                .contains("\"expired\":false");
        String stale = reply("p", "presence", "room", "{'" + c.clientId() + "':{'user':'u1','client':'"
                + c.clientId() + "','default_info':{'v':1}}}");
        // the entry written at subscribe holds the old info until the periodic refresh rewrites it
        assertThat(c.call(presence("p", "room"))).isEqualTo(stale);
        node.advance(Duration.ofSeconds(1));
        assertThat(c.call(presence("p", "room"))).isEqualTo(stale.replace("{\"v\":1}", "{\"v\":2}"));
    }

    @Test
    void pingEchoesDataAndOmitsAnEmptyBody() {
        TestClient c = node.connectedClient("u1");
        assertThat(c.call(json("{'method':'ping'}"))).isEqualTo(json("{'method':'ping'}"));
        assertThat(c.call(json("{'uid':'7','method':'ping','params':{'data':''}}")))
                .isEqualTo(json("{'uid':'7','method':'ping'}"));
        assertThat(c.call(json("{'uid':'8','method':'ping','params':{'data':'hello'}}")))
                .isEqualTo(json("{'uid':'8','method':'ping','body':{'data':'hello'}}"));
        assertThat(c.closedBy(json("{'method':'ping','params':'x'}")))
                .isEqualTo(dev.rotor.protocol.Disconnect.INVALID_MESSAGE);
    }

    @Test
    void pingDataMustBeAString() {
        assertThat(node.connectedClient("u1").closedBy(json("{'method':'ping','params':{'data':1}}")))
                .isEqualTo(dev.rotor.protocol.Disconnect.INVALID_MESSAGE);
    }
}
