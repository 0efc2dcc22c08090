package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static dev.rotor.server.redis.RedisNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testing.LogCapture;
import dev.rotor.testkit.redis.RedisExtension;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * redis-server dies and comes back on the same port (docs/scaling.md "Failure behaviour"): {@code /health} turns 503
 * within 5 s and 200 after recovery, engine commands fail fast meanwhile, subscribers are told to reconnect and
 * recover, and messages flow again afterwards.
 */
class RedisOutageIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    @RegisterExtension
    final LogCapture controlLog = new LogCapture("dev.rotor.engine.redis.ControlLog");

    private static final ChannelOptions HISTORY = ChannelOptions.builder().publish(true).historySize(10)
            .historyLifetime(60).recover(true).build();

    private RedisNodes nodes;
    private TestServer node;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new RedisNodes(redis);
        node = nodes.start(NodeConfig.builder().topLevel(HISTORY));
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    private HttpResponse<String> health() throws Exception {
        return node.send(HttpRequest.newBuilder(node.uri("/health")).timeout(Duration.ofSeconds(5)).GET().build());
    }

    @Test
    void healthFollowsRedisAndSubscribersAreToldToRecover() throws Exception {
        Client client = nodes.subscribed(node, "alice", "feed");
        assertThat(health().statusCode()).isEqualTo(200);
        assertThat(health().body()).isEqualTo("{\"status\":\"ok\"}");

        redis.server().kill();

        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> health().statusCode() == 503);
        assertThat(health().body()).isEqualTo("{\"status\":\"unavailable\"}");
        // Commands fail at once while disconnected instead of queueing (the HTTP client would time out first).
        String failed = node.api(publish("feed", "{\"n\":0}")).body();
        assertThat(failed).contains("\"method\":\"publish\"").doesNotContain("\"error\":null");

        redis.server().restart();

        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> health().statusCode() == 200);
        assertThat(client.awaitClose().reason()).isEqualTo("{\"reason\":\"subscriptions lost\",\"reconnect\":true}");
        // control messages of the gap are read from the control log (none were sent: RedisControlLogRecoveryIT)
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> controlLog.messages().stream()
                .anyMatch(m -> m.equals("Redis: 0 disconnect and unsubscribe commands this node missed were recovered"
                        + " from the control log")));

        Client again = nodes.connect(node, "alice");
        again.send("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"feed\",\"recover\":true}}");
        again.nextContaining("\"method\":\"subscribe\"");
        assertThat(node.api(publish("feed", "{\"n\":1}")).body()).contains("\"error\":null");
        assertThat(again.nextContaining("\"method\":\"message\"")).contains("\"data\":{\"n\":1}");
    }

    @Test
    void clientCommandsFailFastWhileRedisIsDown() throws Exception {
        Client client = nodes.subscribed(node, "bob", "feed");

        redis.server().kill();
        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> health().statusCode() == 503);

        client.send("{\"uid\":\"2\",\"method\":\"history\",\"params\":{\"channel\":\"feed\"}}");
        assertThat(client.nextContaining("\"uid\":\"2\"")).contains("\"error\":\"internal server error\"");
        // The connection is not stuck behind the failed command: a ping is answered.
        client.send("{\"uid\":\"3\",\"method\":\"ping\"}");
        assertThat(client.nextContaining("\"uid\":\"3\"")).contains("\"method\":\"ping\"");
    }

    @Test
    void aRedisThatStopsAnsweringWithoutClosingTheConnectionMakesTheNodeUnhealthy() throws Exception {
        assertThat(health().statusCode()).isEqualTo(200);

        // CLIENT PAUSE stalls every client while the sockets stay open, as a silent network loss would.
        assertThat(redis.server().command("CLIENT", "PAUSE", "6000", "ALL")).startsWith("+OK");

        Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(100))
                .until(() -> health().statusCode() == 503);
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> health().statusCode() == 200);
    }
}
