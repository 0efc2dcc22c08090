package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.PresenceStore;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.ClientInfo;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The WebSocket session handler on an {@link EmbeddedChannel}, with an engine whose presence reads the test completes. */
class WebSocketSessionHandlerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryEngine memory = new MemoryEngine();
    private final CompletableFuture<Map<String, ClientInfo>> presence = new CompletableFuture<>();

    @AfterEach
    void tearDown() {
        memory.close();
        scheduler.shutdownNow();
    }

    /** Presence answers only when the test completes {@link #presence}. */
    private Engine slowPresenceEngine() {
        return new Engine() {
            @Override public String name() { return "slow presence"; }
            @Override public CompletionStage<Void> start(EngineListener listener) { return memory.start(listener); }
            @Override public Broker broker() { return memory.broker(); }
            @Override public HistoryStore historyStore() { return memory.historyStore(); }
            @Override public ControlBus controlBus() { return memory.controlBus(); }
            @Override public void close() { memory.close(); }

            @Override
            public PresenceStore presenceStore() {
                PresenceStore real = memory.presenceStore();
                return new PresenceStore() {
                    @Override
                    public CompletionStage<Void> addPresence(String ch, String c, ClientInfo i, int expire) {
                        return real.addPresence(ch, c, i, expire);
                    }

                    @Override
                    public CompletionStage<Void> removePresence(String ch, String c) {
                        return real.removePresence(ch, c);
                    }

                    @Override
                    public CompletionStage<Map<String, ClientInfo>> presence(String ch) {
                        return presence;
                    }
                };
            }
        };
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
                .topLevel(ChannelOptions.builder().presence(true).build()).build(), slowPresenceEngine(), new Metrics(),
                scheduler, Clock.systemUTC());
        node.start().toCompletableFuture().get(5, TimeUnit.SECONDS);
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocketSessionHandler(node));

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

        presence.complete(Map.of());
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
