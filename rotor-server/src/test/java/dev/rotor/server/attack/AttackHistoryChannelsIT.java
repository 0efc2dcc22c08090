package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Histories of ever new channels on the memory engine: a client with a valid token, allowed to publish, publishes a
 * message of ~60 KB into a new channel each time, in a namespace with history (subscribing to it first, as v1 asks of
 * a publishing client, and unsubscribing after, within one frame each time). Each channel keeps its history for
 * {@code history_lifetime}, so without a bound the attacked server's 128 MB heap is full after ~2,000 publications and
 * the process exits ({@code -XX:+ExitOnOutOfMemoryError}). {@code memory_history_budget} (by default a quarter of the
 * heap) holds the histories to it: every publication is acknowledged, the newest histories are kept, the oldest are
 * removed early, the operator is warned, and the bystanders are served throughout (docs/security.md, "Memory engine
 * history").
 */
class AttackHistoryChannelsIT {
    private static final String CONFIG = "\"namespaces\": [{\"name\": \"pub\", \"publish\": true, "
            + "\"history_size\": 10, \"history_lifetime\": 3600}]";
    /** 360 MB of publications in all, nearly three times the heap. */
    private static final int PUBLICATIONS = 6000;
    private static final String DATA = "\"" + "x".repeat(60_000) + "\"";

    @TempDir
    Path dir;

    @Test
    void aPublisherOfEverNewChannelsIsHeldToTheHistoryBudget() {
        try (RotorProcess server = Attack.server(dir, CONFIG);
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                WsTestClient attacker = Attack.connected(server, Attack.SECRET, "attacker")) {
            long deadline = System.nanoTime() + Attack.MAX.toNanos();
            int sent = 0;
            while (sent < PUBLICATIONS && System.nanoTime() < deadline) {
                String channel = "{\"channel\":\"pub:" + sent + "\"";
                send(server, attacker, sent, "[{\"uid\":\"s" + sent + "\",\"method\":\"subscribe\",\"params\":"
                        + channel + "}},{\"uid\":\"p" + sent + "\",\"method\":\"publish\",\"params\":" + channel
                        + ",\"data\":" + DATA + "}},{\"uid\":\"u" + sent + "\",\"method\":\"unsubscribe\",\"params\":"
                        + channel + "}}]");
                sent++;
            }
            int published = sent;
            assertThat(published).as("publications sent in %s", Attack.MAX).isGreaterThan(3000); // > 180 MB
            System.out.printf("AttackHistoryChannelsIT: %d publications sent%n", published);
            int[] acknowledged = {0};
            await("every publication acknowledged").atMost(Duration.ofSeconds(30)).until(() -> {
                String frame;
                while ((frame = attacker.frames().poll(10, TimeUnit.MILLISECONDS)) != null) {
                    assertThat(frame).doesNotContain("\"error\":\"");
                    if (frame.contains("\"method\":\"publish\"")) { // not the push of its own message
                        acknowledged[0]++;
                    }
                }
                return acknowledged[0] == published || !server.alive();
            });

            ApiTestClient api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.port() + "/api/"),
                    Attack.SECRET);
            JsonNode newest = api.call("{\"method\":\"history\",\"params\":{\"channel\":\"pub:" + (published - 1)
                    + "\"}}");
            JsonNode oldest = api.call("{\"method\":\"history\",\"params\":{\"channel\":\"pub:0\"}}");
            assertAll(
                    () -> assertThat(server.alive()).as("server alive; its log: %s", server.log()).isTrue(),
                    () -> assertThat(acknowledged[0]).as("publications acknowledged").isEqualTo(published),
                    () -> assertThat(newest.path(0).path("body").path("data")).as("newest history %s", newest)
                            .hasSize(1),
                    () -> assertThat(oldest.path(0).path("body").path("data")).as("oldest history %s", oldest)
                            .isEmpty(),
                    () -> assertThat(server.log()).contains("Memory engine history over its budget of ")
                            .contains("(memory_history_budget)"),
                    bystanders::assertUnharmed);
        }
    }

    /** Sends the {@code n}th frame; a failure says whether the server is still alive, and what it logged. */
    private static void send(RotorProcess server, WsTestClient attacker, int n, String frame) {
        try {
            attacker.send(frame);
        } catch (AssertionError e) {
            await().atMost(Duration.ofSeconds(5)).until(() -> !server.alive() || attacker.isClosed());
            throw new AssertionError("frame " + n + " not sent (server alive: " + server.alive() + "); its log: "
                    + server.log(), e);
        }
    }
}
