package dev.rotor.server.http;

import dev.rotor.server.transport.ReadGate;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * Charges the request body bytes a connection buffers to the server-wide {@link BodyBudget}, placed in front of the
 * aggregator: each body chunk is reserved as it passes, and when the budget says so the connection stops reading
 * ({@link ReadGate#BODY_BUDGET}) until the budget resumes it. The reservation is released once the complete request
 * has been handled (the router returned) or when the connection closes mid-body, so nothing leaks.
 *
 * <p>While the channel's {@link ReadGate} holds reading paused (for any reason), a {@code read()} requested by a
 * handler behind this one is held back: the aggregator asks for one after every read while a message is incomplete
 * and reading is not automatic (netty#6583), which would otherwise defeat the pause. Reading resumes when the gate
 * turns {@code autoRead} back on.
 *
 * <p>A handler that keeps what the body decoded to past its own return, and answers only once that is processed (a
 * SockJS send, whose messages wait for the frames before them), keeps the reservation until then with
 * {@link #holdUntilAnswered}: the connection does not read meanwhile, and the budget then bounds those messages too.
 *
 * <p>Confined to the channel's event loop, except the resume task, which the budget submits to that loop, and the
 * release {@link #holdUntilAnswered} returns, which hops there. Passes every message on and releases none.
 */
public final class BodyBudgetHandler extends ChannelDuplexHandler {
    private final BodyBudget budget;
    /** This connection's share; null until the first body chunk. Only touched on the loop. */
    private BodyBudget.Holder holder;
    /** Set while a request is handled whose reservation outlives it ({@link #holdUntilAnswered}). Only on the loop. */
    private boolean held;
    /** True while a request's last content is passed on: the request is being handled in its own read. */
    private boolean inLast;

    public BodyBudgetHandler(BodyBudget budget) {
        this.budget = budget;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!(msg instanceof HttpContent content)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof LastHttpContent)) {
            if (holder == null) {
                ReadGate gate = ReadGate.of(ctx.channel());
                holder = budget.holder(ctx.executor(), () -> gate.resume(ReadGate.BODY_BUDGET));
            }
            if (!holder.reserve(content.content().readableBytes())) {
                ReadGate.of(ctx.channel()).pause(ReadGate.BODY_BUDGET);
            }
            ctx.fireChannelRead(msg);
            return;
        }
        inLast = true;
        try {
            ctx.fireChannelRead(msg);
        } finally {
            inLast = false;
            // the request has been handled; what a handler still holds is past its authentication, unless it said
            // it keeps it until its answer
            if (held) {
                held = false;
            } else {
                release(ctx);
            }
        }
    }

    /**
     * Called on the loop while the request's last content is handled: the connection's reservation is kept after
     * the handler returns, until the returned action runs (any thread; idempotent, and a closed connection has
     * released it already). The handler must hold the connection's reading until then ({@link ReadGate#holdAnswer}).
     * A request handled later than its read (it waited, {@link ReadGate#defer}) kept no reservation, and a pipeline
     * without this handler has none: both get an action that does nothing.
     */
    public static Runnable holdUntilAnswered(ChannelHandlerContext anyCtx) {
        BodyBudgetHandler h = anyCtx.pipeline().get(BodyBudgetHandler.class);
        if (h == null) {
            return () -> { };
        }
        ChannelHandlerContext ctx = anyCtx.pipeline().context(h);
        if (!h.inLast) {
            // handled after its read (it waited behind an earlier answer, or for the peer to read): its share went
            // back when it was decoded, and what waited is bounded by one read per connection (ReadGate)
            return () -> { };
        }
        h.held = true;
        return () -> {
            if (ctx.executor().inEventLoop()) {
                h.release(ctx);
            } else {
                ctx.executor().execute(() -> h.release(ctx));
            }
        };
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        if (!ReadGate.of(ctx.channel()).isPaused()) {
            ctx.read();
        }
    }

    private void release(ChannelHandlerContext ctx) {
        if (holder != null) {
            holder.release();
            ReadGate.of(ctx.channel()).resume(ReadGate.BODY_BUDGET);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        release(ctx);
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        release(ctx);
    }
}
