package dev.rotor.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisExtension;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Subscribing with recovery on one node while another node publishes steadily through one real redis-server: each
 * subscriber gets its subscribe reply first, then every message after its {@code last} exactly once and in order,
 * recovered and live together (scaling.md "Subscribing with recovery"). Each round two clients subscribe at once
 * to a channel the node is not subscribed to, so the second one arrives while the node's SUBSCRIBE is in flight.
 */
class RedisRecoveryOrderIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final ChannelOptions RECOVER = ChannelOptions.builder().historySize(1000).historyLifetime(60)
            .recover(true).build();
    private static final Pattern NEWEST = Pattern.compile("\\{\"uid\":\"([^\"]+)\"[^{}]*\"data\":\\{\"n\":(\\d+)}");
    private static final Pattern N = Pattern.compile("\"data\":\\{\"n\":(\\d+)}");
    private static final int ROUNDS = 6;
    /** Live messages each subscriber must see after its reply. */
    private static final int LIVE = 30;

    private RedisNodes nodes;

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(redis);
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    @Test
    void recoveredAndLiveMessagesArriveOnceAndInOrder() throws Exception {
        TestServer publisher = nodes.start(NodeConfig.builder().name("a").topLevel(RECOVER));
        TestServer subscriberNode = nodes.start(NodeConfig.builder().name("b").topLevel(RECOVER));
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        Future<?> publishing = pool.submit(() -> {
            for (int n = 1; !stop.get(); n++) {
                String body = publisher.api(RedisNodes.publish("feed", "{\"n\":" + n + "}")).body();
                assertThat(body).contains("\"error\":null");
            }
            return null;
        });
        try {
            for (int round = 0; round < ROUNDS; round++) {
                Matcher newest = newest(publisher);
                String last = newest.group(1);
                int lastN = Integer.parseInt(newest.group(2));
                Client first = nodes.connect(subscriberNode, "u1");
                Client second = nodes.connect(subscriberNode, "u2");
                String frame = "{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"feed\","
                        + "\"recover\":true,\"last\":\"" + last + "\"}}";
                first.send(frame);
                second.send(frame);
                assertReceivedInOrder(first, lastN);
                assertReceivedInOrder(second, lastN);
                first.ws().abort();
                second.ws().abort();
                // the next round's subscribers find the node unsubscribed again
                Awaitility.await().atMost(RedisNodes.WAIT)
                        .until(() -> !subscriberNode.server().node().hasSubscribers("feed"));
            }
        } finally {
            stop.set(true);
            pool.shutdown();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        publishing.get();
    }

    /** The newest message in history (its uid and n), once there is one. */
    private static Matcher newest(TestServer server) {
        return Awaitility.await().atMost(RedisNodes.WAIT).until(() -> {
            Matcher m = NEWEST.matcher(server.api("{\"method\":\"history\",\"params\":{\"channel\":\"feed\"}}")
                    .body());
            return m.find() ? m : null;
        }, m -> m != null);
    }

    /** The first frame is the reply with {@code recovered: true}; after it, n runs from lastN + 1 without gaps. */
    private static void assertReceivedInOrder(Client client, int lastN) throws InterruptedException {
        String reply = client.next();
        assertThat(reply).as("first frame").startsWith("{\"uid\":\"1\",\"method\":\"subscribe\"")
                .contains("\"recovered\":true");
        List<Integer> received = numbers(reply);
        Collections.reverse(received); // history is newest first
        while (received.size() < LIVE || received.get(received.size() - 1) < lastN + LIVE) {
            received.addAll(numbers(client.next()));
        }
        List<Integer> expected = new ArrayList<>();
        for (int n = lastN + 1; n <= received.get(received.size() - 1); n++) {
            expected.add(n);
        }
        assertThat(received).as("messages after n=%d", lastN).isEqualTo(expected);
    }

    private static List<Integer> numbers(String frame) {
        assertThat(frame).as("a frame within %s", RedisNodes.WAIT).isNotNull();
        List<Integer> out = new ArrayList<>();
        Matcher m = N.matcher(frame);
        while (m.find()) {
            out.add(Integer.parseInt(m.group(1)));
        }
        return out;
    }
}
