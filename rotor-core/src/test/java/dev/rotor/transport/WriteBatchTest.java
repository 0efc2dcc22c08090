package dev.rotor.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** {@link WriteBatch}: one executor task per distinct executor, tasks in the order added, failures isolated. */
class WriteBatchTest {

    /** An executor that only records what it was given, so the test decides when tasks run. */
    private static final class RecordingExecutor implements Executor {
        final List<Runnable> submitted = new ArrayList<>();

        @Override
        public void execute(Runnable command) {
            submitted.add(command);
        }

        void runAll() {
            submitted.forEach(Runnable::run);
        }
    }

    @Test
    void submitsOneTaskPerExecutorAndRunsItsTasksInOrder() {
        RecordingExecutor a = new RecordingExecutor();
        RecordingExecutor b = new RecordingExecutor();
        List<String> ran = new ArrayList<>();
        WriteBatch batch = new WriteBatch();
        batch.schedule(a, () -> ran.add("a1"));
        batch.schedule(b, () -> ran.add("b1"));
        batch.schedule(a, () -> ran.add("a2"));
        batch.schedule(a, () -> ran.add("a3"));
        batch.schedule(b, () -> ran.add("b2"));

        assertThat(a.submitted).isEmpty();
        batch.run();
        assertThat(batch.executorCount()).isEqualTo(2);
        assertThat(a.submitted).hasSize(1);
        assertThat(b.submitted).hasSize(1);
        assertThat(ran).isEmpty();

        a.runAll();
        assertThat(ran).containsExactly("a1", "a2", "a3");
        b.runAll();
        assertThat(ran).containsExactly("a1", "a2", "a3", "b1", "b2");
    }

    @Test
    void aFailingTaskDoesNotStopTheOthersOfItsExecutor() {
        RecordingExecutor a = new RecordingExecutor();
        List<String> ran = new ArrayList<>();
        WriteBatch batch = new WriteBatch();
        batch.schedule(a, () -> ran.add("first"));
        batch.schedule(a, () -> {
            throw new IllegalStateException("boom");
        });
        batch.schedule(a, () -> ran.add("third"));
        batch.run();
        a.runAll();
        assertThat(ran).containsExactly("first", "third");
    }

    @Test
    void anEmptyBatchSubmitsNothingAndABatchRunsOnce() {
        RecordingExecutor a = new RecordingExecutor();
        WriteBatch empty = new WriteBatch();
        empty.run();
        assertThat(empty.executorCount()).isZero();

        WriteBatch batch = new WriteBatch();
        batch.schedule(a, () -> { });
        batch.run();
        assertThatThrownBy(batch::run).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> batch.schedule(a, () -> { })).isInstanceOf(IllegalStateException.class);
        assertThat(a.submitted).hasSize(1);
    }
}
