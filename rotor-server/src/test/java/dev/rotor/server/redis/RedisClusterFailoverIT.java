package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static dev.rotor.server.redis.RedisNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Redis Cluster master dies under two Rotor nodes (docs/scaling.md "Redis Cluster"): the cluster promotes its
 * replica by itself, the node whose subscriber's channel lived on that master turns unhealthy, tells the subscriber
 * to reconnect once its subscription is back on the new master, and publications arrive again.
 */
class RedisClusterFailoverIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Node timeout (2 s), election, topology refresh (1 s) and re-subscription, with a wide margin. */
    private static final Duration FAILOVER = Duration.ofSeconds(30);
    private static final ChannelOptions OPEN = ChannelOptions.builder().publish(true).build();

    private RedisNodes nodes;

    @BeforeEach
    void setUp() {
        nodes = new RedisNodes(cluster);
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    private static HttpResponse<String> health(TestServer s, String query) throws Exception {
        return s.send(HttpRequest.newBuilder(s.uri("/health" + query)).timeout(Duration.ofSeconds(5)).GET().build());
    }

    @Test
    void subscribersOfAChannelWhoseMasterDiedAreToldToReconnectAndReceiveAgain() throws Exception {
        TestServer a = nodes.start(NodeConfig.builder().name("a").topLevel(OPEN));
        TestServer b = nodes.start(NodeConfig.builder().name("b").topLevel(OPEN));
        Client bob = nodes.subscribed(b, "bob", "news");
        assertThat(a.api(publish("news", "{\"n\":1}")).body()).contains("\"error\":null");
        assertThat(bob.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":1}");
        RedisServer master = cluster.cluster().masterOf(cluster.prefix() + ".message.{news}");

        master.kill();

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> health(b, "").statusCode() == 503);
        // The replica takes over only after the 2 s node timeout: until then a publication into the dead master's
        // slot fails at once instead of queueing.
        long before = System.nanoTime();
        assertThat(a.api(publish("news", "{\"n\":0}")).body()).doesNotContain("\"error\":null");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
        assertThat(bob.ws().awaitClose(FAILOVER).reason())
                .isEqualTo("{\"reason\":\"subscriptions lost\",\"reconnect\":true}");
        Awaitility.await().atMost(FAILOVER).pollInterval(Duration.ofMillis(100))
                .until(() -> health(b, "").statusCode() == 200);
        assertThat(cluster.cluster().masterOf(cluster.prefix() + ".message.{news}")).isNotSameAs(master);
        JsonNode shards = JSON.readTree(health(b, "?verbose").body()).get("shards");
        assertThat(shards).hasSize(3);
        long recovered = 0;
        for (JsonNode shard : shards) {
            assertThat(shard.get("connected").asBoolean()).as("%s", shard).isTrue();
            recovered += shard.get("reconnects").asLong();
        }
        assertThat(recovered).as("the re-subscription counts as a reconnect").isGreaterThanOrEqualTo(1);

        Client again = nodes.connect(b, "bob");
        again.send(subscribe("1", "news"));
        again.nextContaining("\"method\":\"subscribe\"");
        Awaitility.await().atMost(FAILOVER).pollInterval(Duration.ofMillis(200))
                .until(() -> a.api(publish("news", "{\"n\":2}")).body().contains("\"error\":null"));
        assertThat(again.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":2}");
    }
}
