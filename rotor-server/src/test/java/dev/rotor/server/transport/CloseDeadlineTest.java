package dev.rotor.server.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.timer.TimerWheel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CloseDeadlineTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();
    private final LoopTimers timers = new LoopTimers(ch.eventLoop());
    private final TimerWheel wheel = timers.wheel(ch.eventLoop());

    @Test
    void aChannelStillOpenAtTheDeadlineIsClosed() {
        CloseDeadline.arm(ch, timers.timers(ch.eventLoop()), 1000);
        assertThat(wheel.size()).isEqualTo(1);
        ch.advanceTimeBy(900, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(300, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aChannelThatClosesFirstLeavesNothingOnTheWheel() {
        // the armed timer would keep the closed channel reachable until the deadline
        CloseDeadline.arm(ch, timers.timers(ch.eventLoop()), 1000);
        assertThat(wheel.size()).isEqualTo(1);
        ch.close();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aDeadlineArmedOnAClosedChannelIsCancelledAtOnce() {
        ch.close();
        CloseDeadline.arm(ch, timers.timers(ch.eventLoop()), 1000);
        assertThat(wheel.size()).isZero();
    }
}
