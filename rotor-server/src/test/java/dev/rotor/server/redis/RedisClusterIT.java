package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.allFeatures;
import static dev.rotor.server.redis.RedisNodes.publish;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.server.ServerConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisClusterExtension;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two real Rotor nodes on a real six-node Redis Cluster ({@code redis_cluster_addrs}, docs/scaling.md "Redis
 * Cluster"): publications travel over sharded PUB/SUB between nodes, history, presence and channels are the same on
 * every node, the API queue is consumed, and {@code /health?verbose} and {@code /metrics} show one entry per master.
 */
class RedisClusterIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final ObjectMapper JSON = new ObjectMapper();

    @AutoClose
    private final RedisNodes nodes = new RedisNodes(cluster);

    @Test
    void anApiPublishOnNodeAReachesAClientOnNodeB() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client onB = nodes.subscribed(b, "bob", "news");
        // '}' cannot be part of a hash tag: such a channel gets a hashed tag and must work all the same
        Client odd = nodes.subscribed(b, "bob", "odd}ch");

        assertThat(a.api(publish("news", "{\"n\":1}")).body()).contains("\"error\":null");
        assertThat(a.api(publish("odd}ch", "{\"n\":2}")).body()).contains("\"error\":null");

        assertThat(onB.nextContaining("\"method\":\"message\"")).contains("\"channel\":\"news\",\"data\":{\"n\":1}");
        assertThat(odd.nextContaining("\"method\":\"message\"")).contains("\"channel\":\"odd}ch\",\"data\":{\"n\":2}");
    }

    @Test
    void aSubscriptionWhoseSlotMovesToAnotherMasterIsMovedWithIt() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client bob = nodes.subscribed(b, "bob", "moving");
        a.api(publish("moving", "{\"n\":1}"));
        assertThat(bob.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":1}");

        cluster.cluster().moveSlotOf(cluster.prefix() + ".message.{moving}");

        // Redis drops sharded subscriptions of a slot it gives away; Rotor re-subscribes on the new master and tells
        // the subscriber, as after any lost subscription.
        assertThat(bob.ws().awaitClose(Duration.ofSeconds(20)).reason())
                .isEqualTo("{\"reason\":\"subscriptions lost\",\"reconnect\":true}");
        Client again = nodes.subscribed(b, "bob", "moving");
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> a.api(publish("moving", "{\"n\":2}")).body().contains("\"error\":null"));
        assertThat(again.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":2}");
        String history = b.api("{\"method\":\"history\",\"params\":{\"channel\":\"moving\"}}").body();
        assertThat(history).as("the keys moved with the slot").contains("\"data\":{\"n\":1}");
    }

    @Test
    void historyPresenceJoinsAndChannelsAreTheSameOnEveryNode() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client watcher = nodes.subscribed(b, "watcher", "room");
        Client alice = nodes.subscribed(a, "alice", "room");
        assertThat(watcher.nextContaining("\"user\":\"alice\"")).startsWith("{\"method\":\"join\"");

        a.api(publish("room", "{\"n\":1}"));
        a.api(publish("room", "{\"n\":2}"));

        String presence = b.api("{\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}").body();
        assertThat(presence).contains("\"" + alice.id() + "\"", "\"user\":\"alice\"", "\"user\":\"watcher\"");
        String history = b.api("{\"method\":\"history\",\"params\":{\"channel\":\"room\"}}").body();
        assertThat(history).containsSubsequence("\"data\":{\"n\":2}", "\"data\":{\"n\":1}");
        String channels = a.api("{\"method\":\"channels\",\"params\":{}}").body();
        assertThat(channels).contains("\"room\"");
    }

    @Test
    void theApiQueueIsConsumedFromTheMasterOfItsSlot() throws Exception {
        Map<String, Object> settings = nodes.defaults();
        settings.put("redis_api", true);
        TestServer a = nodes.start(allFeatures("a"), settings);
        Client onA = nodes.subscribed(a, "alice", "queued");
        String queue = cluster.prefix() + ".api";

        String pushed = cluster.cluster().masterOf(queue).command("RPUSH", queue,
                "{\"method\":\"publish\",\"params\":{\"channel\":\"queued\",\"data\":{\"q\":1}}}");

        assertThat(pushed).startsWith(":1");
        assertThat(onA.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"q\":1}");
    }

    @Test
    void healthAndMetricsShowOneEntryPerMaster() throws Exception {
        TestServer a = nodes.start(allFeatures("a"), ServerConfig.builder().prometheus(true), nodes.defaults());
        nodes.subscribed(a, "alice", "one");
        nodes.subscribed(a, "alice", "two");

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(get(a, "/health").statusCode()).isEqualTo(200));
        JsonNode verbose = JSON.readTree(get(a, "/health?verbose").body());
        assertThat(verbose.get("engine").asText()).isEqualTo("Redis");
        assertThat(verbose.get("shards")).hasSize(3);
        int channels = 0;
        for (JsonNode shard : verbose.get("shards")) {
            assertThat(shard.get("connected").asBoolean()).as("%s", shard).isTrue();
            assertThat(shard.get("reconnects").asLong()).isZero();
            channels += shard.get("channels").asInt();
        }
        assertThat(channels).isEqualTo(2);
        String scrape = a.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.server().boundAdminPort()
                + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build()).body();
        for (int shard = 0; shard < 3; shard++) {
            Matcher m = Pattern.compile("(?m)^rotor_engine_shard_connected\\{address=\"cluster slots [0-9,-]+\","
                    + "shard=\"" + shard + "\"} (\\S+)$").matcher(scrape);
            assertThat(m.find()).as("shard %d in\n%s", shard, scrape).isTrue();
            assertThat(Double.parseDouble(m.group(1))).isEqualTo(1.0);
        }
        assertThat(scrape).contains("address=\"cluster slots 0-");
    }

    private static java.net.http.HttpResponse<String> get(TestServer s, String path) throws Exception {
        return s.send(HttpRequest.newBuilder(s.uri(path)).timeout(Duration.ofSeconds(5)).GET().build());
    }
}
