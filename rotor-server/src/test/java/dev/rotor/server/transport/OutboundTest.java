package dev.rotor.server.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.transport.WriteBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Outbound} with a recording sink and an event loop that runs its tasks only when the test says so: order
 * of replies and batched pushes, one drain per burst, byte accounting, close, and a channel that is not attached.
 */
class OutboundTest {
    private final Loop loop = new Loop();
    private final Metrics metrics = new Metrics();
    private final RecordingSink sink = new RecordingSink();
    /** The attached channel: the sink records frames without writing them, unless told to. */
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final Outbound outbound = new Outbound(loop, channel, sink, metrics);

    @AfterEach
    void channelHoldsNothing() {
        assertFalse(channel.finish());
    }

    /** A deterministic event loop: tasks wait until {@link #runAll}. */
    private static final class Loop implements Executor {
        private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
        }

        int pending() {
            return tasks.size();
        }

        void runAll() {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                task.run();
            }
        }
    }

    /** Records each drain's frames as one list, optionally writes them to a channel, runs hooks at write and flush. */
    private static final class RecordingSink implements FrameSink {
        private final List<List<String>> flushed = new ArrayList<>();
        private final List<String> current = new ArrayList<>();
        private Runnable onWrite = () -> { };
        private Runnable onFlush = () -> { };
        /** Null: frames are only recorded. */
        private Channel channel;

        @Override
        public void writeFrame(byte[] frame) {
            current.add(new String(frame, StandardCharsets.UTF_8));
            if (channel != null) {
                channel.write(Unpooled.wrappedBuffer(frame), channel.voidPromise());
            }
            onWrite.run();
        }

        @Override
        public void flushFrames() {
            flushed.add(List.copyOf(current));
            current.clear();
            onFlush.run();
        }

        /** The drains so far, each as the frames it flushed; forgets them. */
        List<List<String>> take() {
            List<List<String>> out = List.copyOf(flushed);
            flushed.clear();
            return out;
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aBurstOfWritesIsOneDrainTaskAndOneFlushInCallOrder() {
        outbound.write(bytes("a"));
        outbound.write(bytes("b"));
        outbound.write(bytes("c"));
        assertThat(loop.pending()).as("one drain task for the burst").isEqualTo(1);
        assertThat(outbound.queuedBytes()).isEqualTo(3);

        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("a", "b", "c"));
        assertThat(outbound.queuedBytes()).isZero();
        assertThat(metrics.count(Counter.CLIENT_NUM_MSG_SENT)).isEqualTo(3);

        // the claim was released: the next write schedules a drain again
        outbound.write(bytes("d"));
        assertThat(loop.pending()).isEqualTo(1);
        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("d"));
        assertThat(metrics.count(Counter.CLIENT_NUM_MSG_SENT)).isEqualTo(4);
    }

    @Test
    void batchedPushesAndRepliesKeepCallOrderAndTheBatchRunsTheDrain() {
        WriteBatch batch = new WriteBatch();
        outbound.write(bytes("push1"), batch);
        // a reply written while the batch holds the drain claim waits behind push1, it does not overtake it
        outbound.write(bytes("reply"));
        outbound.write(bytes("push2"), batch);
        assertThat(loop.pending()).as("the drain is the batch's").isZero();
        assertThat(outbound.queuedBytes()).isEqualTo("push1replypush2".length());

        batch.run();
        assertThat(batch.executorCount()).isEqualTo(1);
        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("push1", "reply", "push2"));
        assertThat(outbound.queuedBytes()).isZero();
    }

    @Test
    void aBatchedWriteAfterADirectOneJoinsItsDrain() {
        outbound.write(bytes("reply"));
        WriteBatch batch = new WriteBatch();
        outbound.write(bytes("push"), batch);
        batch.run();
        // the direct write's drain holds the claim, so the batch has no task for this connection
        assertThat(batch.executorCount()).isZero();
        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("reply", "push"));
    }

    @Test
    void aFrameQueuedDuringADrainAfterItsLastPollIsNotStranded() {
        // written while the drain flushes: after its last poll, before it released the claim
        sink.onFlush = () -> {
            sink.onFlush = () -> { };
            outbound.write(bytes("late"));
        };
        outbound.write(bytes("first"));
        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("first"), List.of("late"));
        assertThat(outbound.queuedBytes()).isZero();
        assertThat(loop.pending()).isZero();
    }

    @Test
    void aClosedOutboundDropsWritesAndSchedulesNothing() {
        assertThat(outbound.close()).isTrue();
        assertThat(outbound.close()).as("only the first close counts").isFalse();
        assertThat(outbound.isClosed()).isTrue();
        outbound.write(bytes("a"));
        outbound.write(bytes("b"), new WriteBatch());
        assertThat(loop.pending()).isZero();
        assertThat(outbound.queuedBytes()).isZero();
        assertThat(sink.take()).isEmpty();
    }

    @Test
    void closeDiscardsQueuedFramesEvenWithTheirDrainScheduled() {
        WriteBatch batch = new WriteBatch();
        outbound.write(bytes("reply"));
        outbound.write(bytes("push"), batch);
        outbound.close();
        assertThat(outbound.queuedBytes()).isZero();
        batch.run();
        loop.runAll();
        assertThat(sink.take()).isEmpty();
        assertThat(metrics.count(Counter.CLIENT_NUM_MSG_SENT)).isZero();
    }

    @Test
    void aCloseDuringADrainDiscardsWhatItHasNotWrittenYet() {
        // the connection is closed from another thread while the drain writes its first frame
        sink.onWrite = outbound::close;
        outbound.write(bytes("a"));
        outbound.write(bytes("b"));
        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("a"));
        assertThat(outbound.queuedBytes()).isZero();
        assertThat(metrics.count(Counter.CLIENT_NUM_MSG_SENT)).isEqualTo(1);
    }

    @Test
    void aFrameIsCountedWhileTheSinkHandsItToTheChannel() {
        // the transport may copy a large frame for milliseconds before the channel counts it; meanwhile the
        // slow-client check and client_queue_budget's recount, on other threads, must still see it
        List<Long> duringWrite = new ArrayList<>();
        sink.onWrite = () -> duringWrite.add(outbound.queuedBytes());
        outbound.write(bytes("abcd"));
        outbound.write(bytes("ef"));
        loop.runAll();
        assertThat(duringWrite).containsExactly(6L, 2L);
        assertThat(outbound.queuedBytes()).isZero();
    }

    @Test
    void dropChannelClosesTheAttachedChannelOnTheLoop() {
        outbound.close();
        outbound.dropChannel();
        assertThat(channel.isOpen()).as("not before the loop runs it").isTrue();
        loop.runAll();
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void framesForADetachedReceiverStayQueuedAndCountedUntilTheNextAttach() {
        outbound.detach();
        outbound.write(bytes("a"));
        loop.runAll();
        outbound.write(bytes("bc"));
        assertThat(loop.pending()).as("the claim was released: each write drains again").isEqualTo(1);
        loop.runAll();
        assertThat(sink.take()).isEmpty();
        assertThat(outbound.queuedBytes()).isEqualTo(3);

        outbound.attach(channel);
        assertThat(sink.take()).containsExactly(List.of("a", "bc"));
        assertThat(outbound.queuedBytes()).isZero();
        assertThat(metrics.count(Counter.CLIENT_NUM_MSG_SENT)).isEqualTo(2);
    }

    @Test
    void aFrameWrittenAsTheReceiverFinishesWaitsForTheNextAttach() {
        // a polling receiver is done after one drain: it detaches while flushing, and a write comes in meanwhile
        sink.onFlush = () -> {
            sink.onFlush = () -> { };
            outbound.detach();
            outbound.write(bytes("late"));
        };
        outbound.write(bytes("first"));
        loop.runAll();
        assertThat(sink.take()).containsExactly(List.of("first"));
        assertThat(loop.pending()).as("no drain spins without a receiver").isZero();
        assertThat(outbound.queuedBytes()).isEqualTo(4);

        outbound.attach(channel);
        assertThat(sink.take()).containsExactly(List.of("late"));
        assertThat(outbound.queuedBytes()).isZero();
    }

    /** Bytes the channel holds unflushed: the frames plus Netty's per-entry overhead. */
    private static long unflushed(Channel channel) {
        return channel.unsafe().outboundBuffer().totalPendingWriteBytes();
    }

    @Test
    void queuedBytesCountTheChannelsUnflushedBytesToo() {
        sink.channel = channel;
        // a sink whose flush does not reach the socket: the written bytes sit in the channel's outbound buffer
        outbound.write(bytes("abc"));
        outbound.write(bytes("de"));
        assertThat(outbound.queuedBytes()).as("in the queue").isEqualTo(5);
        loop.runAll();
        assertThat(unflushed(channel)).isGreaterThanOrEqualTo(5);
        assertThat(outbound.queuedBytes()).as("in the channel's outbound buffer").isEqualTo(unflushed(channel));
        outbound.write(bytes("f"));
        assertThat(outbound.queuedBytes()).as("both").isEqualTo(1 + unflushed(channel));

        channel.flush();
        assertThat(outbound.queuedBytes()).as("queue only").isEqualTo(1);
        loop.runAll();
        channel.flush();
        assertThat(outbound.queuedBytes()).isZero();
        ByteBuf written;
        StringBuilder wire = new StringBuilder();
        while ((written = channel.readOutbound()) != null) {
            wire.append(written.toString(StandardCharsets.UTF_8));
            written.release();
        }
        assertThat(wire).hasToString("abcdef");
    }
}
