package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.node.TestClient;
import dev.rotor.node.TestNode;
import dev.rotor.protocol.Disconnect;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the API queries answer once clients are connected and subscribed (http-api.md §4.5–§4.7, and the v2
 * dialect's presence, history and info): presence keyed by client id in the serialised rendering, history of
 * client publications with their info, and channels with a local subscriber.
 */
class ApiSubscribersTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.presence(true).historySize(5).historyLifetime(60).publish(true).anonymous(true))
            .namespace("public", o -> { }).start();
    private final ApiCalls api = new ApiCalls(node);

    /** A connection of {@code user} connected with {@code info} in its token, subscribed to {@code channel}. */
    private TestClient subscribedWithInfo(String user, String info, String channel) {
        TestClient c = node.client();
        c.connect(TestNode.connectFrame(user, node.nowSeconds(), info));
        c.subscribe(channel);
        return c;
    }

    private String query(String method, String channel) {
        return api.run("{\"method\":\"" + method + "\",\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    @Test
    void presenceIsKeyedByClientIdInTheSerialisedRendering() {
        TestClient a = subscribedWithInfo("42", "{\"name\": \"A\"}", "chat");
        TestClient p = node.connectedClient("7");
        String channel = "$private";
        String sign = TestNode.channelSign(p.clientId(), channel, "{\"room\": 1}");
        assertThat(p.call("{\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\",\"client\":\""
                + p.clientId() + "\",\"info\":\"{\\\"room\\\": 1}\",\"sign\":\"" + sign + "\"}}")).contains("\"status\":true");

        assertThat(query("presence", "chat")).isEqualTo("[{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":"
                + "\"chat\",\"data\":{\"" + a.clientId() + "\":{\"user\":\"42\",\"client\":\"" + a.clientId()
                + "\",\"default_info\":{\"name\":\"A\"}}}}}]");
        assertThat(query("presence", channel)).isEqualTo("[{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":"
                + "\"$private\",\"data\":{\"" + p.clientId() + "\":{\"user\":\"7\",\"client\":\"" + p.clientId()
                + "\",\"channel_info\":{\"room\":1}}}}}]");
    }

    @Test
    void historyKeepsAClientPublicationWithItsClientAndInfo() {
        TestClient c = subscribedWithInfo("7", "{\"n\": 1}", "room");
        c.send("{\"uid\":\"p\",\"method\":\"publish\",\"params\":{\"channel\":\"room\",\"data\":{\"x\": 1}}}");
        String push = c.next();
        assertThat(c.next()).contains("\"uid\":\"p\",\"method\":\"publish\"");
        String uid = uid(push);
        assertThat(query("history", "room")).isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":"
                + "\"room\",\"data\":[{\"uid\":\"" + uid + "\",\"channel\":\"room\",\"data\":{\"x\":1},\"client\":\""
                + c.clientId() + "\",\"info\":{\"user\":\"7\",\"client\":\"" + c.clientId()
                + "\",\"default_info\":{\"n\":1}}}]}}]");
        assertThat(api.v2("history", "{\"channel\":\"room\"}")).isEqualTo("{\"result\":{\"publications\":[{\"data\":"
                + "{\"x\":1},\"uid\":\"" + uid + "\",\"info\":{\"client\":\"" + c.clientId() + "\",\"user\":\"7\","
                + "\"conn_info\":{\"n\":1}}}]}}");
    }

    @Test
    void channelsListsEveryChannelWithALocalSubscriberUntilItsLastOneLeaves() throws Exception {
        TestClient a = node.subscribedClient("a", "news");
        a.subscribe("public:chat");
        node.subscribedClient("b", "news");
        JsonNode reply = JSON.readTree(api.run("{\"method\":\"channels\"}")).get(0);
        assertThat(reply.get("error").isNull()).isTrue();
        assertThat(reply.get("body").get("data")).extracting(JsonNode::asText)
                .containsExactlyInAnyOrder("news", "public:chat");
        a.session().transportClosed();
        assertThat(api.run("{\"method\":\"channels\"}"))
                .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[\"news\"]}}]");
    }

    @Test
    void v2PresencePresenceStatsAndInfoCountTheSubscribers() {
        TestClient a = subscribedWithInfo("42", "{\"name\":\"A\"}", "chat");
        node.subscribedClient("", "chat");
        node.subscribedClient("", "chat");
        assertThat(api.v2("presence", "{\"channel\":\"public:none\"}"))
                .isEqualTo("{\"error\":{\"code\":108,\"message\":\"not available\"}}");
        assertThat(api.v2("presence", "{\"channel\":\"chat\"}")).contains("\"" + a.clientId() + "\":{\"client\":\""
                + a.clientId() + "\",\"user\":\"42\",\"conn_info\":{\"name\":\"A\"}}");
        // anonymous connections count as one user
        assertThat(api.v2("presence_stats", "{\"channel\":\"chat\"}"))
                .isEqualTo("{\"result\":{\"num_clients\":3,\"num_users\":2}}");
        assertThat(api.v2("info", "{}")).contains("\"num_clients\":3,\"num_users\":2,\"num_channels\":1,");
    }

    @Test
    void v2UnsubscribeAndDisconnectActOnTheUser() {
        TestClient c = node.subscribedClient("42", "chat");
        assertThat(api.v2("unsubscribe", "{\"channel\":\"chat\",\"user\":\"42\"}")).isEqualTo("{}");
        assertThat(c.next()).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"chat\",\"status\":true}}");
        assertThat(api.v2("disconnect", "{\"user\":\"42\"}")).isEqualTo("{}");
        assertThat(c.closedWith()).isEqualTo(Disconnect.DISCONNECT);
    }

    private static String uid(String push) {
        Matcher m = Pattern.compile("\"uid\":\"([0-9A-Za-z]{22})\"").matcher(push);
        assertThat(m.find()).as(push).isTrue();
        return m.group(1);
    }
}
