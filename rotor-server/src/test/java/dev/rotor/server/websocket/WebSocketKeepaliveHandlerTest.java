package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.timer.Timers;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
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

    /**
     * A channel with frozen time and a keepalive on its loop's wheel (driven by the loop's own scheduled task), behind
     * the control handler that turns pong frames into {@link WebSocketControlHandler#PONG}, as after an upgrade.
     */
    private static EmbeddedChannel channel(int pingInterval, ChannelHandler... before) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        LoopTimers timers = new LoopTimers(ch.eventLoop());
        ch.pipeline().addLast(before);
        ch.pipeline().addLast(new WebSocketControlHandler(timers.timers(ch.eventLoop())));
        ch.pipeline().addLast(new WebSocketKeepaliveHandler(pingInterval, timers.wheel(ch.eventLoop())));
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private static void assertPing(EmbeddedChannel ch) {
        PingWebSocketFrame ping = ch.readOutbound();
        assertThat(ping).isNotNull();
        assertThat(ping.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ping");
        ping.release();
    }

    @Test
    void withoutPongsTheConnectionIsDroppedAtTenNinthsOfTheIntervalWithoutACloseFrame() {
        EmbeddedChannel ch = channel(9);
        advance(ch, 9_000);
        assertPing(ch);
        advance(ch, 900);
        assertThat(ch.isActive()).isTrue();
        // the deadline is 10 s; the wheel may add up to one 100 ms tick
        advance(ch, 250);
        assertThat(ch.isActive()).isFalse();
        assertThat((Object) ch.readOutbound()).isNull();
        assertFalse(ch.finish());
    }

    @Test
    void eachPongExtendsTheReadDeadlineAndIsConsumed() {
        EmbeddedChannel ch = channel(9);
        for (int i = 0; i < 5; i++) {
            advance(ch, 9_000);
            assertPing(ch);
            ch.writeInbound(new PongWebSocketFrame(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII)));
            assertThat((Object) ch.readInbound()).isNull();
        }
        // 45 s in, far past the first deadline, still open; the next ping is due 9 s after the last
        assertThat(ch.isActive()).isTrue();
        advance(ch, 9_000);
        assertPing(ch);
        advance(ch, 1_200);
        assertThat(ch.isActive()).isFalse();
        assertFalse(ch.finish());
    }

    @Test
    void aPingWithThePayloadPingIsSentEveryInterval() {
        EmbeddedChannel ch = channel(2);
        for (int i = 0; i < 3; i++) {
            advance(ch, 1_000);
            assertThat((Object) ch.readOutbound()).isNull();
            advance(ch, 1_000);
            PingWebSocketFrame ping = ch.readOutbound();
            assertThat(ping).isNotNull();
            assertThat(ping.content().toString(StandardCharsets.US_ASCII)).isEqualTo("ping");
            ping.release();
            // answered, so the read deadline (2.2 s after the last pong) does not drop the connection
            ch.writeInbound(new PongWebSocketFrame(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII)));
        }
        assertThat(ch.isActive()).isTrue();
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
        ch.pipeline().addLast(new FailingPings(), new WebSocketKeepaliveHandler(1,
                new LoopTimers(ch.eventLoop()).wheel(ch.eventLoop())),
                new WebSocketSessionHandler(node, Timers.onExecutor(scheduler), null));
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
