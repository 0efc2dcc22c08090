package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Publications into a channel whose slot moves to another master while they are in flight, on a real six-node Redis
 * Cluster (docs/scaling.md "Failover"): the old master refuses them unexecuted ({@code TRYAGAIN} and {@code ASK}
 * while the slot migrates, {@code MOVED} once it is gone), and the engine sends each again to the new master, in
 * order. None fails, the history holds each acknowledged publication once, in publication order, and the subscriber
 * gets them in that order: live, but for those published while its subscription moved to the new master, which the
 * engine reports lost ({@code onSubscriptionsLost}) so that its clients recover them from that history.
 */
class RedisClusterSlotMoveIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final String CHANNEL = "moving";
    /** Publications in flight at most: enough to keep the old master's link busy when the slot moves. */
    private static final int WINDOW = 32;
    /** The most the publisher sends (and the history keeps): the test fails if the moves are not done by then. */
    private static final int MAX_PUBLICATIONS = 30_000;
    private static final HistoryOptions HISTORY = new HistoryOptions(MAX_PUBLICATIONS, 300, false);

    @Test
    void publicationsInFlightWhileTheirSlotMovesAreSentAgainToTheNewMasterInOrder() throws Exception {
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            publishWhileTheSlotMovesTwice(engine);
        }
    }

    @Test
    void publicationsWaitingForReplicasAreSentAgainToTheNewMasterInOrder() throws Exception {
        try (RedisEngine engine = new RedisEngine(RedisEngines.clusterConfig(cluster.cluster(), cluster.prefix(), "")
                .waitReplicas(1).waitTimeout(Duration.ofSeconds(2)).build())) {
            publishWhileTheSlotMovesTwice(engine);
        }
    }

    private void publishWhileTheSlotMovesTwice(RedisEngine engine) throws Exception {
        RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(20));
        engine.start(listener).toCompletableFuture().get(20, TimeUnit.SECONDS);
        engine.broker().subscribe(CHANNEL).toCompletableFuture().get(10, TimeUnit.SECONDS);
        ClusterBackend backend = (ClusterBackend) engine.shards().get(0);

        Publisher publisher = new Publisher(engine);
        Thread thread = new Thread(publisher, "slot-move-publisher");
        thread.start();
        try {
            publisher.awaitIssued(500);
            int beforeMove = publisher.issued.get();
            String redisChannel = cluster.prefix() + ".message.{" + CHANNEL + "}";
            for (int move = 0; move < 2; move++) {
                cluster.cluster().moveSlotOf(redisChannel);
                publisher.awaitIssued(publisher.issued.get() + 500);
                // The old master dropped the subscription with the slot; the engine subscribes on the new master.
                // Awaited before the next move, so that each move is seen on its own (a slot that comes back before
                // the engine saw it leave: RedisClusterSlotReturnIT).
                Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                        .untilAsserted(() -> assertThat(cluster.cluster().masterOf(redisChannel)
                                .command("PUBSUB", "SHARDNUMSUB", redisChannel)).as("subscribers on the slot's master")
                                .endsWith(":1\r\n"));
            }
            // and reports the channel's subscriptions lost once it has: what is published after that is delivered
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> listener.events().stream().anyMatch(e -> e instanceof RecordingEngineListener.Lost l
                            && l.channels().contains(CHANNEL)));
            int afterRestore = publisher.issued.get();
            publisher.awaitIssued(afterRestore + 500);
            publisher.stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(thread.isAlive()).as("the publisher stopped").isFalse();
            assertThat(publisher.failure).as("the publisher's own failure").isNull();

            List<String> failed = new ArrayList<>();
            for (int i = 0; i < publisher.futures.size(); i++) {
                try {
                    publisher.futures.get(i).get(20, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    failed.add("m" + i + ": " + e.getCause());
                }
            }
            int total = publisher.futures.size();
            assertThat(failed).as("publications that failed while the slot moved, of %d", total).isEmpty();
            assertThat(backend.redirects()).as("refusals by the old masters (the moves hit publications in flight)")
                    .isPositive();

            List<String> expected = new ArrayList<>(total);
            for (int i = 0; i < total; i++) {
                expected.add("m" + i);
            }
            List<String> history = new ArrayList<>(engine.historyStore().history(CHANNEL).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS).stream().map(Message::uid).toList());
            java.util.Collections.reverse(history); // newest first
            assertThat(history).as("the history: each publication once, in publication order")
                    .containsExactlyElementsOf(expected);

            // delivered live: in order, none twice, all of those published before the move and after the restore
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(20))
                    .until(() -> delivered(listener).contains(total - 1));
            List<Integer> delivered = delivered(listener);
            assertThat(delivered).as("delivered in publication order, none twice").isSorted()
                    .doesNotHaveDuplicates();
            Set<Integer> missed = new TreeSet<>();
            for (int i = 0; i < total; i++) {
                missed.add(i);
            }
            missed.removeAll(delivered);
            assertThat(missed).as("not delivered live (recovered from history by the clients told to)")
                    .allMatch(i -> i >= beforeMove - WINDOW && i < afterRestore + WINDOW);
        } finally {
            publisher.stop.set(true);
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private static List<Integer> delivered(RecordingEngineListener listener) {
        return listener.messages(CHANNEL).stream().map(m -> Integer.parseInt(m.uid().substring(1))).toList();
    }

    /** Publishes {@code m0, m1, ...} into the channel with up to {@link #WINDOW} in flight, until told to stop. */
    private static final class Publisher implements Runnable {
        final RedisEngine engine;
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger issued = new AtomicInteger();
        /** The publications' outcomes, by number; only the publisher thread adds, read once it stopped. */
        final List<CompletableFuture<Void>> futures = new ArrayList<>();
        volatile Throwable failure;

        Publisher(RedisEngine engine) {
            this.engine = engine;
        }

        @Override
        public void run() {
            Semaphore window = new Semaphore(WINDOW);
            try {
                for (int i = 0; i < MAX_PUBLICATIONS && !stop.get(); i++) {
                    if (!window.tryAcquire(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("no publication answered for 30 s");
                    }
                    Message m = new Message("m" + i, CHANNEL, RawJson.of("{\"n\":" + i + "}"), null, null);
                    CompletableFuture<Void> f = engine.broker().publish(m, HISTORY).toCompletableFuture();
                    futures.add(f);
                    issued.incrementAndGet();
                    f.whenComplete((v, e) -> window.release());
                }
            } catch (Throwable e) {
                failure = e;
            }
        }

        /** Waits until {@code count} publications were issued; fails when the publisher ends first. */
        void awaitIssued(int count) {
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> issued.get() >= count || failure != null || issued.get() >= MAX_PUBLICATIONS);
            assertThat(issued.get()).as("publications issued (the publisher failed with %s, or reached its bound)",
                    failure).isGreaterThanOrEqualTo(count);
        }
    }
}
