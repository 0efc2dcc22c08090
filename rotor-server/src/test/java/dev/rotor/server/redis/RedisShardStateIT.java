package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.ServerConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Each Redis shard's state on {@code /health?verbose} and {@code /metrics} (docs/scaling.md, docs/monitoring.md):
 * with two shards and one of them killed, only that shard shows as disconnected, the plain {@code /health} keeps its
 * v1-era body, and after a restart the shard is connected again with one more reconnect and its channels back.
 */
class RedisShardStateIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ChannelOptions OPEN = ChannelOptions.builder().publish(true).build();

    private RedisServer second;
    private RedisNodes nodes;
    private TestServer node;

    @BeforeEach
    void setUp() throws Exception {
        second = RedisServer.start();
        nodes = new RedisNodes(redis);
        node = nodes.start(NodeConfig.builder().topLevel(OPEN), ServerConfig.builder().prometheus(true),
                nodes.settings("127.0.0.1", redis.server().port() + "," + second.port(), false, 0));
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
        second.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return node.send(HttpRequest.newBuilder(node.uri(path)).timeout(Duration.ofSeconds(5)).GET().build());
    }

    private JsonNode verbose() throws Exception {
        return JSON.readTree(get("/health?verbose").body());
    }

    private String metrics() throws Exception {
        return node.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.server().boundAdminPort()
                + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build()).body();
    }

    /** The value of {@code family{…shard="<shard>"…}} in a scrape. */
    private static double sample(String scrape, String family, int shard) {
        Matcher m = Pattern.compile("(?m)^" + family + "\\{[^}]*shard=\"" + shard + "\"[^}]*} (\\S+)$").matcher(scrape);
        assertThat(m.find()).as("%s of shard %d in\n%s", family, shard, scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aShardGoingDownShowsInHealthAndMetricsAndComesBack() throws Exception {
        // jump consistent hash over two shards: "a" lives on shard 1, "b" on shard 0 (RedisShardingIT)
        Client client = nodes.connect(node, "alice");
        client.send(subscribe("1", "a"));
        client.nextContaining("\"method\":\"subscribe\"");
        client.send(subscribe("2", "b"));
        client.nextContaining("\"method\":\"subscribe\"");

        assertThat(get("/health").body()).isEqualTo("{\"status\":\"ok\"}");
        JsonNode up = verbose();
        assertThat(up.get("status").asText()).isEqualTo("ok");
        assertThat(up.get("engine").asText()).isEqualTo("Redis");
        assertThat(up.get("shards")).hasSize(2);
        JsonNode shard1 = up.get("shards").get(1);
        assertThat(shard1.get("shard").asInt()).isEqualTo(1);
        assertThat(shard1.has("address")).as("Redis addresses stay off the public port").isFalse();
        assertThat(shard1.get("connected").asBoolean()).isTrue();
        assertThat(shard1.get("reconnects").asLong()).isZero();
        assertThat(shard1.get("channels").asInt()).isEqualTo(1);
        assertThat(up.get("shards").get(0).get("channels").asInt()).isEqualTo(1);
        // the meters must survive a GC: Micrometer holds a meter's state object weakly (it then reads NaN)
        System.gc();
        String scrape = metrics();
        assertThat(sample(scrape, "rotor_engine_shard_connected", 0)).isEqualTo(1.0);
        assertThat(sample(scrape, "rotor_engine_shard_connected", 1)).isEqualTo(1.0);
        assertThat(scrape).contains("address=\"127.0.0.1:" + second.port() + "/0\",shard=\"1\"");
        assertThat(sample(scrape, "rotor_engine_shard_channels", 1)).isEqualTo(1.0);
        assertThat(sample(scrape, "rotor_engine_shard_reconnects_total", 1)).isZero();
        assertThat(scrape).contains("# HELP rotor_engine_shard_connected ")
                .contains("# TYPE rotor_engine_shard_reconnects_total counter");
        // the memory engine's MetricsEndpointIT cannot see these families: check here that they are documented
        String docs = Files.readString(Path.of("..", "docs", "monitoring.md"));
        Matcher family = Pattern.compile("(?m)^# TYPE (rotor_engine_\\w+) ").matcher(scrape);
        int families = 0;
        while (family.find()) {
            assertThat(docs).as("docs/monitoring.md").contains(family.group(1));
            families++;
        }
        assertThat(families).as("three per shard, three for what the engine dropped or read back").isEqualTo(6);
        assertThat(scrape).containsPattern("(?m)^rotor_engine_messages_dropped_total 0\\.0$")
                .containsPattern("(?m)^rotor_engine_control_recovered_total 0\\.0$")
                .containsPattern("(?m)^rotor_engine_api_entries_dropped_total 0\\.0$");

        second.kill();

        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/health").statusCode() == 503);
        assertThat(get("/health").body()).isEqualTo("{\"status\":\"unavailable\"}");
        HttpResponse<String> downResponse = get("/health?verbose");
        assertThat(downResponse.statusCode()).isEqualTo(503);
        JsonNode down = JSON.readTree(downResponse.body());
        assertThat(down.get("status").asText()).isEqualTo("unavailable");
        assertThat(down.get("shards").get(0).get("connected").asBoolean()).as("shard 0 unaffected").isTrue();
        assertThat(down.get("shards").get(1).get("connected").asBoolean()).isFalse();
        scrape = metrics();
        assertThat(sample(scrape, "rotor_engine_shard_connected", 0)).isEqualTo(1.0);
        assertThat(sample(scrape, "rotor_engine_shard_connected", 1)).isZero();

        second.restart();

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> get("/health").statusCode() == 200);
        JsonNode back = verbose().get("shards").get(1);
        assertThat(back.get("connected").asBoolean()).isTrue();
        assertThat(back.get("reconnects").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(verbose().get("shards").get(0).get("reconnects").asLong()).as("shard 0 never dropped").isZero();
        scrape = metrics();
        assertThat(sample(scrape, "rotor_engine_shard_connected", 1)).isEqualTo(1.0);
        assertThat(sample(scrape, "rotor_engine_shard_reconnects_total", 1)).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void theMemoryEngineHasNoShards() throws Exception {
        try (TestServer memory = TestServer.start(NodeConfig.builder())) {
            HttpResponse<String> r = memory.send(HttpRequest.newBuilder(memory.uri("/health?verbose")).GET().build());
            assertThat(r.statusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.get("status").asText()).isEqualTo("ok");
            assertThat(body.get("shards")).isEmpty();
        }
    }
}
