package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.subscribe;
import static dev.rotor.node.Frames.subscribeOk;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code last} and {@code recover} on subscribe (client-protocol.md §5.3 step 11, §6.4 {@code recover}). */
class SubscribeRecoveryTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.recover(true).historySize(5).historyLifetime(60))
            .namespace("norecover", o -> o.historySize(5).historyLifetime(60))
            .namespace("nohistory", o -> o.recover(true))
            .start();

    /** Publishes {@code n} messages {@code m1..mn} with data {@code 1..n}, as the API would. */
    private void publish(String channel, int n) {
        for (int i = 1; i <= n; i++) {
            TestNode.await(node.node().publish(new Message("m" + i, channel, RawJson.of(Integer.toString(i)), null,
                    null), node.node().config().channelOptions(channel)));
        }
    }

    private static String recover(String uid, String channel, String last) {
        return json("{'uid':'" + uid + "','method':'subscribe','params':{'channel':'" + channel
                + "','recover':true" + (last == null ? "" : ",'last':'" + last + "'") + "}}");
    }

    private static String recovered(String uid, String channel, String messages, boolean recovered) {
        return json("{'uid':'" + uid + "','method':'subscribe','body':{'channel':'" + channel
                + "','status':true,'last':'','messages':" + messages + ",'recovered':" + recovered + "}}");
    }

    @Test
    void subscribeReportsTheLastMessageIdWithoutRecovering() {
        publish("news", 2);
        assertThat(node.connectedClient("u").call(subscribe("1", "news"))).isEqualTo(json("{'uid':'1',"
                + "'method':'subscribe','body':{'channel':'news','status':true,'last':'m2','messages':null,"
                + "'recovered':false}}"));
    }

    @Test
    void theLastMessageIdIsLookedUpWithoutCheckingHistoryOptions() {
        // v1 compat: recover on, history off: the lookup still runs and finds nothing
        assertThat(node.connectedClient("u").call(subscribe("1", "nohistory:x"))).isEqualTo(subscribeOk("1", "nohistory:x"));
    }

    @Test
    void recoverReturnsTheMessagesNewerThanLastNewestFirst() {
        publish("news", 3);
        assertThat(node.connectedClient("u").call(recover("1", "news", "m1"))).isEqualTo(recovered("1", "news",
                "[{'uid':'m3','channel':'news','data':3},{'uid':'m2','channel':'news','data':2}]", true));
    }

    @Test
    void recoverFromTheNewestMessageIsAnEmptyRecovery() {
        publish("news", 2);
        assertThat(node.connectedClient("u").call(recover("1", "news", "m2")))
                .isEqualTo(recovered("1", "news", "[]", true));
    }

    @Test
    void recoverWithAnEmptyOrAbsentLastReturnsTheWholeHistoryNotRecovered() {
        publish("news", 2);
        String all = "[{'uid':'m2','channel':'news','data':2},{'uid':'m1','channel':'news','data':1}]";
        assertThat(node.connectedClient("u").call(recover("1", "news", ""))).isEqualTo(recovered("1", "news", all, false));
        assertThat(node.connectedClient("v").call(recover("2", "news", null))).isEqualTo(recovered("2", "news", all, false));
    }

    @Test
    void recoverWithAnUnknownLastReturnsTheWholeHistoryNotRecovered() {
        publish("news", 1);
        assertThat(node.connectedClient("u").call(recover("1", "news", "gone")))
                .isEqualTo(recovered("1", "news", "[{'uid':'m1','channel':'news','data':1}]", false));
    }

    @Test
    void recoverOnAnEmptyChannelGivesAnEmptyList() {
        assertThat(node.connectedClient("u").call(recover("1", "other", "zz")))
                .isEqualTo(recovered("1", "other", "[]", false));
    }

    @Test
    void recoverWithoutHistoryGivesAnEmptyUnrecoveredList() {
        assertThat(node.connectedClient("u").call(recover("1", "nohistory:x", "x")))
                .isEqualTo(recovered("1", "nohistory:x", "[]", false));
    }

    @Test
    void theRecoverOptionOffIgnoresTheRequest() {
        publish("norecover:x", 1);
        assertThat(node.connectedClient("u").call(recover("1", "norecover:x", "m1")))
                .isEqualTo(subscribeOk("1", "norecover:x"));
    }
}
