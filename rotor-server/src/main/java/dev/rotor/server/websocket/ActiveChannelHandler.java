package dev.rotor.server.websocket;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;

/**
 * A handler whose work starts once its channel is active: when it is added to an already active channel (the usual
 * case after a WebSocket upgrade), or else at {@code channelActive}. {@link #onActive} runs once. Outbound operations
 * pass through unless a subclass overrides them (Netty skips the ones it does not). Confined to the channel's event
 * loop.
 */
public abstract class ActiveChannelHandler extends ChannelDuplexHandler {
    /** True once {@link #onActive} ran; only touched on the event loop. */
    private boolean started;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            begin(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        begin(ctx);
        super.channelActive(ctx);
    }

    private void begin(ChannelHandlerContext ctx) {
        if (!started) {
            started = true;
            onActive(ctx);
        }
    }

    /** Starts the handler's work; called once, on the event loop. */
    protected abstract void onActive(ChannelHandlerContext ctx);
}
