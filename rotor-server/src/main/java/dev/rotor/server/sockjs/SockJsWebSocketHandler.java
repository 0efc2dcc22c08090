package dev.rotor.server.sockjs;

import dev.rotor.node.Node;
import dev.rotor.protocol.Disconnect;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.ReadGate;
import dev.rotor.server.websocket.ActiveChannelHandler;
import dev.rotor.server.websocket.WebSocketClose;
import dev.rotor.server.websocket.WebSocketControlHandler;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SockJS's websocket transport ({@code /connection/<server>/<session>/websocket}): every WebSocket text message
 * carries one SockJS frame. The session lives exactly as long as the connection (SockJS 0.3.3 allows reusing a
 * session id here), keepalive is SockJS's {@code h} heartbeat instead of WebSocket pings (client-protocol.md §7),
 * and a message that is not a JSON string or array of strings ends the connection with
 * {@code c[1002,"Broken framing."]}. Control frames are {@link WebSocketControlHandler}'s job. Outbound bytes: the
 * core's slow-client check counts this connection's unsent bytes ({@link SockJsSession#queuedBytes}), and the
 * server's back-pressure stops reading while the channel is not writable. Confined to the channel's event loop,
 * which is also the session's home loop.
 */
final class SockJsWebSocketHandler extends ActiveChannelHandler implements SockJsReceiver {
    private static final Logger log = LoggerFactory.getLogger(SockJsWebSocketHandler.class);

    private final Node node;
    private final LoopTimers timers;
    private final MessageFrameCache messageFrames;
    private final String sessionId;
    private final int heartbeatSeconds;
    /** Null until the handler is added to an active channel. */
    private SockJsSession session;
    private Channel channel;
    private boolean ended;

    SockJsWebSocketHandler(Node node, MessageFrameCache messageFrames, String sessionId, int heartbeatSeconds,
            LoopTimers timers) {
        this.node = node;
        this.messageFrames = messageFrames;
        this.timers = timers;
        this.sessionId = sessionId;
        this.heartbeatSeconds = heartbeatSeconds;
    }

    @Override
    protected void onActive(ChannelHandlerContext ctx) {
        channel = ctx.channel();
        session = new SockJsSession(sessionId, channel.eventLoop(), node.metrics(), messageFrames, null,
                heartbeatSeconds, 0, timers);
        ReadGate gate = ReadGate.of(channel);
        session.start(node, () -> gate.pause(ReadGate.PROCESSING), () -> gate.resume(ReadGate.PROCESSING));
        session.attach(this);
    }

    // ---- SockJsReceiver ---------------------------------------------------------------------------------------

    @Override
    public boolean send(String frame) {
        if (ended) {
            return false;
        }
        channel.writeAndFlush(new TextWebSocketFrame(frame), channel.voidPromise());
        return true;
    }

    /** Wraps the shared frame bytes, as the raw WebSocket transport wraps its shared protocol frames. */
    @Override
    public boolean sendMessages(byte[] frame) {
        if (ended) {
            return false;
        }
        channel.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(frame)), channel.voidPromise());
        return true;
    }

    @Override
    public void end() {
        if (ended) {
            return;
        }
        ended = true;
        WebSocketClose.send(channel, new CloseWebSocketFrame(1000, ""), timers.timers(channel.eventLoop()));
    }

    @Override
    public Channel channel() {
        return channel;
    }

    // ---- inbound ----------------------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                onMessage(ctx, ByteBufUtil.getBytes(frame.content()));
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    private void onMessage(ChannelHandlerContext ctx, byte[] payload) {
        if (payload.length == 0) {
            // SockJS 0.3.3: empty messages are ignored
            return;
        }
        List<String> messages;
        try {
            messages = SockJsFrames.decode(payload, true);
        } catch (SockJsFrames.BrokenJsonException e) {
            // SockJS 0.3.3: broken framing ends the connection, and the session with it
            log.info("closing SockJS websocket session {}: broken framing ({})", sessionId, e.getMessage());
            ended = true;
            ctx.write(new TextWebSocketFrame(SockJsFrames.BROKEN_FRAMING));
            WebSocketClose.send(channel, new CloseWebSocketFrame(1002, "Broken framing."),
                    timers.timers(channel.eventLoop()));
            return;
        }
        // the socket's own frames are sequenced; nothing waits for them here
        session.receiveFrames(messages);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketControlHandler.CLOSING) {
            // the client closed or broke the protocol: its close frame is answered, nothing else goes out; the
            // session ends when the connection closes
            ended = true;
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof WriteTimeoutException && session != null) {
            // client_message_write_timeout elapsed (client-protocol.md §7)
            session.fail(Disconnect.ERROR_SENDING);
            return;
        }
        log.debug("SockJS websocket connection error: {}", cause.toString());
        ended = true;
        ctx.close();
    }
}
