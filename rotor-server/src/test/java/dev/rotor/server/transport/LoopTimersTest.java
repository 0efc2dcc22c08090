package dev.rotor.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.rotor.timer.Timeout;
import dev.rotor.timer.TimerWheel;
import dev.rotor.timer.Timers;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-loop wheels on real event loops (their own driver task and clock) and on a frozen embedded loop. */
class LoopTimersTest {
    private final DefaultEventLoopGroup group = new DefaultEventLoopGroup(2);
    private final LoopTimers timers = new LoopTimers(group);

    @AfterEach
    void tearDown() {
        timers.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void eachLoopHasItsOwnWheelAndTimeoutsRunOnThatLoop() {
        EventLoop a = group.next();
        EventLoop b = group.next();
        assertThat(a).isNotSameAs(b);
        assertThat(timers.wheel(a)).isNotSameAs(timers.wheel(b));
        ConcurrentLinkedQueue<String> ran = new ConcurrentLinkedQueue<>();
        for (EventLoop loop : new EventLoop[] {a, b}) {
            String name = loop == a ? "a" : "b";
            // armed from the test thread: the timer hops onto its loop and fires there
            timers.timers(loop).schedule(() -> ran.add(name + (loop.inEventLoop() ? " on its loop" : " elsewhere")),
                    150, TimeUnit.MILLISECONDS);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> ran.size() == 2);
        assertThat(ran).containsExactlyInAnyOrder("a on its loop", "b on its loop");
    }

    @Test
    void aTimerCancelledFromAnotherThreadBeforeItIsDueNeverRuns() throws Exception {
        EventLoop loop = group.next();
        AtomicBoolean cancelledRan = new AtomicBoolean();
        AtomicBoolean laterRan = new AtomicBoolean();
        Timers.Cancellable c = timers.timers(loop).schedule(() -> cancelledRan.set(true), 300, TimeUnit.MILLISECONDS);
        c.cancel();
        // a later timer on the same loop proves the wheel moved past the cancelled one's deadline
        timers.timers(loop).schedule(() -> laterRan.set(true), 600, TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofSeconds(20)).untilTrue(laterRan);
        assertThat(cancelledRan).isFalse();
        assertThat(loop.submit(() -> timers.wheel(loop).size()).get(20, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aLoopOfAnotherGroupIsRejected() {
        EmbeddedChannel ch = new EmbeddedChannel();
        assertThatThrownBy(() -> timers.wheel(ch.eventLoop())).isInstanceOf(IllegalArgumentException.class);
        ch.finishAndReleaseAll();
    }

    @Test
    void onAnEmbeddedLoopTheWheelFollowsTheLoopsFrozenClock() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        LoopTimers embedded = new LoopTimers(ch.eventLoop());
        TimerWheel wheel = embedded.wheel(ch.eventLoop());
        AtomicBoolean fired = new AtomicBoolean();
        Timeout t = wheel.newTimeout(() -> fired.set(true));
        t.schedule(TimeUnit.SECONDS.toNanos(5));
        ch.advanceTimeBy(4900, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(fired).isFalse();
        ch.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(fired).isTrue();
        embedded.close();
        ch.finishAndReleaseAll();
    }
}
