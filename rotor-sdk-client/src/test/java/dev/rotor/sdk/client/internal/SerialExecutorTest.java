package dev.rotor.sdk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void tasksRunOneAtATimeInSubmissionOrderOnAPool() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Integer> seen = new CopyOnWriteArrayList<>();
            AtomicInteger running = new AtomicInteger();
            AtomicInteger maxRunning = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(2000);
            for (int i = 0; i < 2000; i++) {
                int n = i;
                serial.execute(() -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    seen.add(n);
                    running.decrementAndGet();
                    done.countDown();
                });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(maxRunning.get()).isEqualTo(1);
            assertThat(seen).hasSize(2000).isSorted();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aThrowingTaskDoesNotStopTheNextOnesAndInTaskKnowsItsThread() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Boolean> inTask = new CopyOnWriteArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            serial.execute(() -> {
                throw new IllegalStateException("boom (expected by the test)");
            });
            serial.execute(() -> {
                inTask.add(serial.inTask());
                done.countDown();
            });
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(inTask).containsExactly(true);
            assertThat(serial.inTask()).isFalse();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTaskThrowingAnErrorIsReportedToTheUncaughtHandlerAndTheNextTasksStillRun() throws Exception {
        List<Throwable> reported = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "serial-executor-test");
            t.setUncaughtExceptionHandler((thread, e) -> reported.add(e));
            return t;
        });
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            CountDownLatch done = new CountDownLatch(2);
            serial.execute(() -> {
                throw new AssertionError("a listener's failed assertion (expected by the test)");
            });
            serial.execute(done::countDown);
            serial.execute(() -> {
                throw new StackOverflowError("expected by the test");
            });
            serial.execute(done::countDown);
            assertThat(done.await(10, TimeUnit.SECONDS)).as("the tasks after the errors ran").isTrue();
            assertThat(reported).hasSize(2);
            assertThat(reported.get(0)).isInstanceOf(AssertionError.class);
            assertThat(reported.get(1)).isInstanceOf(StackOverflowError.class);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void anActionWaitingForAShorterQueueRunsOnceTheQueueDrainsBelowItsLimit() {
        List<Runnable> delegate = new ArrayList<>();
        SerialExecutor serial = new SerialExecutor(delegate::add);
        AtomicInteger ran = new AtomicInteger();
        List<Integer> queuedWhenShorter = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            serial.execute(ran::incrementAndGet);
        }
        serial.whenShorterThan(2, () -> queuedWhenShorter.add(5 - ran.get() - 1));
        assertThat(queuedWhenShorter).as("5 queued: waits").isEmpty();

        assertThat(delegate).hasSize(1);
        delegate.get(0).run(); // the drain
        assertThat(ran).hasValue(5);
        // it ran when the 4th task was taken, before that task ran: one task (the 5th) left in the queue
        assertThat(queuedWhenShorter).containsExactly(1);

        serial.whenShorterThan(2, () -> queuedWhenShorter.add(-1));
        assertThat(queuedWhenShorter).as("empty queue: runs at once").containsExactly(1, -1);
    }
}
