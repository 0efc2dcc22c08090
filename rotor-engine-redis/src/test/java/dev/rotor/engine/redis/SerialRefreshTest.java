package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SerialRefreshTest {
    /** The refreshes started, each completed by the test. */
    private final List<CompletableFuture<Void>> started = new ArrayList<>();
    private final SerialRefresh refresh = new SerialRefresh(() -> {
        CompletableFuture<Void> f = new CompletableFuture<>();
        started.add(f);
        return f;
    });

    @Test
    void requestsWhileOneRunsMakeExactlyOneMoreAfterIt() {
        refresh.run();
        for (int i = 0; i < 500; i++) {
            refresh.run();
        }
        assertThat(started).hasSize(1);

        started.get(0).complete(null);
        assertThat(started).as("one more, for the 500 that came meanwhile").hasSize(2);

        started.get(1).complete(null);
        assertThat(started).as("nothing asked since").hasSize(2);
        refresh.run();
        assertThat(started).hasSize(3);
    }

    @Test
    void aFailedOrThrowingRefreshDoesNotStopTheNext() {
        List<Integer> calls = new ArrayList<>();
        SerialRefresh throwing = new SerialRefresh(() -> {
            calls.add(calls.size());
            throw new IllegalStateException("cluster client closed");
        });
        throwing.run();
        throwing.run();
        assertThat(calls).hasSize(2);

        refresh.run();
        refresh.run();
        started.get(0).completeExceptionally(new IllegalStateException("no node reachable"));
        assertThat(started).hasSize(2);
    }

    @Test
    void closeStartsNothingMoreAndCompletesWhenTheRunningOneIsDone() {
        assertThat(refresh.close()).as("none running").isDone();

        SerialRefresh other = new SerialRefresh(() -> {
            CompletableFuture<Void> f = new CompletableFuture<>();
            started.add(f);
            return f;
        });
        other.run();
        other.run(); // would run one more after the first
        CompletableFuture<Void> closed = other.close();
        other.run();
        assertThat(closed).isNotDone();

        started.get(0).complete(null);
        assertThat(closed).isDone();
        assertThat(started).as("neither the one asked for before close nor after it").hasSize(1);
        refresh.run();
        assertThat(started).as("closed before").hasSize(1);
    }
}
