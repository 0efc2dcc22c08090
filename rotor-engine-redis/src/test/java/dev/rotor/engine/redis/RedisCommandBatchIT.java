package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RedisEngine#batch} on a real Redis: a batch of publications reaches Redis in one write and a few reads,
 * keeps each channel's order, goes out in several writes past {@link CommandBatch#MAX_COMMANDS}, survives scripts
 * flushed by Redis, and fails every publication when Redis dies in the middle (at once) or does not answer (at the
 * command timeout).
 */
class RedisCommandBatchIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);
    private static final HistoryOptions HISTORY = new HistoryOptions(100, 60, false);

    private final RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(10));
    private RedisEngine engine;

    @BeforeEach
    void start() throws Exception {
        engine = new RedisEngine(RedisEngines.config(redis.server(), redis.prefix()).commandTimeout(COMMAND_TIMEOUT)
                .build());
        engine.start(listener).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static Message message(String channel, int n) {
        return new Message("m" + n, channel, RawJson.of("{\"n\":" + n + "}"), null, null);
    }

    /** Publishes {@code count} messages round-robin over {@code channels} in one batch; the stages in call order. */
    private List<CompletableFuture<Void>> publishBatch(int count, List<String> channels, HistoryOptions history) {
        return engine.batch(() -> {
            List<CompletableFuture<Void>> started = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                started.add(engine.broker().publish(message(channels.get(i % channels.size()), i), history)
                        .toCompletableFuture());
            }
            return started;
        });
    }

    private static void awaitAll(List<CompletableFuture<Void>> started) throws Exception {
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
    }

    /** Reads Redis processed, not counting the PINGs and INFOs that reached it meanwhile (each is its own read). */
    private static long readsBesidesPings() {
        String info = redis.server().command("INFO", "stats") + redis.server().command("INFO", "commandstats");
        return stat(info, "total_reads_processed:(\\d+)") - stat(info, "cmdstat_ping:calls=(\\d+)")
                - stat(info, "cmdstat_info:calls=(\\d+)");
    }

    private static long stat(String info, String regex) {
        Matcher m = Pattern.compile(regex).matcher(info);
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    @Test
    void aBatchOfPublicationsGoesOutInOneWriteAndFewReads() throws Exception {
        ShardClient shard = (ShardClient) engine.shards().get(0);
        long writes = shard.writes();
        long reads = readsBesidesPings();

        awaitAll(publishBatch(100, List.of("a", "b", "c"), HistoryOptions.NONE));
        awaitAll(publishBatch(100, List.of("a", "b", "c"), HISTORY));

        assertThat(shard.writes() - writes).isEqualTo(2);
        // 100 PUBLISH are 11 KB, 100 EVALSHA 33 KB; Redis reads up to 16 KB at a time. Unbatched: 200 reads.
        assertThat(readsBesidesPings() - reads).isBetween(2L, 8L);
    }

    @Test
    void aBatchLongerThanTheBoundGoesOutInSeveralWrites() throws Exception {
        ShardClient shard = (ShardClient) engine.shards().get(0);
        long writes = shard.writes();

        awaitAll(publishBatch(2 * CommandBatch.MAX_COMMANDS + 1, List.of("a"), HistoryOptions.NONE));

        assertThat(shard.writes() - writes).isEqualTo(3);
    }

    @Test
    void eachChannelKeepsItsOrderAcrossABatch() throws Exception {
        List<String> channels = List.of("a", "b", "c", "d", "e");
        for (String ch : channels) {
            engine.broker().subscribe(ch).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }

        awaitAll(publishBatch(100, channels, HISTORY));

        for (int c = 0; c < channels.size(); c++) {
            String ch = channels.get(c);
            List<Message> expected = new ArrayList<>();
            for (int i = c; i < 100; i += channels.size()) {
                expected.add(message(ch, i));
            }
            assertThat(listener.awaitMessages(ch, 20)).containsExactlyElementsOf(expected);
            List<Message> history = engine.historyStore().history(ch).toCompletableFuture().get(10, TimeUnit.SECONDS);
            Collections.reverse(expected);
            assertThat(history).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void scriptsFlushedByRedisAreLoadedAgainForABatch() throws Exception {
        assertThat(redis.server().command("SCRIPT", "FLUSH")).startsWith("+OK");

        awaitAll(publishBatch(3, List.of("h"), HISTORY));

        // every EVALSHA got NOSCRIPT and was repeated as EVAL, in the order of the replies: the batch's order
        assertThat(engine.historyStore().history("h").toCompletableFuture().get(10, TimeUnit.SECONDS))
                .containsExactly(message("h", 2), message("h", 1), message("h", 0));
    }

    @Test
    void redisDyingInTheMiddleOfABatchFailsEveryPublicationWithinTheCommandTimeout() throws Exception {
        List<CompletableFuture<Void>> started = engine.batch(() -> {
            List<CompletableFuture<Void>> out = new ArrayList<>(publishBatch(50, List.of("a", "b"), HISTORY));
            redis.server().kill();
            out.addAll(publishBatch(50, List.of("a", "b"), HISTORY));
            return out;
        });

        // Lettuce sees the connection drop before the batch is written: every command is refused at once.
        awaitFailed(started, Duration.ofSeconds(5));

        redis.server().restart();
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(engine::healthy);
        awaitAll(publishBatch(2, List.of("a"), HISTORY));
    }

    @Test
    void aBatchRedisDoesNotAnswerFailsEveryPublicationAtTheCommandTimeout() throws Exception {
        // CLIENT PAUSE holds every client's commands in Redis: the batch is written but not answered in time.
        assertThat(redis.server().command("CLIENT", "PAUSE", "4000", "ALL")).startsWith("+OK");

        List<CompletableFuture<Void>> started = publishBatch(100, List.of("a", "b"), HISTORY);

        awaitFailed(started, COMMAND_TIMEOUT.plusSeconds(3));
        assertThat(started.get(0).handle((v, e) -> ShardClient.unwrap(e)).join())
                .isInstanceOf(io.lettuce.core.RedisCommandTimeoutException.class);
        awaitPauseOver();
        awaitAnswering();
        awaitAll(publishBatch(2, List.of("a"), HistoryOptions.NONE));
    }

    @Test
    void aReadRedisDoesNotAnswerFailsAtTheCommandTimeoutToo() throws Exception {
        // reads are not written by the batch (no WriteDeadline): Lettuce's own timer per command still covers them
        assertThat(redis.server().command("CLIENT", "PAUSE", "4000", "ALL")).startsWith("+OK");

        CompletableFuture<?> read = engine.historyStore().history("a").toCompletableFuture();

        Awaitility.await().atMost(COMMAND_TIMEOUT.plusSeconds(3)).until(read::isDone);
        assertThat(read.handle((v, e) -> ShardClient.unwrap(e)).join())
                .isInstanceOf(io.lettuce.core.RedisCommandTimeoutException.class);
        awaitPauseOver();
    }

    /**
     * A Redis that stops answering with its connections open (SIGSTOP): once the engine's PING probe has timed out,
     * a publication fails at once, saying so, instead of queueing its bytes behind the unanswered ones (which a
     * publisher kept adding to until the node ran out of direct memory); once Redis answers again, publications go
     * through.
     */
    @Test
    void publicationsToARedisThatStoppedAnsweringFailAtOnceUntilItAnswersAgain() throws Exception {
        redis.server().pause();
        try {
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                CompletableFuture<Void> f = engine.broker().publish(message("a", 1), HistoryOptions.NONE)
                        .toCompletableFuture();
                return f.isCompletedExceptionally() && f.handle((v, e) -> ShardClient.unwrap(e)).join()
                        instanceof io.lettuce.core.RedisConnectionException refused
                        && refused.getMessage().contains("does not answer");
            });
        } finally {
            redis.server().resume();
        }
        awaitPauseOver();
        awaitAnswering();
    }

    /**
     * Waits until a publication goes through: after a stall as long as the command timeout, publications are refused
     * until the engine's next PING probe (once a second) is answered.
     */
    private void awaitAnswering() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            engine.broker().publish(message("a", 2), HistoryOptions.NONE).toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            return true;
        });
    }

    /**
     * Waits until Redis answers again. CLIENT UNPAUSE cannot end the pause early: Redis holds it like every other
     * command until the pause is over, and the test kit's 2 s read timeout then left a margin of a tenth of a second.
     */
    private static void awaitPauseOver() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> redis.server().command("PING").startsWith("+PONG"));
    }

    private static void awaitFailed(List<CompletableFuture<Void>> started, Duration within) {
        Awaitility.await().atMost(within).until(() -> started.stream().allMatch(CompletableFuture::isDone));
        assertThat(started).allMatch(CompletableFuture::isCompletedExceptionally);
    }
}
