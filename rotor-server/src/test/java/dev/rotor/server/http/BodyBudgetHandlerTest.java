package dev.rotor.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
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
}
