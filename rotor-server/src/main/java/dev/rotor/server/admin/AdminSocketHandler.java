package dev.rotor.server.admin;

import dev.rotor.api.ApiExecutor;
import dev.rotor.api.ApiRequestException;
import dev.rotor.auth.AdminTokens;
import dev.rotor.node.AdminMessages;
import dev.rotor.node.Node;
import dev.rotor.timer.Timers;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.Method;
import dev.rotor.protocol.Params;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.server.transport.ReadGate;
import dev.rotor.server.websocket.WebSocketControlHandler;
import dev.rotor.server.websocket.WebSocketKeepaliveHandler;
import dev.rotor.server.websocket.WebSocketTransport;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One admin WebSocket connection (admin-and-web.md §3): {@code connect} with an admin token, then {@code ping},
 * {@code info}, {@code node_live} (beyond v1: {@link LiveNodeInfo}) and every API command through the shared
 * {@link ApiExecutor}; replies are always a JSON array; any error is fatal and closes with reconnect advice;
 * watching admins receive watch messages. Control frames are
 * {@link WebSocketControlHandler}'s job. Outbound bytes are bounded by the fixed queue ({@link #QUEUE_MAX}, which
 * counts the connection's unsent bytes too) and, since commands are read only while the channel is writable, by
 * the server's back-pressure. Confined to the channel's event loop, except watch delivery, which goes through the
 * thread-safe transport.
 */
public final class AdminSocketHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AdminSocketHandler.class);
    /** admin-and-web.md §3.7: a fixed 10 MiB queue. */
    private static final long QUEUE_MAX = 10L * 1024 * 1024;

    private final Node node;
    private final ApiExecutor executor;
    private final Timers timers;
    /** Null until the channel is active. */
    private WebSocketTransport transport;
    private boolean authenticated;
    /** Written on the event loop, read by watch delivery on engine threads. */
    private volatile boolean watch;
    /** Set when the channel went inactive; read by a login that may complete on another thread. */
    private volatile boolean inactive;
    private boolean closed;
    /** Frames are processed one at a time; the tail of the chain. */
    private CompletionStage<Void> processing = CompletableFuture.completedFuture(null);
    private final Consumer<ControlMessage> watcher = this::onWatchMessage;
    /** Closes a connection that has not authenticated in time; null when not armed. */
    private Timers.Cancellable staleTimer;

    /** @param timers timers on the channel's event loop, for the transport's close deadline */
    public AdminSocketHandler(Node node, ApiExecutor executor, Timers timers) {
        this.node = node;
        this.executor = executor;
        this.timers = timers;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        transport = new WebSocketTransport(ctx.channel(), node.metrics(), timers);
        // §3.3: with insecure_admin the connection is authenticated as soon as it opens
        authenticated = node.config().insecureAdmin();
        // beyond v1: like a client connection (client-protocol.md §3), an admin connection that sends no valid
        // connect within stale_connection_close_delay is closed, so it cannot hold its socket and pings for free
        int stale = node.config().staleConnectionCloseDelay();
        if (!authenticated && stale > 0) {
            staleTimer = timers.schedule(this::onStale, stale, TimeUnit.SECONDS);
        }
    }

    /** On the loop: the stale delay passed. */
    private void onStale() {
        if (!authenticated) {
            close(Disconnect.STALE);
        }
    }

    private void onWatchMessage(ControlMessage message) {
        if (watch && "message".equals(message.method())) {
            send(AdminMessages.watchFrame(message));
        }
    }

    private void send(byte[] frame) {
        if (transport.queuedBytes() + frame.length > QUEUE_MAX) {
            close(new Disconnect("slow", true));
            return;
        }
        transport.write(frame);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
                byte[] data = ByteBufUtil.getBytes(((io.netty.handler.codec.http.websocketx.WebSocketFrame) msg).content());
                processing = processing.thenCompose(v -> handleFrame(data));
                pauseWhileProcessing(ctx);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * On the loop: while a frame waits for the engine, the frames after it would be chained behind it without a
     * bound; reading pauses instead (as for client connections), so at most the rest of the current read waits, and
     * resumes once the chain's tail is done.
     */
    private void pauseWhileProcessing(ChannelHandlerContext ctx) {
        CompletionStage<Void> tail = processing;
        if (tail.toCompletableFuture().isDone()) {
            return;
        }
        ReadGate gate = ReadGate.of(ctx.channel());
        gate.pause(ReadGate.PROCESSING);
        tail.whenComplete((v, e) -> {
            try {
                ctx.channel().eventLoop().execute(() -> {
                    if (processing == tail) {
                        gate.resume(ReadGate.PROCESSING);
                    }
                });
            } catch (RejectedExecutionException shutDown) {
                // the loop is gone, and the connection with it
            }
        });
    }

    /** §3.2: a zero-length frame is ignored; replies go out as one array frame. */
    private CompletionStage<Void> handleFrame(byte[] data) {
        if (closed || data.length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        List<Command> commands;
        try {
            commands = CommandDecoder.decode(data, true);
        } catch (ProtocolException e) {
            fatal(e.error().text());
            return CompletableFuture.completedFuture(null);
        }
        if (commands.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<ApiReply> replies = new ArrayList<>(commands.size());
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (Command cmd : commands) {
            chain = chain.thenCompose(v -> execute(cmd).thenAccept(replies::add));
        }
        return chain.handle((v, e) -> {
            if (e != null) {
                Throwable cause = Failures.cause(e);
                if (cause instanceof ApiRequestException are) {
                    fatal(are.error().text());
                } else if (cause instanceof ProtocolException pe) {
                    fatal(pe.error().text());
                } else {
                    log.error("admin command failed unexpectedly", cause);
                    fatal(ProtocolError.INTERNAL_SERVER_ERROR.text());
                }
            } else if (!closed) {
                // v1 compat deviation: v1.8.0 sent replies only to connections with watch on (admin-and-web.md §3.5);
                // Rotor always replies, which is what the protocol intends. Watch messages still need watch.
                send(ApiReply.encode(replies));
            }
            return null;
        });
    }

    private CompletionStage<ApiReply> execute(Command cmd) {
        NodeConfig cfg = node.config();
        Method method = Method.find(cmd.method(), Method.Surface.ADMIN);
        if (method == Method.CONNECT) {
            Params.AdminConnect p;
            try {
                p = Params.adminConnect(cmd.params());
            } catch (ProtocolException e) {
                return CompletableFuture.failedFuture(e);
            }
            if (!cfg.insecureAdmin()
                    && !AdminTokens.verify(cfg.adminSecret(), p.token(), System.currentTimeMillis() / 1000)) {
                return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.UNAUTHORIZED));
            }
            authenticated = true;
            if (staleTimer != null) {
                staleTimer.cancel();
            }
            if (p.watch() && !watch) {
                watch = true; // never turned off by a later connect (§3.3)
                // Only a watching connection listens: before, every upgraded /socket connection was added to the
                // node's listener list before logging in, and each add and remove copies that list.
                node.addAdminListener(watcher);
                if (inactive) {
                    node.removeAdminListener(watcher); // closed meanwhile: channelInactive may have run before the add
                }
            }
            return CompletableFuture.completedFuture(new ApiReply(cmd.uid(), "connect", null, null, w -> w.bool(true)));
        }
        if (!authenticated) {
            return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.UNAUTHORIZED));
        }
        if (method == Method.PING) {
            return CompletableFuture.completedFuture(new ApiReply(cmd.uid(), "ping", null, null, w -> w.string("pong")));
        }
        if (method == Method.INFO) {
            return CompletableFuture.completedFuture(new ApiReply(cmd.uid(), "info", null, null,
                    w -> AdminInfo.write(w, cfg, node.engineName())));
        }
        if (method == Method.NODE_LIVE) {
            // beyond v1: fresh counters of this node for the web interface's live charts (docs/admin.md)
            return CompletableFuture.completedFuture(
                    new ApiReply(cmd.uid(), "node_live", null, null, w -> LiveNodeInfo.write(w, node)));
        }
        // the v1 API's methods, and method not found for the rest
        return executor.executeOne(cmd);
    }

    /** §3.2: every admin error closes with reconnect true. */
    private void fatal(String reason) {
        close(new Disconnect(reason, true));
    }

    private void close(Disconnect disconnect) {
        if (!closed) {
            closed = true;
            transport.close(disconnect);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == WebSocketKeepaliveHandler.PING_FAILED) {
            close(Disconnect.WRITE_PING_ERROR);
            return;
        }
        if (evt == WebSocketControlHandler.CLOSING) {
            // the admin closed or broke the protocol: its close frame is answered, nothing else goes out
            closed = true;
            transport.markClosed();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closed = true;
        inactive = true;
        transport.markClosed();
        node.removeAdminListener(watcher);
        if (staleTimer != null) {
            staleTimer.cancel();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("admin connection error: {}", cause.toString());
        ctx.close();
    }
}
