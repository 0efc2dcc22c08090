package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.auth.Hmac;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Corners that involve the server itself: counters kept by the WebSocket transport next to the node's, and the API
 * sign header's case. The protocol corners are unit-tested in rotor-core ({@code dev.rotor.node.*Test}).
 */
class EdgeCasesIT extends ProtocolSupport {

    @Test
    void nodeGaugesAndCountersCountWhatTheSpecSays() throws Exception {
        start(config().nodePingInterval(1).insecure(true));
        Client a1 = connect("a");
        connect("a");
        Client anon1 = connect("");
        connect("");
        open(); // not authenticated: not a client yet
        a1.call(subscribe("1", "x"));
        anon1.call(subscribe("1", "x"));
        anon1.call(subscribe("2", "y"));
        // node_num_* gauges are refreshed at each node ping; anonymous users count as one unique user
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(server.api("{\"method\":\"node\"}").body())
                .contains("\"node_num_clients\":4,").contains("\"node_num_unique_clients\":2,")
                .contains("\"node_num_channels\":2,"));
        String node = server.api("{\"method\":\"node\"}").body();
        assertThat(node).contains("\"client_num_connect\":4,").contains("\"client_num_subscribe\":3,")
                .contains("\"http_raw_ws_num_requests\":5,").contains("\"node_num_add_client_conn\":4,")
                .contains("\"node_num_add_client_sub\":3,");
    }

    @Test
    void theSignHeaderNameIsCaseInsensitiveAsGoCanonicalisesIt() throws Exception {
        start(config());
        String body = "{\"method\":\"channels\"}";
        var r = server.send(HttpRequest.newBuilder(server.uri("/api/")).header("Content-Type", "Application/JSON; charset=utf-8")
                .header("x-api-sign", Hmac.apiSign(TestServer.SECRET, body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertThat(r.statusCode()).isEqualTo(200);
    }
}
