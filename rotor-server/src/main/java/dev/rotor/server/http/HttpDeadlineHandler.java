package dev.rotor.server.http;

import dev.rotor.server.transport.ReadGate;
import dev.rotor.server.websocket.ActiveChannelHandler;
import dev.rotor.timer.Timeout;
import dev.rotor.timer.TimerWheel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deadlines of an HTTP connection until it is upgraded (docs/security.md, "HTTP"), so that a peer cannot hold a
 * connection open by sending slowly or not at all:
 * <ul>
 * <li><b>head</b>: a request head must be complete within {@code http_read_header_timeout} of the connection opening,
 *     or, on a kept-alive connection, of the first bytes of the next request (as Go's {@code ReadHeaderTimeout});
 *     missed: 408 if part of a head arrived, else a plain close;
 * <li><b>idle</b>: a kept-alive connection whose last response is written may wait {@code http_idle_timeout} for the
 *     first byte of its next request; missed: a plain close (RFC 9112 §9.5);
 * <li><b>body</b>: a request body must be complete within {@code http_read_body_timeout} of the end of its head;
 *     missed: 503 when the connection was waiting for the body budget ({@link ReadGate#BODY_BUDGET}), else 408, then
 *     close.
 * </ul>
 * No deadline runs while a complete request waits for its response (a SockJS polling or streaming response may take
 * long). Netty's {@code IdleStateHandler} would schedule a task per connection and could not tell these phases apart;
 * this handler keeps one entry on the event loop's {@link TimerWheel}. It is removed when the connection is upgraded
 * to a WebSocket, whose own deadlines (stale close, pings) take over.
 *
 * <p>Confined to the channel's event loop. Passes every message on and releases none.
 */
public final class HttpDeadlineHandler extends ActiveChannelHandler implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(HttpDeadlineHandler.class);

    private enum Phase { HEAD, IDLE, BODY, BUSY }

    private final TimerWheel wheel;
    private final long headNanos;
    private final long idleNanos;
    private final long bodyNanos;
    // ---- only touched on the event loop ----------------------------------------------------------------------
    /** Null until the channel is active. */
    private ChannelHandlerContext ctx;
    /** The one wheel entry; null until active. */
    private Timeout timeout;
    /** Request heads read, requests read completely, and final responses written completely. */
    private long started;
    private long completed;
    private long answered;
    /** True while bytes of a request head arrived and the head is not complete. */
    private boolean partialHead;
    /** True when the current read produced an HTTP message. */
    private boolean readMessage;
    private Phase phase;
    /** Wheel-clock time the current phase started; its deadline is this plus the phase's timeout. */
    private long since;

    /**
     * @param headSeconds {@code http_read_header_timeout}; 0 = none
     * @param idleSeconds {@code http_idle_timeout}; 0 = none
     * @param bodySeconds {@code http_read_body_timeout}; 0 = none
     * @param wheel       the timer wheel of the channel's event loop
     */
    public HttpDeadlineHandler(int headSeconds, int idleSeconds, int bodySeconds, TimerWheel wheel) {
        this.wheel = wheel;
        this.headNanos = TimeUnit.SECONDS.toNanos(headSeconds);
        this.idleNanos = TimeUnit.SECONDS.toNanos(idleSeconds);
        this.bodyNanos = TimeUnit.SECONDS.toNanos(bodySeconds);
    }

    @Override
    protected void onActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        // the handler is the timeout's task itself: no lambda per connection
        timeout = wheel.newTimeout(this);
        enter(Phase.HEAD);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (msg instanceof HttpObject) {
            readMessage = true;
            if (msg instanceof HttpRequest) {
                started++;
                partialHead = false;
            }
            if (msg instanceof LastHttpContent) {
                completed++;
            }
            update();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (!readMessage && started == completed && !partialHead && this.ctx != null) {
            // bytes arrived between requests: the first bytes of the next head
            partialHead = true;
            update();
        }
        readMessage = false;
        super.channelReadComplete(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        boolean interim = msg instanceof HttpResponse r && r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        if (msg instanceof LastHttpContent && !interim) {
            answered++;
            update();
        }
        ctx.write(msg, promise);
    }

    /** Moves to the phase the counters call for; a phase entered anew starts its deadline now. */
    private void update() {
        if (timeout == null) {
            return;
        }
        Phase next;
        if (started != completed) {
            next = Phase.BODY;
        } else if (answered < completed) {
            next = Phase.BUSY;
        } else if (partialHead || started == 0) {
            next = Phase.HEAD;
        } else {
            next = Phase.IDLE;
        }
        if (next != phase) {
            enter(next);
        }
    }

    private void enter(Phase next) {
        phase = next;
        since = wheel.nanoTime();
        long limit = limit(next);
        if (limit > 0) {
            timeout.scheduleAt(since + limit);
        } else {
            timeout.cancel();
        }
    }

    private long limit(Phase p) {
        return switch (p) {
            case HEAD -> headNanos;
            case IDLE -> idleNanos;
            case BODY -> bodyNanos;
            case BUSY -> 0;
        };
    }

    /** The deadline of the current phase passed; on the loop. */
    @Override
    public void run() {
        if (!ctx.channel().isActive()) {
            return;
        }
        switch (phase) {
            case HEAD -> {
                if (partialHead) {
                    log.debug("request head not complete in time from {}", ctx.channel().remoteAddress());
                    answerAndClose(HttpResponseStatus.REQUEST_TIMEOUT);
                } else {
                    ctx.close();
                }
            }
            case IDLE -> ctx.close();
            case BODY -> {
                log.debug("request body not complete in time from {}", ctx.channel().remoteAddress());
                if (answered >= started) {
                    // already answered from its head; the rest of the body is not worth waiting for
                    ctx.close();
                } else {
                    answerAndClose(ReadGate.of(ctx.channel()).isPaused(ReadGate.BODY_BUDGET)
                            ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.REQUEST_TIMEOUT);
                }
            }
            case BUSY -> { }
        }
    }

    private void answerAndClose(HttpResponseStatus status) {
        FullHttpResponse r = HttpResponses.errorResponse(status, status.reasonPhrase());
        r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (timeout != null) {
            timeout.cancel();
            timeout = null;
        }
    }
}
