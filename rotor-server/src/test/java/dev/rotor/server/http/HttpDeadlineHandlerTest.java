package dev.rotor.server.http;

import static dev.rotor.server.http.EmbeddedHttp.advance;
import static dev.rotor.server.http.EmbeddedHttp.drainInbound;
import static dev.rotor.server.http.EmbeddedHttp.output;
import static dev.rotor.server.http.EmbeddedHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.ReadGate;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.Test;

/** The HTTP deadlines on an {@link EmbeddedChannel} with a frozen clock: head 10 s, idle 60 s, body 30 s. */
class HttpDeadlineHandlerTest {
    private static final String GET = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

    private static EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        LoopTimers timers = new LoopTimers(ch.eventLoop());
        ch.pipeline().addLast(new HttpServerCodec(), new HttpDeadlineHandler(10, 60, 30, timers.wheel(ch.eventLoop())));
        return ch;
    }

    private static void answer(EmbeddedChannel ch) {
        ch.writeOutbound(HttpResponses.response(HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER));
        assertThat(output(ch)).startsWith("HTTP/1.1 200 OK");
    }

    @Test
    void aConnectionThatSendsNothingIsClosedAtTheHeadDeadlineWithoutAnAnswer() {
        EmbeddedChannel ch = channel();
        advance(ch, 9_800);
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 400);
        assertThat(ch.isOpen()).isFalse();
        assertThat(output(ch)).isEmpty();
        assertFalse(ch.finish());
    }

    @Test
    void aHeadStillIncompleteAtItsDeadlineGets408AndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        advance(ch, 5_000);
        send(ch, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n");
        // counted from the opening, not from the first byte
        advance(ch, 5_300);
        assertThat(ch.isOpen()).isFalse();
        assertThat(output(ch)).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("connection: close");
        // the codec reports the unfinished head when the connection closes
        assertThat(drainInbound(ch)).isEqualTo(1);
        assertFalse(ch.finish());
    }

    @Test
    void aKeptAliveConnectionIsClosedWhenIdleForTheIdleTimeout() {
        EmbeddedChannel ch = channel();
        send(ch, GET);
        assertThat(drainInbound(ch)).isEqualTo(2);
        advance(ch, 20_000);
        answer(ch);
        advance(ch, 59_500);
        assertThat(ch.isOpen()).as("idle deadline counts from the end of the response").isTrue();
        advance(ch, 700);
        assertThat(ch.isOpen()).isFalse();
        assertThat(output(ch)).isEmpty();
        assertFalse(ch.finish());
    }

    @Test
    void theFirstBytesOfTheNextRequestStartItsHeadDeadline() {
        EmbeddedChannel ch = channel();
        send(ch, GET);
        drainInbound(ch);
        answer(ch);
        advance(ch, 5_000);
        send(ch, "GET /health HT");
        advance(ch, 9_800);
        assertThat(ch.isOpen()).isTrue();
        advance(ch, 400);
        assertThat(ch.isOpen()).isFalse();
        assertThat(output(ch)).startsWith("HTTP/1.1 408");
        assertFalse(ch.finish());
    }

    @Test
    void aBodyThatTricklesInTooSlowlyGets408() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
        advance(ch, 20_000);
        send(ch, "def");
        advance(ch, 9_800);
        assertThat(ch.isOpen()).as("the body deadline counts from the end of the head").isTrue();
        advance(ch, 400);
        assertThat(ch.isOpen()).isFalse();
        assertThat(output(ch)).startsWith("HTTP/1.1 408");
        drainInbound(ch);
        assertFalse(ch.finish());
    }

    @Test
    void aBodyStillWaitingForTheBudgetAtItsDeadlineGets503() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /api/ HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc");
        ReadGate.of(ch).pause(ReadGate.BODY_BUDGET);
        advance(ch, 30_200);
        assertThat(ch.isOpen()).isFalse();
        assertThat(output(ch)).startsWith("HTTP/1.1 503 Service Unavailable");
        drainInbound(ch);
        assertFalse(ch.finish());
    }

    @Test
    void aRequestWaitingForItsResponseHasNoDeadline() {
        EmbeddedChannel ch = channel();
        send(ch, GET);
        drainInbound(ch);
        advance(ch, 600_000);
        assertThat(ch.isOpen()).as("a SockJS poll may hold its response this long").isTrue();
        answer(ch);
        advance(ch, 60_200);
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void anInterimResponseDoesNotEndTheWait() {
        EmbeddedChannel ch = channel();
        send(ch, GET);
        drainInbound(ch);
        ch.writeOutbound(HttpResponses.response(HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
        output(ch);
        advance(ch, 120_000);
        assertThat(ch.isOpen()).isTrue();
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void zeroTurnsADeadlineOff() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        LoopTimers timers = new LoopTimers(ch.eventLoop());
        ch.pipeline().addLast(new HttpServerCodec(), new HttpDeadlineHandler(0, 0, 0, timers.wheel(ch.eventLoop())));
        advance(ch, 3_600_000);
        assertThat(ch.isOpen()).isTrue();
        assertFalse(ch.finish());
    }
}
