package dev.rotor.server.websocket;

import dev.rotor.node.ClientSession;
import dev.rotor.node.Node;
import dev.rotor.protocol.Disconnect;
import dev.rotor.timer.Timers;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.util.ReferenceCountUtil;
import dev.rotor.server.transport.FrameSequencer;
import dev.rotor.server.transport.ReadGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects one upgraded WebSocket channel to a {@link ClientSession}: data frames (text or binary, already
 * aggregated) go to the session one at a time. Control frames and protocol violations are
 * {@link WebSocketControlHandler}'s job, keepalive is {@link WebSocketKeepaliveHandler}'s. Confined to the channel's
 * event loop.
 */
public final class WebSocketSessionHandler extends ActiveChannelHandler {
    private static final Logger log = LoggerFactory.getLogger(WebSocketSessionHandler.class);

    private final Node node;
    /** The session's stale and expiry timers and the transport's close deadline, on the channel loop's wheel. */
    private final Timers timers;
    /** Null: frames go through the pipeline's frame encoder (see {@link WebSocketTransport}). */
    private final WebSocketFrames frames;
    /** Null until the channel is active. */
    private WebSocketTransport transport;
    /** Null until the channel is active. */
    private ClientSession session;
    /** Null until the channel is active. */
    private FrameSequencer inbound;

    /**
     * @param timers timers for the core session (stale close, expiry), normally the channel loop's wheel
     * @param frames the server's shared frames, or null when WebSocket compression is enabled
     */
    public WebSocketSessionHandler(Node node, Timers timers, WebSocketFrames frames) {
        this.node = node;
        this.timers = timers;
        this.frames = frames;
    }

    @Override
    protected void onActive(ChannelHandlerContext ctx) {
        transport = new WebSocketTransport(ctx.channel(), node.metrics(), timers, frames);
        session = node.openSession(transport, timers);
        // while a frame is processed asynchronously, reading pauses (§2.2)
        ReadGate gate = ReadGate.of(ctx.channel());
        inbound = new FrameSequencer(session, ctx.channel().eventLoop(),
                () -> gate.pause(ReadGate.PROCESSING), () -> gate.resume(ReadGate.PROCESSING));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketKeepaliveHandler.PING_FAILED) {
            session.close(Disconnect.WRITE_PING_ERROR);
            return;
        }
        if (evt == WebSocketControlHandler.CLOSING) {
            // the client closed or broke the protocol: its close frame is answered, nothing else goes out (§9)
            closed();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                inbound.offer(ByteBufUtil.getBytes(frame.content()));
            }
        } finally {
            ReferenceCountUtil.release(frame);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed();
        super.channelInactive(ctx);
    }

    /** The connection is going away without advice: queued frames are dropped, the core session ends. */
    private void closed() {
        if (transport != null) {
            transport.markClosed();
            session.transportClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof WriteTimeoutException && session != null) {
            // client_message_write_timeout elapsed (client-protocol.md §7)
            session.close(Disconnect.ERROR_SENDING);
            return;
        }
        log.debug("websocket connection error: {}", cause.toString());
        ctx.close();
    }
}
