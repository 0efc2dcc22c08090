package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.auth.Hmac;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.WsTestClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The less travelled corners of client-protocol.md, http-api.md and configuration.md §7. */
class EdgeCasesIT extends ProtocolSupport {

    @Test
    void paramsOfTheWrongShapeAreFatal() throws Exception {
        start(config());
        for (String bad : new String[] {
                "{\"method\":\"subscribe\",\"params\":\"news\"}",
                "{\"method\":\"subscribe\",\"params\":{\"channel\":42}}",
                "{\"method\":\"subscribe\"}",
                "{\"method\":\"publish\",\"params\":[1]}"}) {
            Client c = connect("u");
            c.send(bad);
            assertThat(c.awaitClose().reason()).as(bad).isEqualTo(advice("invalid message", false));
        }
    }

    @Test
    void insecureModeAnnouncesTheLifetimeButNeverExpires() throws Exception {
        start(config().insecure(true).connectionLifetime(1).expiredConnectionCloseDelay(0));
        WsTestClient c = open();
        c.send("{\"method\":\"connect\",\"params\":{\"user\":\"u\"}}");
        assertThat(c.awaitFrame(WAIT)).contains("\"expires\":true,\"expired\":false,\"ttl\":1");
        c.assertNoFrame(Duration.ofMillis(2500));
        c.send("{\"uid\":\"p\",\"method\":\"ping\"}");
        assertThat(c.awaitFrame(WAIT)).isEqualTo("{\"uid\":\"p\",\"method\":\"ping\"}");
    }

    @Test
    void refreshDoesNotCompareTheUser() throws Exception {
        start(config().connectionLifetime(60));
        Client c = connect("alice");
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        assertThat(c.call("{\"uid\":\"r\",\"method\":\"refresh\",\"params\":{\"user\":\"mallory\",\"timestamp\":\"" + ts
                + "\",\"token\":\"" + server.token("mallory", ts, "") + "\"}}"))
                .contains("\"client\":\"" + c.id() + "\"").contains("\"expired\":false");
    }

    @Test
    void anExpiredConnectDoesNotRestartTheStaleTimer() throws Exception {
        // stale delay 3 s; an expired connect at 2 s. Not restarted: closed at ~3 s; restarted it would be ~5 s.
        start(config().connectionLifetime(10).staleConnectionCloseDelay(3));
        WsTestClient c = open();
        long opened = System.nanoTime();
        Thread.sleep(2000);
        String old = Long.toString(System.currentTimeMillis() / 1000 - 100);
        c.send("{\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + old + "\",\"token\":\""
                + server.token("u", old, "") + "\"}}");
        assertThat(c.awaitFrame(WAIT)).contains("\"expired\":true");
        assertThat(c.awaitClose(WAIT).reason()).isEqualTo(advice("stale", false));
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isLessThan(Duration.ofMillis(4500));
    }

    @Test
    void userLimitedChannelWithAnEmptyPartStillNeedsAnonymousAccess() throws Exception {
        start(config().namespace("anon", ChannelOptions.builder().anonymous(true).build()));
        Client c = connect("");
        assertThat(c.call(subscribe("1", "dialog#,42"))).isEqualTo(subscribeError("1", "dialog#,42", "permission denied"));
        assertThat(c.call(subscribe("2", "anon:dialog#,42"))).isEqualTo(subscribeOk("2", "anon:dialog#,42"));
    }

    @Test
    void reloadedChannelOptionsApplyToTheNextCommand() throws Exception {
        start(config());
        Client c = connect("u");
        assertThat(c.call(subscribe("1", "fresh:x"))).isEqualTo(subscribeError("1", "fresh:x", "namespace not found"));
        server.server().reload(server.server().node().config().toBuilder()
                .namespace("fresh", ChannelOptions.builder().publish(true).build()).build());
        assertThat(c.call(subscribe("2", "fresh:x"))).isEqualTo(subscribeOk("2", "fresh:x"));
    }

    @Test
    void statsShowsCounterDeltasOfTheLastCompletedInterval() throws Exception {
        start(config().nodeMetricsInterval(1).nodePingInterval(1));
        for (int i = 0; i < 3; i++) {
            server.api("{\"method\":\"channels\"}");
        }
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(server.api("{\"method\":\"stats\"}").body())
                .containsPattern("\"http_api_num_requests\":[1-9]").contains("\"metrics_interval\":1"));
    }

    @Test
    void aReloadedMetricsIntervalReschedulesTheMetricsWindow() throws Exception {
        // started with a 60 s window the snapshot would stay all zeros for a minute; after the reload it rotates every second
        start(config().nodeMetricsInterval(60).nodePingInterval(1));
        server.server().reload(server.server().node().config().toBuilder().nodeMetricsInterval(1).build());
        for (int i = 0; i < 3; i++) {
            server.api("{\"method\":\"channels\"}");
        }
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(server.api("{\"method\":\"stats\"}").body())
                .containsPattern("\"http_api_num_requests\":[1-9]").contains("\"metrics_interval\":1"));
    }

    @Test
    void aReloadedPresencePingIntervalReschedulesThePresenceRefresh() throws Exception {
        start(config().topLevel(ChannelOptions.builder().presence(true).build()).connectionLifetime(600));
        Client c = connect("u", "{\"v\":1}");
        c.call(subscribe("1", "room"));
        server.server().reload(server.server().node().config().toBuilder().presencePingInterval(1).build());
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        assertThat(c.call(server.refreshFrame("r", "u", ts, "{\"v\":2}")))
                .contains("\"expired\":false");
        // with the start-up interval of 25 s the presence entry would keep the old info far beyond this wait
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(
                c.call("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}"))
                .contains("\"default_info\":{\"v\":2}"));
    }

    @Test
    void aNamespaceRemovedByAReloadAnswersItsSubscribersLikeV1() throws Exception {
        start(config().namespace("ns", ChannelOptions.builder().publish(true).presence(true).historySize(5)
                .historyLifetime(60).build()));
        Client c = connect("u");
        assertThat(c.call(subscribe("1", "ns:x"))).isEqualTo(subscribeOk("1", "ns:x"));
        server.server().reload(server.server().node().config().toBuilder().namespaces(java.util.Map.of()).build());
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"presence\",\"params\":{\"channel\":\"ns:x\"}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"presence\",\"error\":\"namespace not found\",\"advice\":\"retry\","
                        + "\"body\":{\"channel\":\"ns:x\",\"data\":null}}");
        assertThat(c.call("{\"uid\":\"3\",\"method\":\"history\",\"params\":{\"channel\":\"ns:x\"}}"))
                .isEqualTo("{\"uid\":\"3\",\"method\":\"history\",\"error\":\"namespace not found\",\"advice\":\"retry\","
                        + "\"body\":{\"channel\":\"ns:x\",\"data\":null}}");
        assertThat(c.call("{\"uid\":\"4\",\"method\":\"publish\",\"params\":{\"channel\":\"ns:x\",\"data\":1}}"))
                .isEqualTo("{\"uid\":\"4\",\"method\":\"publish\",\"error\":\"internal server error\",\"advice\":\"retry\","
                        + "\"body\":{\"channel\":\"ns:x\",\"status\":false}}");
        assertThat(c.call("{\"uid\":\"5\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"ns:x\"}}"))
                .isEqualTo("{\"uid\":\"5\",\"method\":\"unsubscribe\",\"error\":\"namespace not found\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"ns:x\",\"status\":false}}");
    }

    @Test
    void aReloadedNameIsAnnouncedAtTheNextNodePing() throws Exception {
        start(config().name("before").nodePingInterval(1));
        server.server().reload(server.server().node().config().toBuilder().name("after").build());
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(server.api("{\"method\":\"stats\"}").body())
                .contains("\"name\":\"after\"").doesNotContain("\"name\":\"before\""));
    }

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

    @Test
    void apiPublishIgnoresClientSideChannelOptions() throws Exception {
        start(config().namespace("ro", ChannelOptions.builder().build()));
        Client c = connect("u");
        c.call(subscribe("1", "ro:x"));
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"ro:x\",\"data\":\"hi\"}}");
        assertThat(c.next()).endsWith("\"channel\":\"ro:x\",\"data\":\"hi\"}}");
    }
}
