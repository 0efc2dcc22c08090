package dev.rotor.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimersTest {
    private long now = 1_000L;
    private final TimerWheel wheel = new TimerWheel(100, TimeUnit.MILLISECONDS, 16, () -> now);
    /** Tasks handed to the "loop"; the test runs them, as the loop would, in order. */
    private final ArrayDeque<Runnable> loopQueue = new ArrayDeque<>();
    private boolean onLoop;
    private final Timers timers = Timers.onWheel(wheel, loopQueue::add, () -> onLoop);
    private final List<String> fired = new ArrayList<>();

    private void runLoop() {
        onLoop = true;
        Runnable r;
        while ((r = loopQueue.poll()) != null) {
            r.run();
        }
        onLoop = false;
    }

    private void advanceBy(long millis) {
        now += TimeUnit.MILLISECONDS.toNanos(millis);
        onLoop = true;
        wheel.advance();
        onLoop = false;
    }

    @Test
    void onTheLoopATimerIsArmedAtOnceAndFires() {
        onLoop = true;
        timers.schedule(() -> fired.add("a"), 300, TimeUnit.MILLISECONDS);
        onLoop = false;
        assertEquals(0, loopQueue.size());
        assertEquals(1, wheel.size());
        advanceBy(400);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void fromAnotherThreadArmingHopsOntoTheLoopAndKeepsTheOriginalDeadline() {
        timers.schedule(() -> fired.add("a"), 300, TimeUnit.MILLISECONDS);
        assertEquals(0, wheel.size(), "the wheel is only touched on the loop");
        now += TimeUnit.MILLISECONDS.toNanos(250);
        runLoop();
        assertEquals(1, wheel.size());
        advanceBy(100);
        assertEquals(List.of("a"), fired);
    }

    @Test
    void aCancelBeforeTheArmingHopRunsMeansTheTaskNeverRuns() {
        Timers.Cancellable c = timers.schedule(() -> fired.add("a"), 100, TimeUnit.MILLISECONDS);
        c.cancel();
        runLoop();
        advanceBy(1000);
        assertEquals(List.of(), fired);
        assertEquals(0, wheel.size());
    }

    @Test
    void aCancelFromAnotherThreadUnlinksTheTimeoutOnTheLoop() {
        onLoop = true;
        Timers.Cancellable c = timers.schedule(() -> fired.add("a"), 5, TimeUnit.SECONDS);
        onLoop = false;
        c.cancel();
        c.cancel();
        assertEquals(1, loopQueue.size(), "a second cancel does not hop again");
        runLoop();
        assertEquals(0, wheel.size());
        advanceBy(6000);
        assertEquals(List.of(), fired);
    }

    @Test
    void aLoopThatNoLongerTakesTasksDropsTheHopInsteadOfFailingTheCaller() {
        Timers closed = Timers.onWheel(wheel, task -> {
            throw new java.util.concurrent.RejectedExecutionException("loop shut down");
        }, () -> false);
        Timers.Cancellable c = closed.schedule(() -> fired.add("a"), 100, TimeUnit.MILLISECONDS);
        c.cancel();
        advanceBy(1000);
        assertEquals(List.of(), fired);
    }
}
