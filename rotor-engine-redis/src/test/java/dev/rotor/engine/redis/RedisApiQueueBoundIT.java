package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Redis API queue's bound on a real Redis (docs/security.md, "Redis"): an entry longer than the limit never
 * reaches the handler, and a batch holds at most the limit's bytes (or one entry), where v1's script took the first
 * 65 entries whatever their size.
 */
class RedisApiQueueBoundIT {
    private static final int LIMIT = 1000;

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    @RegisterExtension
    final LogCapture queueLog = new LogCapture("dev.rotor.engine.redis.ApiQueueWorker");

    private RedisEngine started(boolean api) throws Exception {
        RedisEngine engine = new RedisEngine(RedisEngines.config(redis.server(), redis.prefix()).api(api).build());
        engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return engine;
    }

    private static String entry(char c, int length) {
        return String.valueOf(c).repeat(length);
    }

    private void rpush(String queue, String... entries) {
        for (String e : entries) {
            assertThat(redis.server().command("RPUSH", queue, e)).startsWith(":");
        }
    }

    /** What one run of the batch script answers: an entry as text, a dropped one as its length. */
    private static List<String> batch(RedisEngine engine, String queue) throws Exception {
        byte[] limit = bytes(Integer.toString(LIMIT));
        List<Object> reply = engine.shards().get(0).<List<Object>>script(Scripts.API_BATCH, ScriptOutputType.MULTI,
                new byte[][] {bytes(queue)}, bytes("65"), limit, limit).toCompletableFuture().get(10, TimeUnit.SECONDS);
        List<String> out = new ArrayList<>();
        for (Object o : reply) {
            out.add(o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : "dropped " + o);
        }
        return out;
    }

    @Test
    void aBatchHoldsAtMostTheLimitsBytesAndALongerEntryOnlyAsItsLength() throws Exception {
        String queue = redis.prefix() + ".batch";
        rpush(queue, entry('a', 400), entry('b', 400), entry('c', 400), entry('d', 5000), entry('e', 10),
                entry('f', 2000), entry('g', 1));
        try (RedisEngine engine = started(false)) {
            assertThat(batch(engine, queue)).containsExactly(entry('a', 400), entry('b', 400));
            assertThat(batch(engine, queue)).containsExactly(entry('c', 400), "dropped 5000", entry('e', 10),
                    "dropped 2000", entry('g', 1));
            assertThat(batch(engine, queue)).isEmpty();
            assertThat(redis.server().command("LLEN", queue)).startsWith(":0");
        }
    }

    @Test
    void theWorkerHandsOnlyEntriesWithinTheLimitToTheHandlerInOrder() throws Exception {
        String queue = redis.prefix() + ".api";
        try (RedisEngine engine = started(true)) {
            List<String> handled = new CopyOnWriteArrayList<>();
            engine.consumeApiQueue(bytes -> {
                handled.add(new String(bytes, StandardCharsets.UTF_8));
                return CompletableFuture.completedFuture(null);
            }, LIMIT);
            // the first entry may be taken by BLPOP, the rest by batches
            rpush(queue, entry('a', 10), entry('b', LIMIT + 1), entry('c', 20), entry('d', 100_000), entry('e', 30));

            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() >= 3);
            assertThat(handled).containsExactly(entry('a', 10), entry('c', 20), entry('e', 30));
            assertThat(engine.losses()).hasValueSatisfying(l -> assertThat(l.apiEntriesDropped()).isEqualTo(2));
            assertThat(queueLog.messages()).anyMatch(m -> m.contains("an entry of " + (LIMIT + 1) + " bytes is"
                    + " longer than " + LIMIT));
        }
    }
}
