package dev.rotor.server.http;

import static dev.rotor.server.http.EmbeddedHttp.drainInbound;
import static dev.rotor.server.http.EmbeddedHttp.output;
import static dev.rotor.server.http.EmbeddedHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestHeadHandler} behind a codec with small limits (request line 100 bytes, headers 200 bytes, body 1 MiB);
 * its judge refuses every request to {@code /refuse}.
 */
class RequestHeadHandlerTest {
    private static final String GET = "GET /ok HTTP/1.1\r\nHost: x\r\n\r\n";

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(
                new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(100).setMaxHeaderSize(200)),
                new RequestHeadHandler(1 << 20, (ctx, head) -> head.uri().startsWith("/refuse")
                        ? HttpResponses.errorResponse(HttpResponseStatus.BAD_REQUEST, "Bad Request") : null));
    }

    /** Sends a request that must be refused with {@code status}; returns the answer. */
    private static String refused(EmbeddedChannel ch, String request, String status) {
        send(ch, request);
        String out = output(ch);
        assertThat(out).startsWith("HTTP/1.1 " + status + "\r\n");
        assertThat(drainInbound(ch)).as("nothing of a refused request goes on").isZero();
        return out;
    }

    @Test
    void aRequestLineOverTheLimitGets414AndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        refused(ch, "GET /" + "a".repeat(200) + " HTTP/1.1\r\n\r\n", "414 Request-URI Too Long");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void headersOverTheLimitGet431AndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        String out = refused(ch, "GET / HTTP/1.1\r\nCookie: " + "c".repeat(300) + "\r\n\r\n",
                "431 Request Header Fields Too Large");
        assertThat(out).contains("connection: close");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void anUndecodableHeadGets400AndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        refused(ch, "GET / HTTP/1.1\r\nNo colon here\r\n\r\n", "400 Bad Request");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void badPercentEscapesAndNulBytesGet400AndTheConnectionStaysUsable() {
        EmbeddedChannel ch = channel();
        for (String uri : new String[] {"/%zz", "/%00", "/a%", "/api/?data=%zz", "/x?a=%0"}) {
            assertThat(refused(ch, "GET " + uri + " HTTP/1.1\r\nHost: x\r\n\r\n", "400 Bad Request"))
                    .as(uri).endsWith("\r\n\r\nBad Request\n");
            assertThat(ch.isOpen()).isTrue();
        }
        send(ch, GET);
        assertThat(drainInbound(ch)).isEqualTo(2);
        assertFalse(ch.finish());
    }

    @Test
    void aDeclaredBodyOverTheLimitGets413AndIsDroppedUnread() {
        EmbeddedChannel ch = channel();
        String out = refused(ch, "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n"
                + "x".repeat(1000), "413 Request Entity Too Large");
        assertThat(out).contains("connection: close");
        assertThat(ch.isOpen()).as("the body is still coming: read and dropped").isTrue();
        send(ch, "x".repeat(1_999_000));
        assertThat(drainInbound(ch)).isZero();
        assertThat(ch.isOpen()).as("closed once the body has been dropped").isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void anUnknownExpectationGets417() {
        EmbeddedChannel ch = channel();
        refused(ch, "POST /ok HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Length: 0\r\n\r\n",
                "417 Expectation Failed");
        assertFalse(ch.finishAndReleaseAll());
    }

    @Test
    void aRefusalWithASmallBodyDropsItAndKeepsTheConnection() {
        EmbeddedChannel ch = channel();
        String out = refused(ch, "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello",
                "400 Bad Request");
        assertThat(out).doesNotContain("connection: close");
        send(ch, "world" + GET);
        assertThat(drainInbound(ch)).as("the next request goes on").isEqualTo(2);
        assertThat(ch.isOpen()).isTrue();
        assertFalse(ch.finish());
    }

    @Test
    void aRefusalOfALargeBodyIsAnsweredFromTheHeadAndClosesOnceTheBodyIsDropped() {
        EmbeddedChannel ch = channel();
        String out = refused(ch, "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
                "400 Bad Request");
        assertThat(out).contains("connection: close");
        send(ch, "x".repeat(99_999));
        assertThat(ch.isOpen()).isTrue();
        send(ch, "x" + GET);
        assertThat(drainInbound(ch)).as("a request after a closing refusal is not served").isZero();
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void aRefusedBodyThatGoesOnPastTheLingerLimitIsCutOff() {
        EmbeddedChannel ch = channel();
        String out = refused(ch, "POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n",
                "400 Bad Request");
        assertThat(out).contains("connection: close");
        send(ch, "x".repeat((int) RequestHeadHandler.LINGER_LIMIT));
        assertThat(ch.isOpen()).as("open while the dropped part is within the limit").isTrue();
        send(ch, "x".repeat(1024));
        assertThat(ch.isOpen()).as("cut off past the limit, long before the declared body ends").isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void aRefusalOfARequestWaitingFor100ContinueClosesRightAway() {
        EmbeddedChannel ch = channel();
        refused(ch, "POST /refuse HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n",
                "400 Bad Request");
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void aBrokenChunkGets400AndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
        assertThat(drainInbound(ch)).isEqualTo(1);
        send(ch, "zz\r\nhello\r\n");
        assertThat(output(ch)).startsWith("HTTP/1.1 400 Bad Request");
        assertThat(ch.isOpen()).isFalse();
        drainInbound(ch);
        assertFalse(ch.finish());
    }

    @Test
    void onlyUrisThatDecodeWithoutANulByteAreDecodable() {
        assertThat(RequestHeadHandler.decodableUri("/connection/000/s/xhr_send?t=1&c=cb.x+y")).isTrue();
        assertThat(RequestHeadHandler.decodableUri("/a%20b?q=%C3%A9&r=%2B")).isTrue();
        assertThat(RequestHeadHandler.decodableUri("/a\0b")).isFalse();
        assertThat(RequestHeadHandler.decodableUri("/a%00b")).isFalse();
        assertThat(RequestHeadHandler.decodableUri("/?q=%00")).as("a NUL in a query value is data").isTrue();
        assertThat(RequestHeadHandler.decodableUri("/?q=%G0")).isFalse();
    }

    @Test
    void goodRequestsPassUntouched() {
        EmbeddedChannel ch = channel();
        send(ch, "POST /ok HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(drainInbound(ch)).isEqualTo(2);
        assertThat(output(ch)).isEmpty();
        assertFalse(ch.finish());
    }
}
