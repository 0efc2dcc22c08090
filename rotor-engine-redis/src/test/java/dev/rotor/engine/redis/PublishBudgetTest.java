package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisCommandTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PublishBudgetTest {
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** A publication whose command the test completes: records when it started. */
    private static final class Command {
        final CompletableFuture<String> reply = new CompletableFuture<>();
    }

    @Test
    void publicationsBeyondTheBudgetWaitAndStartInCallOrderAsRoomIsGivenBack() {
        PublishBudget budget = new PublishBudget(100, 10_000, timers);
        List<String> started = new CopyOnWriteArrayList<>();
        List<Command> commands = new ArrayList<>();
        List<CompletionStage<String>> results = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Command c = new Command();
            commands.add(c);
            String name = "p" + i;
            results.add(budget.run(40, () -> {
                started.add(name);
                return c.reply;
            }));
        }
        assertThat(started).containsExactly("p0", "p1");
        assertThat(budget.used()).isEqualTo(80);
        assertThat(budget.waiting()).isEqualTo(3);

        commands.get(1).reply.complete("r1"); // the second gives its room back: the third fits, the fourth not yet
        assertThat(started).containsExactly("p0", "p1", "p2");
        commands.get(0).reply.completeExceptionally(new IllegalStateException("refused"));
        assertThat(started).containsExactly("p0", "p1", "p2", "p3");
        assertThat(budget.used()).isEqualTo(80);
        for (Command c : commands.subList(2, 4)) {
            c.reply.complete("ok");
        }
        assertThat(started).containsExactly("p0", "p1", "p2", "p3", "p4");
        commands.get(4).reply.complete("r4");

        assertThat(results.get(1).toCompletableFuture().join()).isEqualTo("r1");
        assertThat(results.get(0).toCompletableFuture()).isCompletedExceptionally();
        assertThat(results.get(4).toCompletableFuture().join()).isEqualTo("r4");
        assertThat(budget.used()).isZero();
        assertThat(budget.waiting()).isZero();
    }

    @Test
    void aPublicationLargerThanTheBudgetStartsAloneOnceNothingElseIsInFlight() {
        PublishBudget budget = new PublishBudget(100, 10_000, timers);
        Command small = new Command();
        List<String> started = new CopyOnWriteArrayList<>();
        budget.run(10, () -> {
            started.add("small");
            return small.reply;
        });
        Command large = new Command();
        budget.run(1_000, () -> {
            started.add("large");
            return large.reply;
        });
        budget.run(10, () -> {
            started.add("after");
            return CompletableFuture.completedFuture("ok");
        });
        assertThat(started).containsExactly("small");

        small.reply.complete("ok");
        assertThat(started).containsExactly("small", "large");
        assertThat(budget.used()).isEqualTo(1_000);
        large.reply.complete("ok");
        assertThat(started).containsExactly("small", "large", "after");
        assertThat(budget.used()).isZero();
    }

    @Test
    void aPublicationNotAdmittedWithinTheTimeoutFailsAsATimeoutAndIsNeverStarted() {
        PublishBudget budget = new PublishBudget(100, 200, timers);
        Command stuck = new Command();
        budget.run(100, () -> stuck.reply);
        List<String> started = new CopyOnWriteArrayList<>();
        CompletableFuture<String> waited = budget.run(10, () -> {
            started.add("late");
            return CompletableFuture.completedFuture("ok");
        }).toCompletableFuture();

        Awaitility.await().atMost(Duration.ofSeconds(5)).until(waited::isDone);
        assertThat(waited).failsWithin(Duration.ZERO).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .havingCause().isInstanceOf(RedisCommandTimeoutException.class)
                .withMessageContaining("waited for the publications in flight to Redis");
        assertThat(budget.waiting()).isZero();

        stuck.reply.complete("ok"); // the room comes back after the waiter gave up: it is not started late
        assertThat(started).isEmpty();
        assertThat(budget.used()).isZero();
        CompletionStage<String> next = budget.run(10, () -> CompletableFuture.completedFuture("next"));
        assertThat(next.toCompletableFuture().join()).isEqualTo("next");
    }

    @Test
    void aStartThatThrowsGivesItsRoomBack() {
        PublishBudget budget = new PublishBudget(100, 10_000, timers);
        CompletionStage<String> failed = budget.run(50, () -> {
            throw new IllegalStateException("encoding failed");
        });
        assertThat(failed.toCompletableFuture()).isCompletedExceptionally();
        assertThat(budget.used()).isZero();
    }

    /** Eight threads publish at random costs while two complete them: never more in flight than the budget. */
    @Test
    void concurrentPublicationsNeverHoldMoreThanTheBudgetAndAllComplete() throws Exception {
        PublishBudget budget = new PublishBudget(1_000, 10_000, timers);
        AtomicLong inFlight = new AtomicLong();
        AtomicLong most = new AtomicLong();
        ExecutorService completers = Executors.newFixedThreadPool(2);
        ExecutorService publishers = Executors.newFixedThreadPool(8);
        List<CompletableFuture<String>> all = new CopyOnWriteArrayList<>();
        try {
            for (int t = 0; t < 8; t++) {
                publishers.execute(() -> {
                    for (int i = 0; i < 2_000; i++) {
                        long cost = ThreadLocalRandom.current().nextLong(1, 200);
                        all.add(budget.run(cost, () -> {
                            most.accumulateAndGet(inFlight.addAndGet(cost), Math::max);
                            CompletableFuture<String> reply = new CompletableFuture<>();
                            completers.execute(() -> {
                                inFlight.addAndGet(-cost);
                                reply.complete("ok");
                            });
                            return reply;
                        }).toCompletableFuture());
                    }
                });
            }
            publishers.shutdown();
            assertThat(publishers.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            completers.shutdownNow();
            publishers.shutdownNow();
        }
        assertThat(all).hasSize(16_000);
        assertThat(most.get()).isPositive().isLessThanOrEqualTo(1_000);
        assertThat(budget.used()).isZero();
        assertThat(budget.waiting()).isZero();
    }
}
