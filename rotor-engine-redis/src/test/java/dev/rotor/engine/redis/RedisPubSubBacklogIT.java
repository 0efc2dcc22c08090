package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.ForwardingEngineListener;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Messages from Redis wait for their lane (the thread that hands a channel's messages to the node in order). A node
 * slower than what Redis sends it queued them without a bound until the heap was full. The backlog now counts at most
 * the publication budget: past it a message is dropped, the operator warned, and the channel's subscribers told, as
 * after a lost subscription, so that they recover from history (docs/scaling.md, "Publications in flight").
 */
class RedisPubSubBacklogIT {
    private static final long BUDGET = 64 * 1024;
    /** Never printed: a failed assertion shows uids, not 10 KB of data per message. */
    private static final RawJson TEN_KB = RawJson.of("\"" + "x".repeat(10_000) + "\"");

    @RegisterExtension
    final LogCapture engineLog = new LogCapture(RedisEngine.class);

    @Test
    void aBacklogPastTheBudgetDropsMessagesAndTellsTheChannelsSubscribersToRecover() throws Exception {
        try (RedisServer server = RedisServer.start()) {
            RedisEngine engine = new RedisEngine(RedisEngines.config(server, "backlog").publishBudget(BUDGET)
                    .pubsubWorkers(1).build());
            CountDownLatch gate = new CountDownLatch(1);
            RecordingEngineListener recorder = new RecordingEngineListener(Duration.ofSeconds(10));
            engine.start(new GatedListener(gate, recorder)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            try {
                assertThat(engineLog.messages()).contains("Publications on their way to Redis, and messages from it "
                        + "waiting for delivery, count at most " + BUDGET + " bytes each");
                engine.broker().subscribe("slow").toCompletableFuture().get(10, TimeUnit.SECONDS);
                HistoryOptions none = new HistoryOptions(0, 0, false);
                AtomicLong most = new AtomicLong();
                for (int i = 0; i < 100; i++) { // 1 MB against a 64 KB backlog, the lane held by the first
                    engine.broker().publish(new Message("m" + i, "slow", TEN_KB, null, null), none)
                            .toCompletableFuture().get(10, TimeUnit.SECONDS);
                    most.accumulateAndGet(engine.backlog(), Math::max);
                }
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engineLog.messages().stream()
                        .anyMatch(m -> m.contains("arrive faster than this node delivers them")));
                most.accumulateAndGet(engine.backlog(), Math::max);
                gate.countDown();

                String lost = new RecordingEngineListener.Lost(Set.of("slow")).toString();
                List<String> events = Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> summary(recorder), e -> e.contains(lost));
                List<Message> delivered = recorder.messages("slow");
                assertThat(most.get()).as("bytes waiting for the lane").isPositive().isLessThan(BUDGET + 11_000);
                assertThat(delivered.size()).as("messages delivered").isBetween(2, 20);
                assertThat(delivered).extracting(Message::uid).isSortedAccordingTo((a, b) ->
                        Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))));
                assertThat(events).as("the report comes after what was delivered").endsWith(lost);
                assertThat(engineLog.messages()).filteredOn(m -> m.contains("arrive faster")).hasSizeBetween(1, 2);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> engine.backlog() == 0);

                // once the subscribers were told, the channel's messages flow again
                engine.broker().publish(new Message("m100", "slow", TEN_KB, null, null), none)
                        .toCompletableFuture().get(10, TimeUnit.SECONDS);
                Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> recorder.messages("slow").stream()
                        .anyMatch(m -> m.uid().equals("m100")));
            } finally {
                gate.countDown();
                engine.close();
            }
        }
    }

    /** The events so far, a message by its uid only. */
    private static List<String> summary(RecordingEngineListener recorder) {
        return recorder.events().stream().map(e -> e instanceof RecordingEngineListener.Published p
                ? p.message().uid() : e.toString()).toList();
    }

    /** Holds the lane in the first message until the gate opens; then records everything. */
    private static final class GatedListener extends ForwardingEngineListener {
        private final CountDownLatch gate;

        GatedListener(CountDownLatch gate, RecordingEngineListener recorder) {
            super(recorder);
            this.gate = gate;
        }

        @Override
        public void onMessage(Message message) {
            try {
                gate.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.onMessage(message);
        }
    }
}
