package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.node.NodeInfo;
import dev.rotor.node.TestNode;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API {@code stats} and {@code node} commands and their metrics (http-api.md §4.8–§4.10), with time passing
 * only through the test node's manual clock: what each command lists, raw values against the snapshot, other nodes
 * dropped when silent. The key list itself is {@code MetricsTest}'s, the metrics window and the node ping on reload
 * {@code NodePeriodicWorkTest}'s; here it is what the commands answer.
 */
class ApiNodeInfoTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory)
            .config(b -> b.name("node1").version("9.9.9").nodeMetricsInterval(60)).start();
    private final ApiCalls api = new ApiCalls(node);

    private JsonNode body(String payload) throws Exception {
        JsonNode reply = JSON.readTree(api.run(payload)).get(0);
        assertThat(reply.get("error").isNull()).as(reply.toString()).isTrue();
        return reply.get("body").get("data");
    }

    private static List<String> keys(JsonNode object) {
        List<String> keys = new ArrayList<>();
        object.fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    @Test
    void statsListsThisNodeWithItsIdentityAndTheMetricsInterval() throws Exception {
        String stats = api.run("{\"method\":\"stats\"}");
        assertThat(stats).startsWith("[{\"method\":\"stats\",\"error\":null,\"body\":{\"data\":{\"nodes\":[{\"uid\":\""
                + node.node().uid() + "\",\"version\":\"9.9.9\",\"name\":\"node1\",\"started_at\":"
                + node.node().startedAt() + ",\"metrics\":{").endsWith("}}],\"metrics_interval\":60}}}]");
        JsonNode nodes = JSON.readTree(stats).get(0).get("body").get("data").get("nodes");
        assertThat(nodes).hasSize(1);
        assertThat(keys(nodes.get(0))).containsExactly("uid", "version", "name", "started_at", "metrics");
        // a version 4 UUID, new on every start; Unix seconds of the start
        assertThat(node.node().uid()).matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(node.node().startedAt()).isEqualTo(TestNode.START_MILLIS / 1000);
    }

    @Test
    void nodeReportsTheUptimeInSecondsOnTheNodesClock() throws Exception {
        node.advance(Duration.ofMillis(100_900));
        assertThat(body("{\"method\":\"node\"}").get("metrics").get("node_uptime_seconds").asLong()).isEqualTo(100);
    }

    @Test
    void nodeAnswersThisNodeWithTheCommandUid() throws Exception {
        assertThat(api.run("{\"method\":\"node\",\"uid\":\"n\"}")).startsWith("[{\"uid\":\"n\",\"method\":\"node\","
                + "\"error\":null,\"body\":{\"data\":{\"uid\":\"" + node.node().uid() + "\",\"version\":\"9.9.9\","
                + "\"name\":\"node1\",\"started_at\":" + node.node().startedAt() + ",\"metrics\":{");
        assertThat(keys(body("{\"method\":\"node\"}"))).containsExactly("uid", "version", "name", "started_at",
                "metrics");
    }

    @Test
    void bothCommandsCarryTheSeventyFourMetricKeysAsIntegers() throws Exception {
        JsonNode raw = body("{\"method\":\"node\"}").get("metrics");
        JsonNode snapshot = body("{\"method\":\"stats\"}").get("nodes").get(0).get("metrics");
        for (JsonNode metrics : List.of(raw, snapshot)) {
            assertThat(metrics.size()).isEqualTo(74);
            // gocent decodes every metric into an int64: no fractions, no strings
            metrics.fields().forEachRemaining(e -> assertThat(e.getValue().isIntegralNumber()).as(e.getKey()).isTrue());
            assertThat(metrics.has("client_api_15_microseconds_99.99%ile")).isTrue();
            assertThat(metrics.has("http_api_num_requests")).isTrue();
        }
        assertThat(keys(raw)).containsExactlyElementsOf(keys(snapshot));
    }

    @Test
    void nodeShowsRawCountersWhileStatsShowsTheSnapshotOfTheLastCompletedInterval() throws Exception {
        api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"a\",\"data\":1}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"b\",\"data\":1}},"
                + "{\"method\":\"history\",\"params\":{\"channel\":\"a\"}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"a\"}}]");
        JsonNode raw = body("{\"method\":\"node\"}").get("metrics");
        assertThat(raw.get("node_num_client_msg_published").asLong()).isEqualTo(2);
        assertThat(raw.get("node_num_history").asLong()).isEqualTo(1);
        assertThat(raw.get("node_num_presence").asLong()).isEqualTo(1);
        // no metrics interval has completed yet: the snapshot is all zero
        JsonNode snapshot = body("{\"method\":\"stats\"}").get("nodes").get(0).get("metrics");
        snapshot.fields().forEachRemaining(e -> assertThat(e.getValue().asLong()).as(e.getKey()).isZero());
    }

    @Test
    void countRequestCountsOneHttpApiRequest() throws Exception {
        ApiExecutor executor = new ApiExecutor(node.node());
        executor.countRequest();
        executor.countRequest();
        assertThat(body("{\"method\":\"node\"}").get("metrics").get("http_api_num_requests").asLong()).isEqualTo(2);
    }



    /** A ping of another node, as the engine's control channel delivers it. */
    private void pingFrom(String uid) {
        JsonWriter w = new JsonWriter(256);
        w.raw("{\"info\":");
        new NodeInfo(uid, "1.8.0", "name-" + uid, node.nowSeconds(), Map.of("node_num_clients", 7L)).write(w);
        w.raw('}');
        node.node().onControl(new ControlMessage(uid, "ping", RawJson.wrap(w.toByteArray())));
    }

    private List<String> statsNodeNames() throws Exception {
        List<String> names = new ArrayList<>();
        body("{\"method\":\"stats\"}").get("nodes").forEach(n -> names.add(n.get("name").asText()));
        return names;
    }

    @Test
    void statsListsOtherNodesUntilTheyAreSilentForMoreThanTwoPingIntervalsPlusOneSecond() throws Exception {
        pingFrom("gone");
        pingFrom("alive");
        assertThat(statsNodeNames()).containsExactlyInAnyOrder("node1", "name-gone", "name-alive");
        node.advance(Duration.ofSeconds(6));
        pingFrom("alive");
        assertThat(statsNodeNames()).containsExactlyInAnyOrder("node1", "name-gone", "name-alive");
        // the check runs every 3 × node_ping_interval: at 9 s "gone" was last heard 9 s ago (> 2 × 3 + 1)
        node.advance(Duration.ofSeconds(3));
        assertThat(statsNodeNames()).containsExactlyInAnyOrder("node1", "name-alive");
    }
}
