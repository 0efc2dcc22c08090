package dev.rotor.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/** {@link BodyBudgetHandler} on embedded channels sharing one budget: pause, resume, release on every path. */
class BodyBudgetHandlerTest {
    private final BodyBudget budget = new BodyBudget(1000);

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel(new BodyBudgetHandler(budget));
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/"));
        return ch;
    }

    private static void chunk(EmbeddedChannel ch, int bytes) {
        ch.writeInbound(new DefaultHttpContent(Unpooled.wrappedBuffer(new byte[bytes])));
    }

    @Test
    void aConnectionPastTheBudgetStopsReadingAndResumesWhenAnotherOneFinishes() {
        EmbeddedChannel first = channel();
        EmbeddedChannel second = channel();
        chunk(first, 800);
        chunk(second, 300);
        assertThat(first.config().isAutoRead()).isTrue();
        assertThat(second.config().isAutoRead()).as("second took the total past 1000 bytes").isFalse();
        assertThat(budget.used()).isEqualTo(1100);

        first.writeInbound(new DefaultLastHttpContent());
        assertThat(budget.used()).isEqualTo(300);
        second.runPendingTasks();
        assertThat(second.config().isAutoRead()).isTrue();

        second.writeInbound(new DefaultLastHttpContent());
        assertThat(budget.used()).isZero();
        assertThat(EmbeddedHttp.drainInbound(first)).isEqualTo(3);
        assertThat(EmbeddedHttp.drainInbound(second)).isEqualTo(3);
        assertFalse(first.finish());
        assertFalse(second.finish());
    }

    /** Counts the reads that reach the head of the pipeline. */
    private static final class Reads extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void read(ChannelHandlerContext ctx) throws Exception {
            count++;
            super.read(ctx);
        }
    }

    @Test
    void theAggregatorCannotReadPastAPause() {
        EmbeddedChannel first = channel();
        chunk(first, 1000);
        Reads reads = new Reads();
        EmbeddedChannel second = new EmbeddedChannel(reads, new BodyBudgetHandler(budget),
                new HttpObjectAggregator(1 << 20));
        second.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/"));
        chunk(second, 10);
        assertThat(second.config().isAutoRead()).isFalse();
        int before = reads.count;
        // an aggregator that is still aggregating asks for a read after each read when autoRead is off
        second.pipeline().fireChannelReadComplete();
        assertThat(reads.count).isEqualTo(before);

        first.close();
        second.runPendingTasks();
        assertThat(second.config().isAutoRead()).isTrue();
        second.pipeline().fireChannelReadComplete();
        second.writeInbound(new DefaultLastHttpContent());
        FullHttpRequest request = second.readInbound();
        assertThat(request.content().readableBytes()).isEqualTo(10);
        request.release();
        assertThat(budget.used()).isZero();
        EmbeddedHttp.drainInbound(first);
        assertFalse(first.finish());
        assertFalse(second.finish());
    }

    @Test
    void theOldestBodyKeepsReadingPastTheBudget() {
        EmbeddedChannel ch = channel();
        chunk(ch, 600);
        chunk(ch, 600);
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(budget.used()).isEqualTo(1200);
        ch.writeInbound(new DefaultLastHttpContent());
        assertThat(budget.used()).isZero();
        EmbeddedHttp.drainInbound(ch);
        assertFalse(ch.finish());
    }

    @Test
    void aConnectionClosedMidBodyReleasesItsShareAndWakesTheWaiters() {
        EmbeddedChannel first = channel();
        EmbeddedChannel second = channel();
        chunk(first, 900);
        chunk(second, 200);
        assertThat(second.config().isAutoRead()).isFalse();
        first.close();
        assertThat(budget.used()).isEqualTo(200);
        second.runPendingTasks();
        assertThat(second.config().isAutoRead()).isTrue();
        second.close();
        assertThat(budget.used()).isZero();
        assertThat(budget.waiting()).isZero();
        EmbeddedHttp.drainInbound(first);
        EmbeddedHttp.drainInbound(second);
        assertFalse(first.finish());
        assertFalse(second.finish());
    }

    @Test
    void aRequestCompletedWhilePausedResumesItsOwnReading() {
        EmbeddedChannel first = channel();
        EmbeddedChannel second = channel();
        chunk(first, 1000);
        chunk(second, 10);
        assertThat(second.config().isAutoRead()).isFalse();
        // the rest of the body was already decoded from the last read
        second.writeInbound(new DefaultLastHttpContent());
        assertThat(second.config().isAutoRead()).isTrue();
        assertThat(budget.used()).isEqualTo(1000);
        first.close();
        assertThat(budget.used()).isZero();
        EmbeddedHttp.drainInbound(first);
        EmbeddedHttp.drainInbound(second);
        assertFalse(first.finish());
        assertFalse(second.finish());
    }

    /**
     * A request handled after its read (it waited behind an earlier answer, or for the peer to read) had its share
     * released when it was decoded: asking to keep it then must not keep the next request's share instead.
     */
    @Test
    void keepingTheShareOutsideTheRequestsReadKeepsNothing() {
        EmbeddedChannel ch = channel();
        chunk(ch, 300);
        ch.writeInbound(new DefaultLastHttpContent());
        assertThat(budget.used()).isZero();
        Runnable release = BodyBudgetHandler.holdUntilAnswered(ch.pipeline().firstContext());
        ch.writeInbound(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/"));
        chunk(ch, 200);
        ch.writeInbound(new DefaultLastHttpContent());
        assertThat(budget.used()).as("the next request's share, kept for the earlier one").isZero();
        release.run();
        assertThat(budget.used()).isZero();
        EmbeddedHttp.drainInbound(ch);
        assertFalse(ch.finish());
    }
}
