package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.WsTestClient;
import dev.rotor.testkit.redis.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Channel aliasing through a lone UTF-16 surrogate (issue 10): the channel {@code pub:} followed by U+D800 alone is
 * not well-formed Unicode, and a Redis engine that encodes it to UTF-8 writes {@code pub:?}, a different channel.
 * On both engines, a client's {@code subscribe} and {@code publish} and the API's {@code publish} into it must be
 * refused with {@code invalid message}, and a subscriber of {@code pub:?} must receive nothing published into it:
 * the next message it gets is a marker published into {@code pub:?} afterwards.
 */
class AttackLoneSurrogateIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** {@code pub:} and a lone high surrogate, as a JSON string body (the escape reaches the server's JSON parser). */
    private static final String MALFORMED = "pub:\\ud800";
    private static final String ALIAS = "pub:?";
    private static final String CONFIG = "\"namespaces\": [{\"name\": \"pub\", \"publish\": true}]";

    @TempDir
    Path dir;

    @Test
    void loneSurrogateChannelIsRefusedOnTheMemoryEngine() {
        try (RotorProcess server = Attack.server(dir, CONFIG)) {
            attack(server);
        }
    }

    @Test
    void loneSurrogateChannelIsRefusedOnTheRedisEngine() {
        try (RedisServer redis = RedisServer.start();
                RotorProcess server = Attack.server(dir, CONFIG, "--engine=redis", "--redis_host=127.0.0.1",
                        "--redis_port=" + redis.port())) {
            attack(server);
        }
    }

    private static void attack(RotorProcess server) {
        ApiTestClient api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.port() + "/api/"), Attack.SECRET);
        try (Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                WsTestClient subscriber = connected(server, "subscriber");
                WsTestClient subscribing = connected(server, "attacker");
                WsTestClient publishing = connected(server, "attacker")) {
            subscriber.send("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + ALIAS + "\"}}");
            assertThat(subscriber.awaitFrame(WAIT)).contains("\"status\":true");

            subscribing.send("{\"uid\":\"a\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + MALFORMED + "\"}}");
            publishing.send("{\"uid\":\"b\",\"method\":\"publish\",\"params\":{\"channel\":\"" + MALFORMED
                    + "\",\"data\":{\"aliased\":\"client\"}}}");
            JsonNode apiReply = api.call("{\"method\":\"publish\",\"params\":{\"channel\":\"" + MALFORMED
                    + "\",\"data\":{\"aliased\":\"api\"}}}");
            api.publish(ALIAS, "{\"marker\":true}");
            assertAll(
                    () -> assertThat(apiReply.path(0).path("error").asText()).as("API reply %s", apiReply)
                            .isEqualTo("invalid message"),
                    () -> assertRefused(subscribing, "subscribe"),
                    () -> assertRefused(publishing, "publish"),
                    () -> assertThat(subscriber.awaitFrame(WAIT)).as("the first message on %s", ALIAS)
                            .contains("\"marker\":true"),
                    bystanders::assertUnharmed);
        }
    }

    private static WsTestClient connected(RotorProcess server, String user) {
        return Attack.connected(server, Attack.SECRET, user);
    }

    /** The client got {@code invalid message}: as its reply's error, or as the reason it was disconnected. */
    private static void assertRefused(WsTestClient client, String command) {
        await(command + " into the malformed channel refused with invalid message").atMost(WAIT).until(() ->
                client.frames().stream().anyMatch(f -> f.contains("invalid message"))
                        || client.isClosed() && client.awaitClose(Duration.ZERO).reason().contains("invalid message"));
    }
}
