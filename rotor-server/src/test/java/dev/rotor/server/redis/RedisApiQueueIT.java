package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testing.LogCapture;
import dev.rotor.testkit.redis.RedisExtension;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis API queue (redis-engine.md §8): a backend RPUSHes JSON commands onto {@code P.api} or a shard queue
 * {@code P.api.N}, as v1 backends do, and the node executes them; malformed entries are skipped.
 */
class RedisApiQueueIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @RegisterExtension
    final LogCapture queueLog = new LogCapture("dev.rotor.engine.redis.ApiQueueWorker");
    @RegisterExtension
    final LogCapture engineLog = new LogCapture("dev.rotor.engine.redis.RedisEngine");

    private RedisNodes nodes;
    private TestServer node;
    private Client client;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new RedisNodes(redis);
        node = nodes.start(NodeConfig.builder().topLevel(ChannelOptions.builder().build()),
                nodes.settings("127.0.0.1", Integer.toString(redis.server().port()), true, 2));
        client = nodes.subscribed(node, "bob", "events");
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    private void rpush(String queue, String entry) {
        assertThat(redis.server().command("RPUSH", queue, entry)).startsWith(":");
    }

    private String queue(String suffix) {
        return redis.prefix() + ".api" + suffix;
    }

    private static String publish(int n) {
        return "{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":{\"n\":" + n + "}}}";
    }

    @Test
    void commandsOnTheMainAndShardQueuesArePublishedInOrder() throws Exception {
        rpush(queue(""), publish(1));
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":1}");
        rpush(queue(".0"), publish(2));
        rpush(queue(".0"), publish(3));
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":2}");
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":3}");
        rpush(queue(".1"), publish(4));
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":4}");
    }

    @Test
    void broadcastAndTheDeprecatedDataFormAreExecuted() throws Exception {
        rpush(queue(""), "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"other\",\"events\"],"
                + "\"data\":{\"b\":1}}}");
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"b\":1}");

        rpush(queue(""), "{\"data\":[" + publish(5) + "," + publish(6) + "]}");
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":5}");
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":6}");
    }

    @Test
    void malformedEntriesAreSkippedAndTheQueueGoesOn() throws Exception {
        rpush(queue(""), "[" + publish(7) + "]"); // an array is rejected, as in v1
        rpush(queue(""), "not json");
        rpush(queue(""), "{\"method\":\"publish\",\"params\":{\"channel\":\"events\"}}"); // no data
        rpush(queue(""), "{\"method\":\"presence\",\"params\":{\"channel\":\"events\"}}"); // ignored
        rpush(queue(""), publish(8));

        // Per-queue order: had the array been executed, n=7 would arrive before n=8.
        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":8}");
    }

    @Test
    void queuesBeyondTheShardCountAreNotConsumed() throws Exception {
        rpush(queue(".2"), publish(9));
        rpush(queue(""), publish(10));

        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":10}");
        assertThat(redis.server().command("LLEN", queue(".2"))).startsWith(":1");
    }

    /**
     * Whoever can write to Redis can push bad entries, or publish undecodable messages into a channel's PUB/SUB
     * channel, as fast as Redis takes them: each is dropped, and logged once per 10 s with the count of the rest,
     * not once each (a disk filled with log lines otherwise). The node goes on serving.
     */
    @Test
    void floodsOfBadEntriesAndUndecodableMessagesAreLoggedOncePerInterval() throws Exception {
        String[] bad = new String[500];
        Arrays.fill(bad, "not json");
        String[] push = new String[bad.length + 2];
        push[0] = "RPUSH";
        push[1] = queue("");
        System.arraycopy(bad, 0, push, 2, bad.length);
        assertThat(redis.server().command(push)).startsWith(":500");
        for (int i = 0; i < 500; i++) {
            assertThat(redis.server().command("PUBLISH", redis.prefix() + ".message.events", "garbage " + i))
                    .startsWith(":1");
        }
        rpush(queue(""), publish(11));

        assertThat(client.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":11}");
        assertThat(queueLog.messages()).filteredOn(m -> m.contains("Error processing Redis API data"))
                .hasSizeBetween(1, 2);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() ->
                engineLog.messages().stream().anyMatch(m -> m.contains("dropped undecodable message")));
        assertThat(engineLog.messages()).filteredOn(m -> m.contains("dropped undecodable message"))
                .hasSizeBetween(1, 2);
    }
}
