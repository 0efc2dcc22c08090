package dev.rotor.engine.memory;

import dev.rotor.protocol.ControlMessage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * How the memory engine frees state nobody can observe through the SPI: expired history (lazily and by the
 * background sweep), empty presence maps and idle channel lanes. The engine contracts themselves run in
 * {@link MemoryBrokerTest} and its siblings.
 */
class MemoryEngineHousekeepingTest {
    private static final HistoryOptions TWO_SECONDS = new HistoryOptions(10, 2, false);

    private final AtomicLong now = new AtomicLong(1_000_000);

    private static Message message(String channel, String uid) {
        return new Message(uid, channel, RawJson.of("1"), null, null);
    }

    @Test
    void sweepRemovesExactlyTheExpiredHistories() {
        MemoryHistoryStore store = new MemoryHistoryStore(now::get);
        store.store(message("old", "m1"), TWO_SECONDS, false);
        now.addAndGet(1500);
        store.store(message("young", "m2"), TWO_SECONDS, false);
        now.addAndGet(500); // "old" expires exactly now

        assertThat(store.removeExpired()).isEqualTo(1);
        assertThat(store.entryCount()).isEqualTo(1);
        assertThat(store.history("young").toCompletableFuture().join()).extracting(Message::uid)
                .containsExactly("m2");
    }

    @Test
    void readingAnExpiredHistoryRemovesIt() {
        MemoryHistoryStore store = new MemoryHistoryStore(now::get);
        store.store(message("ch", "m1"), TWO_SECONDS, false);
        now.addAndGet(2000);

        assertThat(store.lastMessageId("ch").toCompletableFuture().join()).isEmpty();
        assertThat(store.entryCount()).isZero();
    }

    @Test
    void backgroundSweepRemovesExpiredHistoryWithoutReads() {
        MemoryEngine engine = new MemoryEngine(now::get);
        try {
            engine.start(new NoopListener()).toCompletableFuture().join();
            engine.broker().publish(message("ch", "m1"), TWO_SECONDS).toCompletableFuture().join();
            assertThat(engine.history().entryCount()).isEqualTo(1);

            now.addAndGet(2000);

            await().atMost(Duration.ofSeconds(5)).until(() -> engine.history().entryCount() == 0);
        } finally {
            engine.close();
        }
    }

    @Test
    void presenceMapOfAChannelIsDeletedWhenItsLastClientLeaves() {
        MemoryPresenceStore store = new MemoryPresenceStore();
        store.addPresence("ch", "c-1", new ClientInfo("u", "c-1", null, null), 60);
        store.addPresence("ch", "c-2", new ClientInfo("u", "c-2", null, null), 60);
        store.removePresence("ch", "c-1");
        assertThat(store.channelCount()).isEqualTo(1);

        store.removePresence("ch", "c-2");

        assertThat(store.channelCount()).isZero();
    }

    @Test
    void channelLaneIsDroppedWhenTheNodeUnsubscribes() {
        MemoryEngine engine = new MemoryEngine(now::get);
        try {
            engine.start(new NoopListener()).toCompletableFuture().join();
            engine.broker().subscribe("ch").toCompletableFuture().join();
            engine.broker().publish(message("ch", "m1"), HistoryOptions.NONE).toCompletableFuture().join();
            assertThat(engine.memoryBroker().laneCount()).isEqualTo(1);

            engine.broker().unsubscribe("ch", HistoryOptions.NONE).toCompletableFuture().join();

            assertThat(engine.memoryBroker().laneCount()).isZero();
        } finally {
            engine.close();
        }
    }

    @Test
    void dropInactiveTouchCreatesAnEmptyEntryThatTheSweepRemovesLater() {
        MemoryEngine engine = new MemoryEngine(now::get);
        try {
            engine.start(new NoopListener()).toCompletableFuture().join();
            HistoryOptions options = new HistoryOptions(10, 2, true);
            engine.broker().subscribe("ch").toCompletableFuture().join();
            engine.broker().unsubscribe("ch", options).toCompletableFuture().join();
            assertThat(engine.history().entryCount()).isEqualTo(1);

            now.addAndGet(2000);

            engine.removeExpiredHistory(); // the background sweep may have been first; either way it is gone
            assertThat(engine.history().entryCount()).isZero();
        } finally {
            engine.close();
        }
    }

    /** Ignores everything. */
    private static final class NoopListener implements EngineListener {
        @Override
        public void onMessage(Message message) {
        }

        @Override
        public void onJoin(String channel, ClientInfo info) {
        }

        @Override
        public void onLeave(String channel, ClientInfo info) {
        }

        @Override
        public void onControl(ControlMessage payload) {
        }

        @Override
        public void onAdmin(ControlMessage payload) {
        }
    }
}
