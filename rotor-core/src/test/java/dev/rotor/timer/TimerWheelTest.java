package dev.rotor.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long TICK = TimeUnit.MILLISECONDS.toNanos(100);

    /** A clock the test moves by hand; starts at an arbitrary value so nothing relies on zero. */
    private long now = 7_000_000_123L;
    private final TimerWheel wheel = new TimerWheel(100, TimeUnit.MILLISECONDS, 8, () -> now);
    private final List<String> fired = new ArrayList<>();

    private Timeout recording(String name) {
        return wheel.newTimeout(() -> fired.add(name));
    }

    private void advanceBy(long nanos) {
        now += nanos;
        wheel.advance();
    }

    private static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    @Test
    void aTimeoutFiresNotBeforeItsDeadlineAndAtMostOneTickAfter() {
        Timeout t = recording("a");
        t.schedule(ms(250));
        assertTrue(t.isArmed());
        long deadline = now + ms(250);
        long firedAt = -1;
        for (int i = 0; i < 100 && firedAt < 0; i++) {
            advanceBy(ms(10));
            if (!fired.isEmpty()) {
                firedAt = now;
            }
        }
        assertEquals(List.of("a"), fired);
        assertTrue(firedAt >= deadline, "fired early");
        assertTrue(firedAt - deadline <= TICK, "fired more than one tick late");
        assertFalse(t.isArmed());
        assertEquals(0, wheel.size());
    }

    @Test
    void timeoutsFireInDeadlineOrderAcrossTicksAndInArmOrderWithinATick() {
        recording("late").schedule(ms(700));
        recording("early").schedule(ms(120));
        recording("mid-1").schedule(ms(330));
        recording("mid-2").schedule(ms(310));
        advanceBy(ms(1000));
        // mid-1 and mid-2 share the tick ending at 400 ms, so they keep the order they were armed in
        assertEquals(List.of("early", "mid-1", "mid-2", "late"), fired);
    }

    @Test
    void aCancelledTimeoutNeverFiresAndLeavesTheWheelAtOnce() {
        Timeout a = recording("a");
        Timeout b = recording("b");
        a.schedule(ms(200));
        b.schedule(ms(200));
        a.cancel();
        a.cancel();
        assertEquals(1, wheel.size());
        assertFalse(a.isArmed());
        advanceBy(ms(500));
        assertEquals(List.of("b"), fired);
        assertEquals(0, wheel.size());
    }

    @Test
    void reArmingMovesTheDeadlineEitherWayWithoutDuplicates() {
        Timeout t = recording("t");
        t.schedule(ms(300));
        t.schedule(ms(900));
        advanceBy(ms(500));
        assertEquals(List.of(), fired);
        t.schedule(ms(50));
        assertEquals(1, wheel.size());
        advanceBy(ms(200));
        assertEquals(List.of("t"), fired);
        advanceBy(ms(2000));
        assertEquals(List.of("t"), fired, "the first deadlines were replaced, not kept");
    }

    @Test
    void aDeadlineBeyondOneTurnOfTheWheelWaitsForItsRound() {
        // 8 buckets × 100 ms: 2.05 s is more than two turns away and shares its bucket with nearer ticks
        Timeout far = recording("far");
        far.schedule(ms(2050));
        recording("near").schedule(ms(450));
        advanceBy(ms(2000));
        assertEquals(List.of("near"), fired);
        advanceBy(ms(100));
        assertEquals(List.of("near", "far"), fired);
    }

    @Test
    void manyTimeoutsEachFireOnceOnTimeWhateverTheCancellations() {
        Random random = new Random(42);
        int n = 50_000;
        long start = now;
        long[] deadlines = new long[n];
        long[] firedAt = new long[n];
        Timeout[] timeouts = new Timeout[n];
        for (int i = 0; i < n; i++) {
            int id = i;
            deadlines[i] = start + ms(random.nextInt(5_000));
            timeouts[i] = wheel.newTimeout(() -> firedAt[id] = now);
            timeouts[i].scheduleAt(deadlines[i]);
        }
        boolean[] cancelled = new boolean[n];
        for (int i = 0; i < n; i += 3) {
            timeouts[i].cancel();
            cancelled[i] = true;
        }
        assertEquals(n - (n + 2) / 3, wheel.size());
        while (now - start < ms(6_000)) {
            advanceBy(ms(1 + random.nextInt(150)));
        }
        for (int i = 0; i < n; i++) {
            if (cancelled[i]) {
                assertEquals(0, firedAt[i], "cancelled timeout " + i + " fired");
            } else {
                assertTrue(firedAt[i] >= deadlines[i], "timeout " + i + " fired early");
                // one tick of rounding plus the irregular driver step (up to 150 ms here)
                assertTrue(firedAt[i] - deadlines[i] <= TICK + ms(150), "timeout " + i + " fired late");
            }
        }
        assertEquals(0, wheel.size());
    }

    @Test
    void aLateDriverCatchesUpByTheClockAndAPeriodicTimeoutDoesNotDrift() {
        long period = ms(1000);
        long[] next = {now + period};
        List<Long> firedAt = new ArrayList<>();
        Timeout[] self = new Timeout[1];
        self[0] = wheel.newTimeout(() -> {
            firedAt.add(now);
            next[0] += period;
            self[0].scheduleAt(next[0]);
        });
        self[0].scheduleAt(next[0]);
        long start = now;
        // the driver runs late and irregularly: 170 ms steps, then one 3.5 s stall
        for (int i = 0; i < 30; i++) {
            advanceBy(ms(170));
        }
        advanceBy(ms(3500));
        for (int i = 0; i < 30; i++) {
            advanceBy(ms(170));
        }
        long elapsed = now - start;
        // one firing per elapsed period, none lost to the stall, each a whole number of periods after the start
        assertEquals(elapsed / period, firedAt.size());
        for (int i = 0; i < firedAt.size(); i++) {
            long due = start + (i + 1) * period;
            assertTrue(firedAt.get(i) >= due, "periodic firing " + i + " early");
        }
        assertTrue(firedAt.get(firedAt.size() - 1) - (start + firedAt.size() * period) <= TICK + ms(170),
                "the last firing drifted");
    }

    @Test
    void aTimeoutArmedFromATaskForThePastFiresInTheNextTickNotInTheSameCall() {
        Timeout second = recording("second");
        Timeout first = wheel.newTimeout(() -> {
            fired.add("first");
            second.scheduleAt(now - ms(1000));
        });
        first.schedule(ms(100));
        now += ms(100);
        assertEquals(1, wheel.advance());
        assertEquals(List.of("first"), fired);
        assertTrue(second.isArmed());
        advanceBy(ms(100));
        assertEquals(List.of("first", "second"), fired);
    }

    @Test
    void aTaskMayCancelOrReArmOthersDueInTheSameTick() {
        Timeout b = recording("b");
        Timeout c = recording("c");
        Timeout d = recording("d");
        Timeout a = wheel.newTimeout(() -> {
            fired.add("a");
            b.cancel();
            c.schedule(ms(500));
        });
        a.schedule(ms(100));
        b.schedule(ms(100));
        c.schedule(ms(100));
        d.schedule(ms(100));
        advanceBy(ms(100));
        assertEquals(List.of("a", "d"), fired);
        advanceBy(ms(600));
        assertEquals(List.of("a", "d", "c"), fired);
        assertEquals(0, wheel.size());
    }

    @Test
    void aThrowingTaskIsLoggedAndTheOthersStillRun() {
        wheel.newTimeout(() -> {
            throw new IllegalStateException("expected by the test");
        }).schedule(ms(100));
        recording("after").schedule(ms(100));
        advanceBy(ms(100));
        assertEquals(List.of("after"), fired);
    }

    @Test
    void advancingAnEmptyOrIdleWheelFiresNothing() {
        assertEquals(0, wheel.advance());
        recording("x").schedule(ms(10_000));
        for (int i = 0; i < 50; i++) {
            advanceBy(ms(100));
        }
        assertEquals(List.of(), fired);
        assertEquals(1, wheel.size());
    }
}
