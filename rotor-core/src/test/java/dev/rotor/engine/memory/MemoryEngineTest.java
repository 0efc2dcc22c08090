package dev.rotor.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.entry;

import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.testing.ForwardingEngineListener;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testing.RecordingEngineListener.Joined;
import dev.rotor.testing.RecordingEngineListener.Left;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.ManualClock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Behaviour specific to {@link MemoryEngine} beyond the engine contracts (memory-engine.md). */
class MemoryEngineTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HistoryOptions NO_HISTORY = HistoryOptions.NONE;

    private final ManualClock clock = new ManualClock();
    private final RecordingEngineListener recorder = new RecordingEngineListener(WAIT);
    private final MemoryEngine engine = new MemoryEngine(clock);

    @AfterEach
    void close() {
        engine.close();
    }

    private void start(EngineListener listener) {
        assertThat(engine.start(listener).toCompletableFuture()).succeedsWithin(WAIT);
    }

    private static Message message(String channel, String uid) {
        return new Message(uid, channel, RawJson.of("{}"), null, null);
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(WAIT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    @Test
    void nameIsTheV1DisplayNameWithAnEnDash() {
        assertThat(engine.name()).isEqualTo("In memory – single node only");
        assertThat(engine.name().charAt(10)).isEqualTo('\u2013');
    }

    @Test
    void publishDeliversToTheListenerBeforeTheCallReturns() {
        start(recorder);
        join(engine.broker().subscribe("news"));
        Message m1 = message("news", "m1");

        CompletionStage<Void> stage = engine.broker().publish(m1, NO_HISTORY);

        // No waiting: the push must already be there (a publisher gets its own message before the reply).
        assertThat(recorder.messages("news")).containsExactly(m1);
        assertThat(stage.toCompletableFuture()).isCompleted();
    }

    @Test
    void joinAndLeaveAreDeliveredBeforeTheCallReturns() {
        start(recorder);
        join(engine.broker().subscribe("room"));
        ClientInfo alice = new ClientInfo("alice", "c-1", null, null);

        CompletionStage<Void> joined = engine.broker().publishJoin("room", alice);
        assertThat(recorder.events("room")).containsExactly(new Joined("room", alice));
        CompletionStage<Void> left = engine.broker().publishLeave("room", alice);
        assertThat(recorder.events("room")).containsExactly(new Joined("room", alice), new Left("room", alice));

        assertThat(joined.toCompletableFuture()).isCompleted();
        assertThat(left.toCompletableFuture()).isCompleted();
    }

    @Test
    void controlAndAdminMessagesAreDeliveredBeforeTheCallReturns() {
        start(recorder);
        ControlMessage control = new ControlMessage("n", "c", RawJson.of("{}"));
        ControlMessage admin = new ControlMessage("", "a", RawJson.of("{}"));

        engine.controlBus().publishControl(control);
        engine.controlBus().publishAdmin(admin);

        assertThat(recorder.controls()).containsExactly(control);
        assertThat(recorder.admins()).containsExactly(admin);
    }

    @Test
    void unsubscribeDoesNotExtendAnExistingHistory() {
        start(recorder);
        HistoryOptions options = new HistoryOptions(10, 2, true);
        join(engine.broker().subscribe("room"));
        join(engine.broker().publish(message("room", "m1"), options)); // history lives until t=2

        clock.advance(Duration.ofSeconds(1));
        join(engine.broker().unsubscribe("room", options)); // history exists: no new window, no extension
        clock.advance(Duration.ofMillis(1500)); // t=2.5

        assertThat(join(engine.historyStore().history("room"))).isEmpty();
        join(engine.broker().publish(message("room", "m2"), options));
        assertThat(join(engine.historyStore().history("room"))).isEmpty();
    }

    @Test
    void presenceNeverExpires() {
        start(recorder);
        ClientInfo alice = new ClientInfo("alice", "c-1", null, null);
        join(engine.presenceStore().addPresence("room", "c-1", alice, 1));

        clock.advance(Duration.ofHours(1));

        assertThat(join(engine.presenceStore().presence("room"))).containsExactly(entry("c-1", alice));
    }

    @Test
    void aListenerBusyWithOneChannelDoesNotHoldUpAnother() {
        GatedListener gated = new GatedListener(recorder, "slow");
        start(gated);
        join(engine.broker().subscribe("slow"));
        join(engine.broker().subscribe("fast"));
        CompletableFuture<Void> slow = CompletableFuture
                .supplyAsync(() -> engine.broker().publish(message("slow", "s1"), NO_HISTORY))
                .thenCompose(stage -> stage);
        gated.awaitEntered();

        CompletionStage<Void> fast = engine.broker().publish(message("fast", "f1"), NO_HISTORY);

        assertThat(fast.toCompletableFuture()).isCompleted();
        assertThat(recorder.messages("fast")).extracting(Message::uid).containsExactly("f1");
        assertThat(slow).isNotDone();
        gated.release();
        assertThat(slow).succeedsWithin(WAIT);
    }

    @Test
    void publishIntoAChannelBeingDeliveredReturnsAtOnceAndCompletesAfterItsDelivery() {
        GatedListener gated = new GatedListener(recorder, "ch");
        start(gated);
        join(engine.broker().subscribe("ch"));
        CompletableFuture<Void> first = CompletableFuture
                .supplyAsync(() -> engine.broker().publish(message("ch", "m1"), NO_HISTORY))
                .thenCompose(stage -> stage);
        gated.awaitEntered();

        CompletableFuture<Void> second = engine.broker().publish(message("ch", "m2"), NO_HISTORY)
                .toCompletableFuture();

        assertThat(second).isNotDone();
        assertThat(recorder.messages("ch")).isEmpty();
        gated.release();
        assertThat(first).succeedsWithin(WAIT);
        assertThat(second).succeedsWithin(WAIT);
        assertThat(recorder.messages("ch")).extracting(Message::uid).containsExactly("m1", "m2");
    }

    @Test
    void aListenerPublishingIntoTheSameChannelDoesNotDeadlock() {
        start(new ForwardingEngineListener(recorder) {
            @Override
            public void onMessage(Message message) {
                super.onMessage(message);
                if (message.uid().equals("m1")) {
                    engine.broker().publish(message("ch", "echo"), NO_HISTORY);
                }
            }
        });
        join(engine.broker().subscribe("ch"));

        CompletionStage<Void> stage = engine.broker().publish(message("ch", "m1"), NO_HISTORY);

        assertThat(stage.toCompletableFuture()).isCompleted();
        assertThat(recorder.messages("ch")).extracting(Message::uid).containsExactly("m1", "echo");
    }

    @Test
    void aThrowingListenerFailsOnlyThatPublish() {
        start(new ForwardingEngineListener(recorder) {
            @Override
            public void onMessage(Message message) {
                if (message.uid().equals("bad")) {
                    throw new IllegalStateException("listener bug");
                }
                super.onMessage(message);
            }
        });
        join(engine.broker().subscribe("ch"));

        CompletionStage<Void> bad = engine.broker().publish(message("ch", "bad"), NO_HISTORY);
        CompletionStage<Void> good = engine.broker().publish(message("ch", "good"), NO_HISTORY);

        assertThat(bad.toCompletableFuture()).isCompletedExceptionally();
        assertThat(good.toCompletableFuture()).isCompleted().isNotCompletedExceptionally();
        assertThat(recorder.messages("ch")).extracting(Message::uid).containsExactly("good");
    }

    @Test
    void deliveringCallsFailTheStageBeforeStart() {
        assertThat(engine.broker().publish(message("ch", "m1"), NO_HISTORY).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(engine.controlBus().publishControl(new ControlMessage("n", "x", RawJson.of("{}"))).toCompletableFuture())
                .isCompletedExceptionally();
    }

    @Test
    void deliveringCallsFailTheStageAfterCloseAndCloseIsIdempotent() {
        start(recorder);
        join(engine.broker().subscribe("ch"));

        engine.close();
        engine.close();

        assertThat(engine.broker().publish(message("ch", "m1"), NO_HISTORY).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(engine.broker().publishJoin("ch", new ClientInfo("u", "c", null, null)).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(engine.controlBus().publishAdmin(new ControlMessage("", "x", RawJson.of("{}"))).toCompletableFuture())
                .isCompletedExceptionally();
        assertThat(recorder.events()).isEmpty();
    }

    @Test
    void startingTwiceOrAfterCloseFails() {
        start(recorder);

        assertThat(engine.start(recorder).toCompletableFuture()).isCompletedExceptionally();
        engine.close();
        assertThat(engine.start(recorder).toCompletableFuture()).isCompletedExceptionally();
    }

    @Test
    void nullArgumentsFailTheStageInsteadOfThrowing() {
        start(recorder);

        assertThatCode(() -> {
            assertThat(engine.broker().publish(null, NO_HISTORY).toCompletableFuture()).isCompletedExceptionally();
            assertThat(engine.broker().subscribe(null).toCompletableFuture()).isCompletedExceptionally();
            assertThat(engine.presenceStore().presence(null).toCompletableFuture()).isCompletedExceptionally();
            assertThat(engine.historyStore().history(null).toCompletableFuture()).isCompletedExceptionally();
            assertThat(engine.controlBus().publishControl(null).toCompletableFuture()).isCompletedExceptionally();
        }).doesNotThrowAnyException();
    }

    @Test
    void closeCancelsTheSweepOnAGivenSchedulerWithoutShuttingItDown() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            MemoryEngine withScheduler = new MemoryEngine(clock, scheduler);
            join(withScheduler.start(recorder));
            assertThat(scheduler.getQueue()).hasSize(1);

            withScheduler.close();

            assertThat(scheduler.getQueue()).isEmpty();
            assertThat(scheduler.isShutdown()).isFalse();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void closeDropsHistoryAndPresence() {
        start(recorder);
        join(engine.broker().publish(message("ch", "m1"), new HistoryOptions(10, 60, false)));
        join(engine.presenceStore().addPresence("ch", "c", new ClientInfo("u", "c", null, null), 60));

        engine.close();

        assertThat(join(engine.historyStore().history("ch"))).isEmpty();
        assertThat(join(engine.presenceStore().presence("ch"))).isEmpty();
    }

    /** Blocks the first message of one channel until released, to hold a delivery in progress. */
    private static final class GatedListener extends ForwardingEngineListener {
        private final String gatedChannel;
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        GatedListener(EngineListener delegate, String gatedChannel) {
            super(delegate);
            this.gatedChannel = gatedChannel;
        }

        @Override
        public void onMessage(Message message) {
            if (message.channel().equals(gatedChannel) && entered.getCount() > 0) {
                entered.countDown();
                try {
                    if (!released.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new IllegalStateException("gate never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            super.onMessage(message);
        }

        void awaitEntered() {
            try {
                assertThat(entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        void release() {
            released.countDown();
        }
    }
}
