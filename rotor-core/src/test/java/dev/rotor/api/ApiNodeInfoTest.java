package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.node.TestNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API {@code stats} and {@code node} commands and their metrics (http-api.md §4.8–§4.10) on a node whose first
 * metrics interval has not completed. The key list itself is {@code MetricsTest}'s; here it is what the commands
 * answer.
 */
class ApiNodeInfoTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory)
            .config(b -> b.name("node1").version("9.9.9").nodeMetricsInterval(60)).start();
    private final ApiCalls api = new ApiCalls(node.node());

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
}
