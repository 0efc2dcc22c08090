package dev.rotor.server.http;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges every request from its head alone, before any of its body is buffered, and answers those that cannot be
 * served (docs/security.md, "HTTP"): a head the codec could not decode (414 for a request line longer than
 * {@code http_max_url_length}, 431 for headers over {@code http_max_header_size}, else 400), a path or query with a
 * bad percent-escape or a NUL byte (400), a declared body over {@code http_max_body_size} (413), an expectation other
 * than {@code 100-continue} (417), and whatever the endpoint's {@link Judge} refuses (e.g. an unsigned JSON API
 * request). A request it lets through reaches the aggregator, which answers {@code Expect: 100-continue}.
 *
 * <p>The body of a refused request is read and dropped, never buffered. The connection stays open afterwards only
 * when that is safe and cheap: a decodable, kept-alive request without {@code Expect} whose declared body is at most
 * {@link #DRAIN_LIMIT} bytes; otherwise the answer says {@code Connection: close} and the connection closes once the
 * body has been dropped, once {@link #LINGER_LIMIT} bytes of it have been (or its body deadline passes), or right
 * after the answer when the client waits for
 * {@code 100 Continue} and so sends no body. Closing right after the answer while the client still sends could make
 * the kernel reset the connection, and the client would never read the answer.
 *
 * <p>Confined to the channel's event loop. Releases the messages it drops; passes the others on.
 */
public final class RequestHeadHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(RequestHeadHandler.class);
    /** A refused request's body up to this size is dropped to keep the connection; a larger one closes it. */
    static final long DRAIN_LIMIT = 64 * 1024;
    /**
     * Bytes of a refused body read and dropped, at most, before a connection that is to close is closed anyway: enough
     * for a client that sends its whole request before reading to have the answer in its receive buffer before the
     * reset, as Go's server reads up to 256 KiB of an unread body; an attacker streaming an endless body is cut off.
     */
    static final long LINGER_LIMIT = 256 * 1024;

    /** An endpoint's verdict on a request head; thread-safe. */
    @FunctionalInterface
    public interface Judge {
        /** The answer to send instead of reading the body, or null to let the request through. */
        FullHttpResponse judge(ChannelHandlerContext ctx, HttpRequest head);
    }

    private final int maxBodySize;
    private final Judge judge;
    // ---- only touched on the event loop ----------------------------------------------------------------------
    /** True while the body of a refused request is being dropped. */
    private boolean dropping;
    /** True once the connection is to close: everything read from now on is dropped. */
    private boolean closing;
    /** The write of the last refusal; null when none. */
    private ChannelFuture answer;
    /** Body bytes dropped since the connection was marked {@link #closing}. */
    private long lingered;

    /**
     * @param maxBodySize {@code http_max_body_size}
     * @param judge       the endpoints' verdict (the port's router)
     */
    public RequestHeadHandler(int maxBodySize, Judge judge) {
        this.maxBodySize = maxBodySize;
        this.judge = judge;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (closing || dropping) {
            drop(ctx, msg);
            return;
        }
        if (msg instanceof HttpRequest head) {
            FullHttpResponse refusal = refusal(ctx, head);
            if (refusal != null) {
                refuse(ctx, head, refusal);
                drop(ctx, msg);
                return;
            }
        } else if (msg instanceof HttpContent content && content.decoderResult().isFailure()) {
            // a broken chunk: the codec discards the rest of the connection's input
            refuse(ctx, null, HttpResponses.errorResponse(HttpResponseStatus.BAD_REQUEST, "Bad Request"));
            drop(ctx, msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** The answer for a head that cannot be served, or null. */
    private FullHttpResponse refusal(ChannelHandlerContext ctx, HttpRequest head) {
        DecoderResult result = head.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
            log.debug("undecodable request from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            return HttpResponses.errorResponse(status, status.reasonPhrase());
        }
        if (!decodableUri(head.uri())) {
            log.debug("request with an undecodable URI from {}", ctx.channel().remoteAddress());
            return HttpResponses.errorResponse(HttpResponseStatus.BAD_REQUEST, "Bad Request");
        }
        if (HttpUtil.getContentLength(head, -1L) > maxBodySize) {
            return HttpResponses.errorResponse(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                    HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.reasonPhrase());
        }
        String expect = head.headers().get(HttpHeaderNames.EXPECT);
        if (expect != null && !HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            return HttpResponses.errorResponse(HttpResponseStatus.EXPECTATION_FAILED,
                    HttpResponseStatus.EXPECTATION_FAILED.reasonPhrase());
        }
        return judge.judge(ctx, head);
    }

    /**
     * True when the path and the query string decode: every {@code %} starts a valid escape and the path holds no
     * NUL byte (no file system or C string below takes one).
     */
    static boolean decodableUri(String uri) {
        if (uri.indexOf('%') < 0) {
            // nothing to decode: the common case costs one scan
            return uri.indexOf('\0') < 0;
        }
        try {
            QueryStringDecoder decoder = new QueryStringDecoder(uri);
            decoder.parameters();
            return decoder.path().indexOf('\0') < 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Sends the refusal and starts dropping the refused request's body. */
    private void refuse(ChannelHandlerContext ctx, HttpRequest head, FullHttpResponse refusal) {
        boolean premature = head != null && head.decoderResult().cause() instanceof PrematureChannelClosureException;
        boolean keepAlive = head != null && head.decoderResult().isSuccess() && HttpUtil.isKeepAlive(head)
                && !head.headers().contains(HttpHeaderNames.EXPECT) && !HttpUtil.isTransferEncodingChunked(head)
                && HttpUtil.getContentLength(head, 0L) <= DRAIN_LIMIT;
        HttpUtil.setKeepAlive(refusal, keepAlive);
        if (!keepAlive) {
            refusal.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            closing = true;
        }
        if (premature || !ctx.channel().isActive()) {
            refusal.release();
            ctx.close();
            return;
        }
        dropping = true;
        answer = ctx.writeAndFlush(refusal);
        answer.addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        if (head == null || head.decoderResult().isFailure() || HttpUtil.is100ContinueExpected(head)) {
            // the codec reads no further message, or the client waits for a 100 it will not get and so sends no
            // body (RFC 9110 §10.1.1): nothing more will come
            answer.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Drops a message of a refused request; its last part ends the refusal. */
    private void drop(ChannelHandlerContext ctx, Object msg) {
        boolean last = msg instanceof LastHttpContent;
        if (closing && msg instanceof HttpContent content) {
            lingered += content.content().readableBytes();
            if (lingered > LINGER_LIMIT && answer != null) {
                ReferenceCountUtil.release(msg);
                dropping = false;
                answer.addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ReferenceCountUtil.release(msg);
        if (last && dropping) {
            dropping = false;
            if (closing) {
                answer.addListener(ChannelFutureListener.CLOSE);
            }
        }
    }
}
