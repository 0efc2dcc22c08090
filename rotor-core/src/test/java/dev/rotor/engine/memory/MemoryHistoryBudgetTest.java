package dev.rotor.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.engine.ConfigValues;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code memory_history_budget}: the bytes that the channel histories of the memory engine count together stay within
 * the budget whatever the publishers choose, the histories removed first are those that would expire first, and the
 * operator is told (docs/security.md, "Memory engine history").
 */
class MemoryHistoryBudgetTest {
    private static final HistoryOptions HOUR = new HistoryOptions(10, 3600, false);
    private static final RawJson KILOBYTE = RawJson.of("\"" + "x".repeat(1022) + "\"");

    @RegisterExtension
    final LogCapture logs = new LogCapture(MemoryHistoryStore.class);

    private final AtomicLong now = new AtomicLong(1_000_000);

    private static Message message(String channel, String uid) {
        return new Message(uid, channel, KILOBYTE, "client-1",
                new ClientInfo("user-1", "client-1", RawJson.of("{\"a\":1}"), null));
    }

    /** What one channel with one of these messages counts. */
    private static long oneChannel(String channel) {
        return MemoryHistoryStore.ENTRY_OVERHEAD + 2L * channel.length()
                + MemoryHistoryStore.cost(message(channel, "m-000000"));
    }

    @Test
    void aPublisherOfEverNewChannelsIsHeldToTheBudget() {
        long budget = 256 * 1024;
        MemoryHistoryStore store = new MemoryHistoryStore(now::get, budget);
        long most = 0;
        for (int i = 0; i < 20_000; i++) {
            String channel = "news:%06d".formatted(i);
            store.store(message(channel, "m-%06d".formatted(i)), HOUR, false);
            most = Math.max(most, store.bytes());
        }

        assertThat(most).isLessThanOrEqualTo(budget);
        assertThat(store.recount()).isEqualTo(store.bytes());
        // without the budget: 20,000 entries of ~1.4 KB, ~28 MB
        assertThat(store.entryCount()).isLessThanOrEqualTo((int) (budget / oneChannel("news:000000")))
                .isGreaterThan(100);
        assertThat(store.evictedCount()).isEqualTo(20_000 - store.entryCount());
        assertThat(store.history("news:019999").toCompletableFuture().join()).extracting(Message::uid)
                .containsExactly("m-019999");
    }

    @Test
    void theHistoriesThatWouldExpireFirstAreRemovedFirst() {
        long one = oneChannel("ch-a");
        MemoryHistoryStore store = new MemoryHistoryStore(now::get, 5 * one); // room for five such channels
        for (String channel : List.of("ch-a", "ch-b", "ch-c", "ch-d")) {
            store.store(message(channel, "m-" + channel), HOUR, false);
            now.addAndGet(1000);
        }
        store.store(message("ch-a", "m-again1"), HOUR, false); // ch-a now expires last, ch-b first
        now.addAndGet(1000);
        assertThat(store.evictedCount()).isZero(); // a second message costs less than a channel

        store.store(message("ch-e", "m-ch-e"), HOUR, false);

        assertThat(store.evictedCount()).isEqualTo(1);
        assertThat(store.history("ch-b").toCompletableFuture().join()).isEmpty();
        assertThat(store.lastMessageId("ch-b").toCompletableFuture().join()).isEmpty();
        assertThat(store.history("ch-a").toCompletableFuture().join()).extracting(Message::uid)
                .containsExactly("m-again1", "m-ch-a");
        for (String kept : List.of("ch-c", "ch-d", "ch-e")) {
            assertThat(store.history(kept).toCompletableFuture().join()).hasSize(1);
        }
        assertThat(store.bytes()).isLessThanOrEqualTo(5 * one).isEqualTo(store.recount());
    }

    @Test
    void aHistoryLargerThanTheBudgetIsNotKept() {
        MemoryHistoryStore store = new MemoryHistoryStore(now::get, 512);

        store.store(message("big", "m1"), HOUR, false);

        assertThat(store.history("big").toCompletableFuture().join()).isEmpty();
        assertThat(store.bytes()).isZero();
        assertThat(store.entryCount()).isZero();
    }

    @Test
    void theCountFollowsTruncationExpiryAndTheDropInactiveWindow() {
        MemoryHistoryStore store = new MemoryHistoryStore(now::get, 1L << 30);
        for (int i = 0; i < 100; i++) {
            store.store(message("one", "m-%06d".formatted(i)), HOUR, false);
        }
        assertThat(store.bytes()).isEqualTo(MemoryHistoryStore.ENTRY_OVERHEAD + 2L * "one".length()
                + 10 * MemoryHistoryStore.cost(message("one", "m-000000"))).isEqualTo(store.recount());

        HistoryOptions dropInactive = new HistoryOptions(10, 2, true);
        store.touch("window", dropInactive);
        store.store(message("window", "w1"), dropInactive, false);
        assertThat(store.bytes()).isEqualTo(store.recount());

        now.addAndGet(3_600_000);
        assertThat(store.removeExpired()).isEqualTo(2);
        assertThat(store.bytes()).isZero();

        store.touch("window", dropInactive); // an expired entry is replaced by an empty window
        assertThat(store.bytes()).isEqualTo(MemoryHistoryStore.ENTRY_OVERHEAD + 2L * "window".length());
        now.addAndGet(2000);
        assertThat(store.history("window").toCompletableFuture().join()).isEmpty(); // read when expired: removed
        assertThat(store.bytes()).isZero();
    }

    @Test
    void concurrentPublishersKeepTheCountExact() throws InterruptedException {
        long budget = 128 * 1024;
        MemoryHistoryStore store = new MemoryHistoryStore(now::get, budget);
        int threads = 4;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        AtomicLong most = new AtomicLong();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread worker = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 5_000; i++) {
                    // some channels shared between the threads, most new
                    String channel = i % 10 == 0 ? "shared:" + (i % 50) : "t%d:%05d".formatted(id, i);
                    store.store(message(channel, "m-%d-%05d".formatted(id, i)), HOUR, false);
                    most.accumulateAndGet(store.bytes(), Math::max);
                }
            });
            worker.start();
            workers.add(worker);
        }
        start.countDown();
        for (Thread w : workers) {
            w.join(TimeUnit.SECONDS.toMillis(30));
            assertThat(w.isAlive()).isFalse();
        }

        assertThat(store.bytes()).isEqualTo(store.recount()).isLessThanOrEqualTo(budget);
        // while several threads store at once, each may add its message before the one evicting removes for it
        assertThat(most.get()).isLessThanOrEqualTo(budget + threads * oneChannel("t0:00000"));
        assertThat(store.evictedCount()).isPositive();
    }

    @Test
    void randomOperationsKeepTheCountExactAndWithinTheBudget() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            long budget = 8_000 + random.nextInt(40_000);
            MemoryHistoryStore store = new MemoryHistoryStore(now::get, budget);
            for (int op = 0; op < 5_000; op++) {
                String channel = "ch-" + random.nextInt(60);
                HistoryOptions options = new HistoryOptions(1 + random.nextInt(6), 1 + random.nextInt(5),
                        random.nextInt(4) == 0);
                switch (random.nextInt(8)) {
                    case 0, 1, 2 -> store.store(new Message("m-" + op, channel,
                            RawJson.of("\"" + "x".repeat(random.nextInt(2000)) + "\""), null, null), options,
                            random.nextBoolean());
                    case 3 -> store.touch(channel, options);
                    case 4 -> assertThat(store.history(channel).toCompletableFuture().join())
                            .hasSizeLessThanOrEqualTo(6);
                    case 5 -> store.lastMessageId(channel);
                    case 6 -> now.addAndGet(random.nextInt(2000));
                    default -> store.removeExpired();
                }
                assertThat(store.bytes()).as("seed %d, operation %d", seed, op).isEqualTo(store.recount())
                        .isLessThanOrEqualTo(budget);
            }
        }
    }

    @Test
    void theOperatorIsWarnedAtOnceThenOnceAMinute() {
        MemoryHistoryStore store = new MemoryHistoryStore(now::get, 3 * oneChannel("ch-00"));
        for (int i = 0; i < 10; i++) {
            store.store(message("ch-%02d".formatted(i), "m-%06d".formatted(i)), HOUR, false);
        }
        assertThat(logs.messages()).singleElement().asString()
                .contains("budget of " + 3 * oneChannel("ch-00") + " bytes (memory_history_budget)")
                .contains(": 1 channel histories removed").contains("1 since start");

        now.addAndGet(MemoryHistoryStore.WARNING_INTERVAL_MILLIS);
        store.store(message("ch-10", "m-000010"), HOUR, false);

        assertThat(logs.messages()).hasSize(2);
        assertThat(logs.messages().get(1)).contains(": 7 channel histories removed").contains("8 since start");
    }

    @Test
    void theProviderReadsTheBudgetAndRefusesANegativeOne() {
        MemoryEngineProvider provider = new MemoryEngineProvider();

        assertThat(provider.config(budget(4096))).isEqualTo(4096L);
        assertThat(provider.config(budget(0))).isEqualTo(MemoryEngine.defaultHistoryBudget())
                .isEqualTo(Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 4));
        assertThatThrownBy(() -> provider.config(budget(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("memory_history_budget must be 0 (a quarter of the heap) or positive, got -1");
    }

    private static ConfigValues budget(long bytes) {
        return new ConfigValues() {
            @Override
            public String string(String key) {
                throw new AssertionError(key);
            }

            @Override
            public boolean bool(String key) {
                throw new AssertionError(key);
            }

            @Override
            public int integer(String key) {
                throw new AssertionError(key);
            }

            @Override
            public long longValue(String key) {
                assertThat(key).isEqualTo(MemoryEngineProvider.HISTORY_BUDGET);
                return bytes;
            }
        };
    }
}
