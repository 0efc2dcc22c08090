package dev.rotor.server.sockjs;

import io.netty.channel.Channel;
import java.nio.charset.StandardCharsets;

/**
 * A receiving request attached to a {@link SockJsSession}: a polling or streaming HTTP response, or the websocket
 * transport's connection. Called only on the session's event loop; it may write to a channel of another loop
 * (Netty orders such writes), so all writes for one request come from the session's loop.
 */
interface SockJsReceiver {
    /** Called once when the request reaches its session, before any frame: streaming responses send their prelude. */
    default void begin() {
    }

    /**
     * Writes one SockJS frame. Returns false when the receiver is finished after this frame (a polling response,
     * or a streaming response past its byte limit) and must be detached.
     */
    boolean send(String frame);

    /**
     * Like {@link #send(String)} for an {@code a[...]} frame given as UTF-8. The array is shared between sessions
     * (one encoding per fan-out and event loop) and must never be modified; receivers that can wrap it do so.
     */
    default boolean sendMessages(byte[] frame) {
        return send(new String(frame, StandardCharsets.UTF_8));
    }

    /** Finishes the response or closes the connection. Idempotent. */
    void end();

    /** The connection carrying this receiver. */
    Channel channel();
}
