package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.allFeatures;
import static dev.rotor.server.redis.RedisNodes.publish;
import static dev.rotor.server.redis.RedisNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisExtension;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two and three real Rotor nodes sharing one real redis-server (redis-engine.md §5–§7): publications, presence,
 * history, join/leave, API unsubscribe/disconnect and recovery work across nodes, and {@code stats} lists every node.
 */
class RedisMultiNodeIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @AutoClose
    private final RedisNodes nodes = new RedisNodes(redis);

    @Test
    void apiPublishOnOneNodeReachesSubscribersOfEveryNode() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        TestServer c = nodes.start(allFeatures("c"));
        Client onB = nodes.subscribed(b, "ub", "news");
        Client onC = nodes.subscribed(c, "uc", "news");

        assertThat(a.api(publish("news", "{\"n\":1}")).body()).contains("\"error\":null");

        assertThat(onB.nextContaining("\"method\":\"message\"")).contains("\"channel\":\"news\",\"data\":{\"n\":1}");
        assertThat(onC.nextContaining("\"method\":\"message\"")).contains("\"channel\":\"news\",\"data\":{\"n\":1}");
    }

    @Test
    void clientPublishOnOneNodeReachesAClientOfAnotherWithItsInfo() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client onB = nodes.subscribed(b, "bob", "chat");
        Client onA = nodes.subscribed(a, "alice", "chat");

        onA.send("{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"chat\",\"data\":{\"t\":\"hi\"}}}");

        String push = onB.nextContaining("\"method\":\"message\"");
        assertThat(push).contains("\"client\":\"" + onA.id() + "\"", "\"user\":\"alice\"", "\"data\":{\"t\":\"hi\"}");
    }

    @Test
    void presenceAndHistoryAreTheSameOnEveryNode() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client onA = nodes.subscribed(a, "alice", "room");

        a.api(publish("room", "{\"n\":1}"));
        a.api(publish("room", "{\"n\":2}"));

        String presence = b.api("{\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}").body();
        assertThat(presence).contains("\"" + onA.id() + "\"", "\"user\":\"alice\"");
        String history = b.api("{\"method\":\"history\",\"params\":{\"channel\":\"room\"}}").body();
        assertThat(history).containsSubsequence("\"data\":{\"n\":2}", "\"data\":{\"n\":1}");
        String channels = b.api("{\"method\":\"channels\",\"params\":{}}").body();
        assertThat(channels).contains("\"room\"");
    }

    @Test
    void joinAndLeaveOfAClientOnOneNodeReachAnother() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client watcher = nodes.subscribed(b, "watcher", "room");
        Client alice = nodes.connect(a, "alice");

        alice.send(subscribe("1", "room"));
        // The watcher's own join may arrive after its subscribe reply (Redis round trip); skip to alice's.
        assertThat(watcher.nextContaining("\"user\":\"alice\"")).startsWith("{\"method\":\"join\"");
        alice.send("{\"uid\":\"2\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"room\"}}");

        assertThat(watcher.nextContaining("\"user\":\"alice\"")).startsWith("{\"method\":\"leave\"");
    }

    @Test
    void apiUnsubscribeAndDisconnectReachUsersOnEveryNode() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client bob = nodes.subscribed(b, "bob", "news");

        a.api("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"news\",\"user\":\"bob\"}}");
        assertThat(bob.nextContaining("\"method\":\"unsubscribe\"")).contains("\"channel\":\"news\"");
        a.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}");

        assertThat(bob.awaitClose().reason()).isEqualTo("{\"reason\":\"disconnect\",\"reconnect\":false}");
    }

    @Test
    void aClientRecoversMissedMessagesOnAnotherNode() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));
        Client first = nodes.subscribed(a, "alice", "feed");
        b.api(publish("feed", "{\"n\":1}"));
        String seen = first.nextContaining("\"method\":\"message\"");
        String last = uidOf(seen);
        first.ws().abort();

        b.api(publish("feed", "{\"n\":2}"));
        b.api(publish("feed", "{\"n\":3}"));
        Client again = nodes.connect(b, "alice");
        again.send("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"feed\",\"recover\":true,"
                + "\"last\":\"" + last + "\"}}");

        String reply = again.nextContaining("\"method\":\"subscribe\"");
        assertThat(reply).contains("\"recovered\":true")
                .containsSubsequence("\"data\":{\"n\":3}", "\"data\":{\"n\":2}")
                .doesNotContain("\"data\":{\"n\":1}");
    }

    @Test
    void statsListsEveryNodeAndDropsAStoppedOne() throws Exception {
        TestServer a = nodes.start(allFeatures("a"));
        TestServer b = nodes.start(allFeatures("b"));

        Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
                assertThat(a.api("{\"method\":\"stats\",\"params\":{}}").body())
                        .contains("\"name\":\"a\"", "\"name\":\"b\""));
        nodes.stop(b);

        // v1 drops a node not heard from for 2 × node_ping_interval + 1 seconds (checked periodically).
        Awaitility.await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(a.api("{\"method\":\"stats\",\"params\":{}}").body())
                        .contains("\"name\":\"a\"").doesNotContain("\"name\":\"b\""));
    }

    private static String uidOf(String push) {
        Matcher m = Pattern.compile("\"uid\":\"([0-9A-Za-z]{22})\"").matcher(push);
        assertThat(m.find()).as("uid in %s", push).isTrue();
        return m.group(1);
    }
}
