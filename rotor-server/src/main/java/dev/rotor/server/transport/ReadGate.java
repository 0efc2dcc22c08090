package dev.rotor.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.util.AttributeKey;

/**
 * The one owner of a channel's {@code autoRead} flag: several independent reasons may pause reading from a peer
 * (a frame still being processed, outbound bytes past the write-buffer high water mark, the server-wide budget
 * for request bodies), and the socket is read again only when none of them holds. Toggling {@code autoRead}
 * directly from two places would let one reason resume reading that another one paused.
 *
 * <p>Confined to the channel's event loop: {@link #pause} and {@link #resume} must be called there.
 */
public final class ReadGate {
    /** A frame is being processed asynchronously; later frames wait (client-protocol.md §2.2). */
    public static final int PROCESSING = 1;
    /** The channel is not writable: the peer does not read what we send, so we stop reading what it sends. */
    public static final int UNWRITABLE = 1 << 1;
    /** The server-wide budget for buffered request bodies is spent. */
    public static final int BODY_BUDGET = 1 << 2;
    /** An answer is held back on purpose (a throttled login); later requests wait so answers keep their order. */
    public static final int HELD_ANSWER = 1 << 3;

    /** The name of the handler that {@link #holdAnswer} adds. */
    static final String HELD_REQUESTS = "held-requests";
    private static final AttributeKey<ReadGate> KEY = AttributeKey.valueOf(ReadGate.class, "gate");

    private final Channel channel;
    /** The reasons currently holding reading paused, one bit each; only touched on the event loop. */
    private int paused;

    private ReadGate(Channel channel) {
        this.channel = channel;
    }

    /** The channel's gate, created on first use. On the channel's event loop. */
    public static ReadGate of(Channel channel) {
        ReadGate gate = channel.attr(KEY).get();
        if (gate == null) {
            gate = new ReadGate(channel);
            channel.attr(KEY).set(gate);
        }
        return gate;
    }

    /** Stops reading for {@code reason} (one of the constants); idempotent per reason. */
    public void pause(int reason) {
        boolean wasOpen = paused == 0;
        paused |= reason;
        if (wasOpen) {
            channel.config().setAutoRead(false);
        }
    }

    /**
     * Pauses reading for an answer given later ({@link #HELD_ANSWER}), and holds back the requests already decoded
     * from bytes read before as well: {@code autoRead} stops the next socket read only, while the HTTP decoder still
     * hands on every request of what it has, so a request pipelined in the same read would reach {@code ctx}'s
     * handler and be answered before the held one. A Netty {@link FlowControlHandler} put in front of that handler
     * (once per connection; while reading is on it passes each message straight on) keeps them, at most one read's
     * worth, until reading resumes.
     */
    public void holdAnswer(ChannelHandlerContext ctx) {
        if (ctx.pipeline().get(HELD_REQUESTS) == null) {
            ctx.pipeline().addBefore(ctx.name(), HELD_REQUESTS, new FlowControlHandler());
        }
        pause(HELD_ANSWER);
    }

    /** Lifts {@code reason}; reading resumes once no other reason holds. */
    public void resume(int reason) {
        if ((paused & reason) == 0) {
            return;
        }
        paused &= ~reason;
        if (paused == 0) {
            channel.config().setAutoRead(true);
        }
    }

    /** True while any reason holds reading paused. */
    public boolean isPaused() {
        return paused != 0;
    }

    /** True while {@code reason} holds. */
    public boolean isPaused(int reason) {
        return (paused & reason) != 0;
    }
}
