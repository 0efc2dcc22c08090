package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.StringJoiner;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The memory engine's history against {@code memory_history_budget} on {@code /metrics} (docs/monitoring.md): what
 * the histories count, the budget, and the histories removed over it, as publications fill more than the budget.
 */
class MemoryHistoryMetricsIT {
    private static final long BUDGET = 64 * 1024;

    @Test
    void theHistoryBytesTheBudgetAndTheEvictionsAreExported() throws Exception {
        NodeConfig.Builder node = NodeConfig.builder()
                .topLevel(ChannelOptions.builder().historySize(10).historyLifetime(60).build());
        try (TestServer server = TestServer.start(node, ServerConfig.builder().prometheus(true),
                new MemoryEngine(BUDGET))) {
            assertThat(sample(server, "rotor_memory_history_bytes")).isZero();
            assertThat(sample(server, "rotor_memory_history_evicted_total")).isZero();

            StringJoiner batch = new StringJoiner(",", "[", "]");
            for (int i = 0; i < 20; i++) { // 20 channels of ~1.2 KB each: within the budget
                batch.add("{\"method\":\"publish\",\"params\":{\"channel\":\"news" + i + "\",\"data\":\""
                        + "x".repeat(1000) + "\"}}");
            }
            assertThat(server.api(batch.toString()).statusCode()).isEqualTo(200);
            double within = sample(server, "rotor_memory_history_bytes");
            assertThat(within).isBetween(20 * 1000.0, (double) BUDGET);
            assertThat(sample(server, "rotor_memory_history_evicted_total")).isZero();

            batch = new StringJoiner(",", "[", "]");
            for (int i = 20; i < 200; i++) { // ~220 KB in all: more than three times the budget
                batch.add("{\"method\":\"publish\",\"params\":{\"channel\":\"news" + i + "\",\"data\":\""
                        + "x".repeat(1000) + "\"}}");
            }
            assertThat(server.api(batch.toString()).statusCode()).isEqualTo(200);

            assertThat(sample(server, "rotor_memory_history_budget_bytes")).isEqualTo((double) BUDGET);
            assertThat(sample(server, "rotor_memory_history_bytes")).isBetween(within, (double) BUDGET);
            assertThat(sample(server, "rotor_memory_history_evicted_total")).isGreaterThanOrEqualTo(140.0);
        }
    }

    /** The value of a series without labels in a fresh scrape; fails when it is absent. */
    private static double sample(TestServer server, String name) throws Exception {
        String body = server.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.server().boundAdminPort() + "/metrics")).GET().build()).body();
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(body);
        assertThat(m.find()).as("%s in %s", name, body).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
