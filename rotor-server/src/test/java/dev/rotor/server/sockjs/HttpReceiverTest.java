package dev.rotor.server.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP receivers on an {@link EmbeddedChannel}: what each transport writes, and streaming recycling. */
class HttpReceiverTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");

    @AfterEach
    void finish() {
        request.release();
        assertFalse(channel.finish());
    }

    private String readContent() {
        HttpContent content = channel.readOutbound();
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    @Test
    void pollingWritesOneFullResponsePerFrame() {
        HttpReceiver r = new HttpReceiver(channel, request, HttpReceiver.Kind.JSONP, "cb", 4096);
        assertThat(r.send("a[\"x\"]")).isFalse();
        FullHttpResponse response = channel.readOutbound();
        try {
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("cb(\"a[\\\"x\\\"]\");\r\n");
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE))
                    .isEqualTo("application/javascript; charset=UTF-8");
            assertThat(response.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isNull();
        } finally {
            response.release();
        }
        assertThat(r.send("h")).isFalse();
        assertThat((Object) channel.readOutbound()).isNull();
    }

    @Test
    void streamingSendsHeadAndPreludeOnBeginThenFramesUntilTheLimit() {
        HttpReceiver r = new HttpReceiver(channel, request, HttpReceiver.Kind.XHR_STREAMING, "", 100);
        r.begin();
        HttpResponse head = channel.readOutbound();
        assertThat(HttpUtil.isTransferEncodingChunked(head)).isTrue();
        assertThat(head.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
        assertThat(readContent()).isEqualTo("h".repeat(2048) + "\n");
        assertThat(r.send("o")).isTrue();
        assertThat(readContent()).isEqualTo("o\n");
        String big = "a[\"" + "x".repeat(100) + "\"]";
        assertThat(r.send(big)).isFalse();
        assertThat(readContent()).isEqualTo(big + "\n");
        LastHttpContent last = channel.readOutbound();
        assertThat(last.content().readableBytes()).isZero();
        last.release();
        assertThat(r.send("h")).isFalse();
        r.end();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void eventSourceAndHtmlfileWrapFrames() {
        HttpReceiver es = new HttpReceiver(channel, request, HttpReceiver.Kind.EVENTSOURCE, "", 4096);
        es.send("o");
        channel.<HttpResponse>readOutbound();
        assertThat(readContent()).isEqualTo("\r\n");
        assertThat(readContent()).isEqualTo("data: o\r\n\r\n");
        es.end();
        channel.<LastHttpContent>readOutbound().release();

        HttpReceiver html = new HttpReceiver(channel, request, HttpReceiver.Kind.HTMLFILE, "p.c", 4096);
        html.send("a[\"</script>\"]");
        channel.<HttpResponse>readOutbound();
        String prelude = readContent();
        assertThat(prelude).contains("var c = parent.p.c;").endsWith("\r\n\r\n");
        assertThat(prelude.length()).isGreaterThan(1024);
        assertThat(readContent()).isEqualTo("<script>\np(\"a[\\\"\\u003c/script\\u003e\\\"]\");\n</script>\r\n");
        html.end();
        channel.<LastHttpContent>readOutbound().release();
    }

    @Test
    void sharedMessageFramesAreWrappedWithTheirNewlineOrEscapedForTheTextTransports() {
        byte[] frame = "a[\"{\\\"x\\\":1}\"]".getBytes(StandardCharsets.UTF_8);
        byte[] before = frame.clone();
        HttpReceiver xhr = new HttpReceiver(channel, request, HttpReceiver.Kind.XHR_STREAMING, "", 4096);
        assertThat(xhr.sendMessages(frame)).isTrue();
        channel.<HttpResponse>readOutbound();
        readContent();
        assertThat(readContent()).isEqualTo("a[\"{\\\"x\\\":1}\"]\n");
        xhr.end();
        channel.<LastHttpContent>readOutbound().release();

        HttpReceiver poll = new HttpReceiver(channel, request, HttpReceiver.Kind.XHR, "", 4096);
        assertThat(poll.sendMessages(frame)).isFalse();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("a[\"{\\\"x\\\":1}\"]\n");
        response.release();

        HttpReceiver jsonp = new HttpReceiver(channel, request, HttpReceiver.Kind.JSONP, "cb", 4096);
        assertThat(jsonp.sendMessages(frame)).isFalse();
        response = channel.readOutbound();
        assertThat(response.content().toString(StandardCharsets.UTF_8))
                .isEqualTo("cb(\"a[\\\"{\\\\\\\"x\\\\\\\":1}\\\"]\");\r\n");
        response.release();
        assertThat(frame).as("the shared array is never modified").isEqualTo(before);
    }
}
