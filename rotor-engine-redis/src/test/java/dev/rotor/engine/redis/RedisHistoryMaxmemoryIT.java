package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * History of ever new channels on the Redis engine lives in Redis, and Redis's {@code maxmemory} bounds it
 * (docs/scaling.md, "Memory"): with Redis's default policy, {@code noeviction}, a publication whose history Redis
 * cannot store fails before anyone received it, and the publisher is told; every publication acknowledged before has
 * its history. (v1's script published first: the subscribers had the message that the publisher was told had failed.)
 */
class RedisHistoryMaxmemoryIT {
    private static final HistoryOptions HOUR = new HistoryOptions(10, 3600, false);
    private static final String NO_MAXMEMORY = "has no maxmemory";

    @RegisterExtension
    final LogCapture engineLog = new LogCapture(RedisEngine.class);

    /** Redis's default is no maxmemory; the engine says so once at start, naming the server. */
    @Test
    void aRedisWithoutMaxmemoryIsWarnedAboutAtStart() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            RedisEngine engine = RedisEngines.engine(server, "maxmemory");
            engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);
            try {
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> engineLog.messages().stream().anyMatch(m -> m.contains(NO_MAXMEMORY)));
                assertThat(engineLog.messages()).filteredOn(m -> m.contains(NO_MAXMEMORY)).singleElement()
                        .asString().startsWith("Redis 127.0.0.1:" + server.port() + "/0 has no maxmemory")
                        .contains("set maxmemory, with the policy noeviction");
            } finally {
                engine.close();
            }
        }
    }
    private static final RawJson TEN_KB = RawJson.of("\"" + "x".repeat(10_000) + "\"");

    @Test
    void aPublicationRedisCannotStoreFailsAndEveryAcknowledgedOneHasItsHistory() throws Exception {
        try (RedisServer server = RedisServer.start(List.of("--maxmemory", "4mb", "--maxmemory-policy",
                "noeviction"))) {
            RedisEngine engine = RedisEngines.engine(server, "maxmemory");
            RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(10));
            engine.start(listener).toCompletableFuture().get(10, TimeUnit.SECONDS);
            try {
                int acknowledged = 0;
                Throwable failure = null;
                for (int i = 0; i < 2000 && failure == null; i++) { // 20 MB of history against 4 MB
                    String channel = "news" + i;
                    engine.broker().subscribe(channel).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    try {
                        engine.broker().publish(new Message("m" + i, channel, TEN_KB, null, null), HOUR)
                                .toCompletableFuture().get(10, TimeUnit.SECONDS);
                        acknowledged++;
                    } catch (ExecutionException e) {
                        failure = e.getCause();
                    }
                }

                assertThat(engineLog.messages()).noneMatch(m -> m.contains(NO_MAXMEMORY));
                assertThat(failure).as("a publication past maxmemory").isNotNull()
                        .hasMessageContaining("OOM command not allowed");
                assertThat(acknowledged).isBetween(100, 400);
                // the last acknowledged publication arrived; the refused one, published on after it, did not
                String last = "news" + (acknowledged - 1);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !listener.messages(last).isEmpty());
                engine.broker().publish(new Message("marker", last, RawJson.of("1"), null, null), HistoryOptions.NONE)
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> listener.messages(last).size() == 2);
                assertThat(listener.messages("news" + acknowledged)).as("the refused publication")
                        .extracting(Message::uid).isEmpty();
                for (int i = 0; i < acknowledged; i++) {
                    assertThat(engine.historyStore().history("news" + i).toCompletableFuture()
                            .get(10, TimeUnit.SECONDS)).as("history of news%d", i).extracting(Message::uid)
                            .containsExactly("m" + i);
                }
            } finally {
                engine.close();
            }
        }
    }
}
