package dev.rotor.server.websocket;

import dev.rotor.server.transport.CloseDeadline;
import dev.rotor.timer.Timers;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.AttributeKey;

/**
 * The server's side of a WebSocket closing handshake: at most one close frame per connection (RFC 6455 §5.5.1),
 * whoever sends it (the transport's disconnect with advice, the echo of a client's close, a protocol violation,
 * SockJS's end of session), then the connection closes once the frame is written or after the write deadline,
 * whichever comes first ({@link CloseDeadline}). The "sent" mark is a channel attribute, so the senders need not
 * know each other.
 *
 * <p>Stateless; call on the channel's event loop.
 */
public final class WebSocketClose {
    /** Close frame write deadline (client-protocol.md §9: 1 s). */
    static final long DEADLINE_MILLIS = 1000;

    private static final AttributeKey<Boolean> SENT = AttributeKey.valueOf(WebSocketClose.class, "sent");

    private WebSocketClose() {
    }

    /**
     * Writes {@code frame} unless a close frame was already sent on {@code channel}, then closes the channel when it
     * is written or after {@value #DEADLINE_MILLIS} ms: a peer that does not read cannot hold the connection open.
     * Returns false, releasing {@code frame}, when a close frame had been sent before.
     *
     * @param timers timers on the channel's event loop, for the write deadline
     */
    public static boolean send(Channel channel, CloseWebSocketFrame frame, Timers timers) {
        if (channel.attr(SENT).setIfAbsent(Boolean.TRUE) != null) {
            frame.release();
            return false;
        }
        if (!channel.isActive()) {
            frame.release();
            return true;
        }
        channel.writeAndFlush(frame).addListener(ChannelFutureListener.CLOSE);
        CloseDeadline.arm(channel, timers, DEADLINE_MILLIS);
        return true;
    }

    /** True once a close frame was sent (or is being sent) on {@code channel}. */
    public static boolean sent(Channel channel) {
        return channel.hasAttr(SENT) && channel.attr(SENT).get() != null;
    }
}
