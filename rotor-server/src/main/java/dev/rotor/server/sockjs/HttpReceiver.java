package dev.rotor.server.sockjs;

import dev.rotor.server.http.HttpResponses;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;

/**
 * The HTTP receiving transports of SockJS 0.3.3: polling ({@code xhr}, {@code jsonp}: one frame per response)
 * and streaming ({@code xhr_streaming}, {@code eventsource}, {@code htmlfile}: a chunked response with a prelude,
 * recycled after {@code responseLimit} bytes of frames). Confined to the session's event loop (see
 * {@link SockJsReceiver}); it owns no buffers after writing them.
 */
final class HttpReceiver implements SockJsReceiver {
    /** Streaming responses are closed after this many bytes of frames (SockJS's default response limit). */
    static final int RESPONSE_LIMIT = 128 * 1024;

    /** The receiving transports, each with its content type, prelude and frame wrapping. */
    enum Kind {
        XHR("application/javascript; charset=UTF-8", false, true),
        XHR_STREAMING("application/javascript; charset=UTF-8", true, true),
        // sockjs-client 1.x opens eventsource cross-origin (not only from the iframe), so the browser needs CORS
        // headers here, as sockjs-go (v1's library) sends them.
        EVENTSOURCE("text/event-stream; charset=UTF-8", true, true),
        HTMLFILE("text/html; charset=UTF-8", true, false),
        JSONP("application/javascript; charset=UTF-8", false, false);

        final String contentType;
        final boolean streaming;
        final boolean cors;

        Kind(String contentType, boolean streaming, boolean cors) {
            this.contentType = contentType;
            this.streaming = streaming;
            this.cors = cors;
        }
    }

    private static final String XHR_PRELUDE = "h".repeat(2048) + "\n";
    /** The xhr transports' frame terminator; shared, never modified. */
    private static final byte[] NEWLINE = {'\n'};
    private static final String HTMLFILE_HEAD = """
            <!doctype html>
            <html><head>
              <meta http-equiv="X-UA-Compatible" content="IE=edge" />
              <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
            </head><body><h2>Don't panic!</h2>
              <script>
                document.domain = document.domain;
                var c = parent.%s;
                c.start();
                function p(d) {c.message(d);};
                window.onload = function() {c.stop();};
              </script>
            """;

    private final Channel channel;
    private final Kind kind;
    /** The validated {@code c} parameter for jsonp and htmlfile; empty otherwise. */
    private final String callback;
    private final boolean keepAlive;
    private final boolean http10;
    private final HttpHeaders common;
    private final int responseLimit;
    /** True once the response head went out. */
    private boolean started;
    private boolean ended;
    /** Bytes of frames written to a streaming response. */
    private long written;

    HttpReceiver(Channel channel, FullHttpRequest request, Kind kind, String callback, int responseLimit) {
        this.channel = channel;
        this.kind = kind;
        this.callback = callback;
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        this.responseLimit = responseLimit;
        // the request's headers are read now: its buffers are released when the router returns
        this.common = SockJsHttp.noCache(kind.cors ? SockJsHttp.cors(request) : new DefaultHttpHeaders());
        common.set(HttpHeaderNames.CONTENT_TYPE, kind.contentType);
    }

    @Override
    public Channel channel() {
        return channel;
    }

    @Override
    public boolean send(String frame) {
        if (ended) {
            return false;
        }
        return sendWire(Unpooled.wrappedBuffer(wrap(frame).getBytes(StandardCharsets.UTF_8)));
    }

    /** The xhr transports wrap the shared frame bytes and a newline; the others escape the frame as text. */
    @Override
    public boolean sendMessages(byte[] frame) {
        if (kind != Kind.XHR && kind != Kind.XHR_STREAMING) {
            return send(new String(frame, StandardCharsets.UTF_8));
        }
        if (ended) {
            return false;
        }
        return sendWire(Unpooled.wrappedBuffer(frame, NEWLINE));
    }

    /** Writes one wrapped frame (not {@link #ended}); returns false when the response is finished after it. */
    private boolean sendWire(ByteBuf wire) {
        if (!kind.streaming) {
            ended = true;
            FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, wire);
            r.headers().add(common);
            HttpResponses.send(channel, keepAlive, r);
            return false;
        }
        if (!started) {
            start();
        }
        int length = wire.readableBytes();
        channel.writeAndFlush(new DefaultHttpContent(wire), channel.voidPromise());
        written += length;
        if (written >= responseLimit) {
            end();
            return false;
        }
        return true;
    }

    @Override
    public void begin() {
        if (kind.streaming && !started && !ended) {
            start();
            channel.flush();
        }
    }

    private void start() {
        started = true;
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().add(common);
        if (http10) {
            // no chunked encoding in HTTP/1.0: the body ends when the connection closes
            head.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else {
            HttpUtil.setTransferEncodingChunked(head, true);
            HttpUtil.setKeepAlive(head, keepAlive);
        }
        channel.write(head, channel.voidPromise());
        channel.write(new DefaultHttpContent(prelude()), channel.voidPromise());
    }

    private ByteBuf prelude() {
        String prelude = switch (kind) {
            case XHR_STREAMING -> XHR_PRELUDE;
            case EVENTSOURCE -> "\r\n";
            case HTMLFILE -> {
                String head = HTMLFILE_HEAD.formatted(callback);
                // IE needs 1 KiB before it starts rendering
                yield head + " ".repeat(Math.max(0, 1024 - head.length())) + "\r\n\r\n";
            }
            default -> "";
        };
        return Unpooled.copiedBuffer(prelude, StandardCharsets.UTF_8);
    }

    private String wrap(String frame) {
        return switch (kind) {
            case XHR, XHR_STREAMING -> frame + "\n";
            case EVENTSOURCE -> "data: " + frame + "\r\n\r\n";
            case HTMLFILE -> "<script>\np(" + SockJsFrames.quote(frame) + ");\n</script>\r\n";
            case JSONP -> callback + "(" + SockJsFrames.quote(frame) + ");\r\n";
        };
    }

    @Override
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        if (!started) {
            // nothing was sent (the session ended first): an empty polling answer
            FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
            r.headers().add(common);
            HttpResponses.send(channel, keepAlive, r);
            return;
        }
        if (http10 || !keepAlive) {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        } else {
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        }
    }
}
