package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.redis.RedisServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One signed API request that fans out into more Redis commands than the heap can hold at once, on the Redis engine
 * of a server with a 128 MB heap: a {@code broadcast} of 1 MB of {@code data} to 400 channels (400 MB of payloads
 * from a body of 1 MB, well under the body limit). The engine started every publication together, each with its own
 * encoded payload, and the process exited on OutOfMemoryError. The publication budget keeps what is on its way to
 * Redis to a sixteenth of the heap: the rest waits, in order, holding only the shared {@code data}; the request is
 * answered without error, and the bystanders are served throughout (docs/scaling.md, "Publications in flight").
 */
class AttackRedisFanOutIT {
    private static final int CHANNELS = 400;

    @TempDir
    Path dir;

    @Test
    void aBroadcastOfLargeDataToManyChannelsIsHeldToThePublicationBudget() {
        try (RedisServer redis = RedisServer.start();
                RotorProcess server = Attack.server(dir, "", "--engine=redis", "--redis_host=127.0.0.1",
                        "--redis_port=" + redis.port());
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET)) {
            StringJoiner channels = new StringJoiner(",", "[", "]");
            for (int i = 0; i < CHANNELS; i++) {
                channels.add("\"wide" + i + "\"");
            }
            String data = "\"" + "x".repeat(1 << 20) + "\"";
            ApiTestClient api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.port() + "/api/"),
                    Attack.SECRET);
            JsonNode reply = api.call("{\"method\":\"broadcast\",\"params\":{\"channels\":" + channels
                    + ",\"data\":" + data + "}}");
            assertAll(
                    () -> assertThat(reply.path(0).path("error").isNull()).as("reply %s", reply.path(0).path("error"))
                            .isTrue(),
                    () -> assertThat(server.alive()).as("server alive; its log: %s", server.log()).isTrue(),
                    bystanders::assertUnharmed);
        }
    }
}
