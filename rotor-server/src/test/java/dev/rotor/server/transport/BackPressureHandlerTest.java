package dev.rotor.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The back-pressure handler on an {@link EmbeddedChannel} whose "socket" takes bytes only when the test lets the
 * peer read, with water marks of 8 and 16 bytes and a frozen clock.
 */
class BackPressureHandlerTest {

    /** An embedded channel whose peer reads nothing until {@link #peerReads} says so: flushed bytes stay pending. */
    private static final class SlowPeerChannel extends EmbeddedChannel {
        @Override
        protected void doWrite(ChannelOutboundBuffer in) {
            // the socket takes nothing
        }

        /** The peer reads {@code n} bytes: they leave the outbound buffer, as a socket write would take them. */
        void peerReads(long n) {
            unsafe().outboundBuffer().removeBytes(n);
        }
    }

    private static SlowPeerChannel channel(int stallSeconds) {
        SlowPeerChannel ch = new SlowPeerChannel();
        ch.freezeTime();
        ch.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1000, 2000));
        ch.pipeline().addLast(new BackPressureHandler(new LoopTimers(ch.eventLoop()), stallSeconds));
        return ch;
    }

    private static void send(EmbeddedChannel ch, int bytes) {
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[bytes]));
    }

    /** Lets time pass tick by tick, so that timeouts armed by a firing task count from when it fired. */
    private static void advance(EmbeddedChannel ch, long millis) {
        for (long t = 0; t < millis; t += 100) {
            ch.advanceTimeBy(Math.min(100, millis - t), TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
    }

    @Test
    void readingPausesWhileUnwritableAndResumesOnceDrainedBelowTheLowMark() {
        SlowPeerChannel ch = channel(0);
        send(ch, 1000);
        assertThat(ch.config().isAutoRead()).as("below the high mark").isTrue();
        send(ch, 1000);
        assertThat(ch.isWritable()).isFalse();
        assertThat(ch.config().isAutoRead()).isFalse();
        assertThat(ReadGate.of(ch).isPaused(ReadGate.UNWRITABLE)).isTrue();

        ch.peerReads(1000);
        assertThat(ch.config().isAutoRead()).as("one message left, above the low mark").isFalse();
        ch.peerReads(1000);
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        assertFalse(ch.finish());
    }

    @Test
    void becomingWritableDoesNotResumeReadingAnotherReasonPaused() {
        SlowPeerChannel ch = channel(0);
        ReadGate gate = ReadGate.of(ch);
        gate.pause(ReadGate.PROCESSING);
        send(ch, 2500);
        ch.peerReads(2500);
        assertThat(ch.isWritable()).isTrue();
        assertThat(ch.config().isAutoRead()).as("a frame is still being processed").isFalse();
        gate.resume(ReadGate.PROCESSING);
        assertThat(ch.config().isAutoRead()).isTrue();
        assertFalse(ch.finish());
    }

    @Test
    void aConnectionThePeerTakesNothingFromIsClosedAfterTheStallTimeout() {
        SlowPeerChannel ch = channel(2);
        send(ch, 2500);
        advance(ch, 1_800);
        assertThat(ch.isOpen()).isTrue();
        // the first look one 100 ms tick in, then 2 s, plus at most a tick of lateness each
        advance(ch, 600);
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void aSlowPeerThatKeepsReadingIsNotClosedButIsOnceItStops() {
        SlowPeerChannel ch = channel(2);
        send(ch, 2500);
        for (int i = 0; i < 10; i++) {
            advance(ch, 1_500);
            ch.peerReads(2);
        }
        assertThat(ch.isWritable()).as("still above the marks after 15 s").isFalse();
        assertThat(ch.isOpen()).isTrue();

        // no byte taken from now on: closed within two timeouts
        advance(ch, 4_300);
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void drainingBeforeTheTimeoutDisarmsTheStallCheck() {
        SlowPeerChannel ch = channel(2);
        send(ch, 2500);
        advance(ch, 1_000);
        ch.peerReads(2500);
        advance(ch, 10_000);
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.config().isAutoRead()).isTrue();
        assertFalse(ch.finish());
    }

    @Test
    void aZeroTimeoutLeavesAStalledConnectionToBackPressureAlone() {
        SlowPeerChannel ch = channel(0);
        send(ch, 2500);
        advance(ch, 120_000);
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.config().isAutoRead()).isFalse();
        assertFalse(ch.finish());
    }
}
