package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.timer.Timers;
import dev.rotor.testkit.GatedPresenceEngine;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The WebSocket session handler on an {@link EmbeddedChannel}, with an engine whose presence reads the test releases. */
class WebSocketSessionHandlerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final GatedPresenceEngine engine = new GatedPresenceEngine();

    @AfterEach
    void tearDown() {
        engine.close();
        scheduler.shutdownNow();
    }

    private static String text(Object frame) {
        TextWebSocketFrame f = (TextWebSocketFrame) frame;
        try {
            return f.text();
        } finally {
            f.release();
        }
    }

    @Test
    void aFrameWaitsForTheAsynchronousFrameBeforeIt() throws Exception {
        Node node = new Node(NodeConfig.builder().insecure(true).pingInterval(0)
                .topLevel(ChannelOptions.builder().presence(true).build()).build(), engine, new Metrics(),
                scheduler, Clock.systemUTC());
        node.start().toCompletableFuture().get(5, TimeUnit.SECONDS);
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketSessionHandler(node, Timers.onExecutor(scheduler), null));

        ch.writeInbound(new TextWebSocketFrame("{\"method\":\"connect\",\"params\":{\"user\":\"u\"}}"));
        ch.writeInbound(new TextWebSocketFrame("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"c\"}}"));
        ch.runPendingTasks();
        assertThat(text(ch.readOutbound())).contains("\"method\":\"connect\"");
        assertThat(text(ch.readOutbound())).contains("\"uid\":\"s\"");

        ch.writeInbound(new TextWebSocketFrame("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"c\"}}"));
        ch.writeInbound(new TextWebSocketFrame("{\"uid\":\"q\",\"method\":\"ping\"}"));
        ch.runPendingTasks();
        assertThat((Object) ch.readOutbound()).as("nothing before presence completes").isNull();
        assertThat(ch.config().isAutoRead()).isFalse();

        engine.releasePresence(Map.of());
        ch.runPendingTasks();
        assertThat(text(ch.readOutbound())).isEqualTo(
                "{\"uid\":\"p\",\"method\":\"presence\",\"body\":{\"channel\":\"c\",\"data\":{}}}");
        assertThat(text(ch.readOutbound())).isEqualTo("{\"uid\":\"q\",\"method\":\"ping\"}");
        assertThat(ch.config().isAutoRead()).isTrue();

        node.shutdown();
        ch.runPendingTasks();
        ch.close();
        Object closeFrame;
        while ((closeFrame = ch.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(closeFrame);
        }
        assertFalse(ch.finish());
    }
}
