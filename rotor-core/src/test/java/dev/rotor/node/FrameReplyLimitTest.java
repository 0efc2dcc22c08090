package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.metrics.Counter;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The replies to one client frame are bounded by {@code client_queue_max_size} while they are built (§10): a frame
 * of many history commands, each answered with the whole history, closes the connection as {@code slow} once its
 * replies no longer fit, without running the rest of its commands, instead of building a reply of any size first.
 */
class FrameReplyLimitTest {
    private static final int QUEUE_MAX = 10_000;
    /** Ten publications of ~100 bytes: one history reply is a little over 1 KB. */
    private static final int HISTORY = 10;

    @RegisterExtension
    final TestNode node = TestNode.builder()
            .config(b -> b.clientQueueMaxSize(QUEUE_MAX))
            .topLevel(o -> o.publish(true).historySize(HISTORY).historyLifetime(60))
            .start();

    private TestClient subscriberWithHistory() {
        TestClient c = node.subscribedClient("u", "news");
        for (int i = 0; i < HISTORY; i++) {
            TestNode.await(node.node().publish(new Message("m" + i, "news", RawJson.of("\"" + "x".repeat(80) + "\""),
                    null, null), node.node().config().channelOptions("news")));
            assertThat(c.next()).contains("\"uid\":\"m" + i + "\"");
        }
        return c;
    }

    private static String historyFrame(int commands) {
        StringBuilder frame = new StringBuilder("[");
        for (int i = 0; i < commands; i++) {
            frame.append(i == 0 ? "" : ",").append("{\"method\":\"history\",\"params\":{\"channel\":\"news\"}}");
        }
        return frame.append(']').toString();
    }

    @Test
    void aFrameWhoseRepliesFitIsAnsweredWhole() {
        TestClient c = subscriberWithHistory();
        String reply = c.call(historyFrame(5));
        assertThat(reply).startsWith("[").endsWith("]");
        assertThat(reply.split("\"method\":\"history\"", -1)).hasSize(6);
        assertThat(reply.split("\"uid\":\"m9\"", -1)).as("every reply holds the whole history").hasSize(6);
        assertThat(reply.length()).isLessThan(QUEUE_MAX);
        assertThat(c.closedWith()).isNull();
    }

    @Test
    void aFrameWhoseRepliesOutgrowTheQueueClosesAsSlowWithoutRunningTheRest() {
        TestClient c = subscriberWithHistory();
        long before = node.node().metrics().count(Counter.NODE_NUM_HISTORY);
        assertThat(c.closedBy(historyFrame(1_000))).isEqualTo(Disconnect.SLOW);
        c.assertNoFrame();
        // ~1 KB per reply: the ninth or tenth reply passes 10,000 bytes, and nothing after it runs
        assertThat(node.node().metrics().count(Counter.NODE_NUM_HISTORY) - before).isBetween(5L, 20L);
    }
}
