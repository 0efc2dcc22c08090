package dev.rotor.server.transport;

import dev.rotor.timer.Timeout;
import dev.rotor.timer.TimerWheel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds what a peer that does not read can make the server hold for it: while the channel is not writable (its
 * unsent bytes are past the write-buffer high water mark) reading from the peer pauses ({@link ReadGate#UNWRITABLE}),
 * so nothing it sends (pipelined HTTP requests, WebSocket pings, commands) can produce more replies, and reading
 * resumes once the bytes drain below the low water mark. A connection that stays unwritable while the peer accepts
 * no byte at all for the stall timeout ({@code write_stall_timeout}) is closed: back-pressure alone would leave it
 * open, holding its buffers and a file descriptor, for as long as the peer likes.
 *
 * <p>Installed first on every accepted connection, from the HTTP phase on; it never touches writes, so the fan-out
 * path pays nothing for it. Its one wheel entry is created the first time the channel becomes unwritable, so an
 * idle connection holds no timer. Confined to the channel's event loop.
 */
public final class BackPressureHandler extends ChannelInboundHandlerAdapter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(BackPressureHandler.class);

    private final LoopTimers timers;
    /** 0: a stalled connection is left to back-pressure and the other timeouts. */
    private final long stallNanos;
    /** This handler's context; null until the channel first becomes unwritable. Only touched on the loop. */
    private ChannelHandlerContext ctx;
    /** The channel loop's wheel; null until the channel first becomes unwritable. */
    private TimerWheel wheel;
    /** The stall check; null until the channel first becomes unwritable. Only touched on the loop. */
    private Timeout stall;
    /** False until the first look after the channel became unwritable took its snapshot. Only touched on the loop. */
    private boolean sampled;
    /** Identity of the oldest unsent message at the last check, 0 when none. Only touched on the loop. */
    private int lastMessage;
    /** Bytes of that message written at the last check. Only touched on the loop. */
    private long lastProgress;

    /**
     * @param timers             the server's loop timers; the stall check runs on the channel loop's wheel
     * @param stallTimeoutSeconds {@code write_stall_timeout}; 0 disables the stall check
     */
    public BackPressureHandler(LoopTimers timers, int stallTimeoutSeconds) {
        this.timers = timers;
        this.stallNanos = TimeUnit.SECONDS.toNanos(Math.max(0, stallTimeoutSeconds));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ReadGate gate = ReadGate.of(ctx.channel());
        if (ctx.channel().isWritable()) {
            if (stall != null) {
                stall.cancel();
            }
            gate.writable(); // may answer requests that waited, and make the channel unwritable again
        } else {
            gate.pause(ReadGate.UNWRITABLE);
            armStallCheck(ctx);
        }
        ctx.fireChannelWritabilityChanged();
    }

    private void armStallCheck(ChannelHandlerContext ctx) {
        if (stallNanos == 0 || !ctx.channel().isActive()) {
            return;
        }
        if (stall == null) {
            this.ctx = ctx;
            wheel = timers.wheel(ctx.channel().eventLoop());
            // the handler is the timeout's task itself: no lambda per connection
            stall = wheel.newTimeout(this);
        }
        // the write that made the channel unwritable is not flushed yet; the first look waits one wheel tick
        sampled = false;
        stall.schedule(wheel.tickNanos());
    }

    /**
     * Records where the oldest unsent message stands: the socket took bytes since the last check exactly when that
     * message changed (it was written out) or its written part grew.
     */
    private boolean snapshot() {
        ChannelOutboundBuffer out = ctx.channel().unsafe().outboundBuffer();
        int message = out == null ? 0 : System.identityHashCode(out.current());
        long progress = out == null ? 0 : out.currentProgress();
        boolean moved = message != lastMessage || progress != lastProgress;
        lastMessage = message;
        lastProgress = progress;
        return moved;
    }

    /**
     * The stall check: a first look one tick after the channel became unwritable, then one each timeout; the
     * connection is closed when the peer took no byte between two looks.
     */
    @Override
    public void run() {
        if (ctx.channel().isWritable() || !ctx.channel().isActive()) {
            return;
        }
        if (!sampled) {
            sampled = true;
            snapshot();
            stall.schedule(stallNanos);
            return;
        }
        if (snapshot()) {
            // draining, slowly: a slow reader is not a stalled one
            stall.schedule(stallNanos);
            return;
        }
        log.debug("closing {}: not writable and no byte taken by the peer for {} s", ctx.channel(),
                TimeUnit.NANOSECONDS.toSeconds(stallNanos));
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        ReadGate gate = ReadGate.existing(ctx.channel());
        if (gate != null) {
            gate.closed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    private void stop() {
        if (stall != null) {
            stall.cancel();
        }
    }
}
