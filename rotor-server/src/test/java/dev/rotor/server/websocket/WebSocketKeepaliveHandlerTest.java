package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The keepalive handler on an {@link EmbeddedChannel} with a frozen clock (client-protocol.md §7). */
class WebSocketKeepaliveHandlerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryEngine engine = new MemoryEngine();

    @AfterEach
    void tearDown() {
        engine.close();
        scheduler.shutdownNow();
    }

    /** Fails the write of every ping frame, as a broken socket would; passes everything else on. */
    private static final class FailingPings extends ChannelOutboundHandlerAdapter {
        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            if (msg instanceof PingWebSocketFrame) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("broken pipe"));
                return;
            }
            ctx.write(msg, promise);
        }
    }

    private static void drain(EmbeddedChannel ch) {
        Object out;
        while ((out = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(out);
        }
    }

    @Test
    void aPingWithThePayloadPingIsSentEveryInterval() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new WebSocketKeepaliveHandler(2));
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat((Object) ch.readOutbound()).isNull();
        for (int i = 0; i < 2; i++) {
            ch.advanceTimeBy(2, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            PingWebSocketFrame ping = ch.readOutbound();
            assertThat(ping).isNotNull();
            assertThat(ping.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ping");
            ping.release();
        }
        ch.close();
        drain(ch);
        assertFalse(ch.finish());
    }

    @Test
    void aFailedPingWriteClosesTheSessionWithWritePingError() throws Exception {
        Node node = new Node(NodeConfig.builder().insecure(true).build(), engine, new Metrics(), scheduler,
                Clock.systemUTC());
        node.start().toCompletableFuture().get(5, TimeUnit.SECONDS);
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new FailingPings(), new WebSocketKeepaliveHandler(1), new WebSocketSessionHandler(node, null));
        ch.writeInbound(new TextWebSocketFrame("{\"method\":\"connect\",\"params\":{\"user\":\"u\"}}"));
        ch.runPendingTasks();
        TextWebSocketFrame connect = ch.readOutbound();
        assertThat(connect.text()).contains("\"method\":\"connect\"");
        connect.release();

        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();

        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close).isNotNull();
        assertThat(close.statusCode()).isEqualTo(3000);
        assertThat(close.reasonText()).isEqualTo("{\"reason\":\"write ping error\",\"reconnect\":true}");
        close.release();
        node.shutdown();
        ch.close();
        drain(ch);
        assertFalse(ch.finish());
    }
}
