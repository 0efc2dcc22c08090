package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.metrics.Metrics;
import dev.rotor.server.transport.LoopTimers;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.TimeUnit;
import dev.rotor.protocol.Disconnect;
import dev.rotor.transport.WriteBatch;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketTransport} on an {@link EmbeddedChannel}, whose event loop runs tasks only when the test says so:
 * fan-out writes through a {@link WriteBatch} and direct writes (replies) go out in call order.
 */
class WebSocketTransportTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<String> sent(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        WebSocketFrame f;
        while ((f = ch.readOutbound()) != null) {
            assertThat(f).isInstanceOf(TextWebSocketFrame.class);
            out.add(((TextWebSocketFrame) f).text());
            f.release();
        }
        return out;
    }

    /** A transport whose timers run on the channel's own loop wheel. */
    private static WebSocketTransport transport(EmbeddedChannel ch) {
        return new WebSocketTransport(ch, new Metrics(), new LoopTimers(ch.eventLoop()).timers(ch.eventLoop()));
    }

    @Test
    void repliesAndBatchedPushesGoOutInCallOrder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketTransport t = transport(ch);

        t.write(bytes("reply1"));
        ch.runPendingTasks();
        assertThat(sent(ch)).containsExactly("reply1");

        WriteBatch batch = new WriteBatch();
        t.write(bytes("push1"), batch);
        // a reply written while the batch holds the drain claim waits behind push1, it does not overtake it
        t.write(bytes("reply2"));
        t.write(bytes("push2"), batch);
        ch.runPendingTasks();
        assertThat(sent(ch)).as("nothing goes out before the batch runs").isEmpty();
        assertThat(t.queuedBytes()).isEqualTo("push1reply2push2".length());

        batch.run();
        assertThat(batch.executorCount()).isEqualTo(1);
        ch.runPendingTasks();
        assertThat(sent(ch)).containsExactly("push1", "reply2", "push2");
        assertThat(t.queuedBytes()).isZero();

        // the claim was released: a later direct write schedules its own drain again
        t.write(bytes("reply3"));
        ch.runPendingTasks();
        assertThat(sent(ch)).containsExactly("reply3");
        ch.finishAndReleaseAll();
    }

    @Test
    void framesQueuedInABatchAreDiscardedWhenTheConnectionClosesFirst() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketTransport t = transport(ch);

        WriteBatch batch = new WriteBatch();
        t.write(bytes("push1"), batch);
        t.close(Disconnect.SLOW);
        t.write(bytes("push2"), batch);
        ch.runPendingTasks();
        batch.run();
        ch.runPendingTasks();
        List<Object> out = new ArrayList<>();
        Object m;
        while ((m = ch.readOutbound()) != null) {
            out.add(m);
        }
        assertThat(out).as("only the close frame").hasSize(1)
                .allMatch(o -> !(o instanceof TextWebSocketFrame));
        out.forEach(io.netty.util.ReferenceCountUtil::release);
        ch.finishAndReleaseAll();
    }

    /** Holds every close frame write unanswered, as a peer that stopped reading would. */
    private static final class StalledCloseWrites extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof CloseWebSocketFrame) {
                ReferenceCountUtil.release(msg);
                return;
            }
            ctx.write(msg, promise);
        }
    }

    @Test
    void aCloseFrameThatCannotBeWrittenStillClosesTheConnectionAfterOneSecond() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new StalledCloseWrites());
        WebSocketTransport t = transport(ch);
        t.close(Disconnect.SLOW);
        ch.runPendingTasks();
        ch.advanceTimeBy(900, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isTrue();
        // client-protocol.md §9: 1 s, plus at most one 100 ms wheel tick
        ch.advanceTimeBy(250, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isActive()).isFalse();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }
}
