package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.transport.RecordingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The node and client sessions without sockets, through {@link RecordingTransport}. */
class ClientSessionTest {
    private final List<RecordingTransport> transports = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private MemoryEngine engine;
    private Node node;

    @BeforeEach
    void setUp() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        engine = new MemoryEngine();
        node = new Node(NodeConfig.builder().insecure(true).staleConnectionCloseDelay(1).clientQueueMaxSize(1000)
                .topLevel(ChannelOptions.builder().publish(true).build()).build(), engine, new Metrics(), scheduler,
                Clock.systemUTC());
        node.start().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void tearDown() {
        node.shutdown();
        engine.close();
        scheduler.shutdownNow();
        transports.forEach(RecordingTransport::assertExhausted);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ClientSession subscribed(String channel) throws Exception {
        RecordingTransport t = new RecordingTransport();
        transports.add(t);
        ClientSession s = node.openSession(t);
        s.handleFrame(bytes("{\"method\":\"connect\",\"params\":{\"user\":\"u\"}}")).toCompletableFuture().join();
        assertThat(t.next()).contains("\"method\":\"connect\"");
        s.handleFrame(bytes("{\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}"))
                .toCompletableFuture().join();
        assertThat(t.next()).contains("\"status\":true");
        return s;
    }

    @Test
    void aPublicationIsEncodedOnceAndTheSameBytesGoToEverySubscriber() throws Exception {
        for (int i = 0; i < 3; i++) {
            subscribed("news");
        }
        node.publish(new Message("m1", "news", RawJson.of("{\"a\":1}"), null, null), ChannelOptions.NONE)
                .toCompletableFuture().join();
        byte[] first = transports.get(0).nextRaw();
        assertThat(new String(first, StandardCharsets.UTF_8))
                .isEqualTo("{\"method\":\"message\",\"body\":{\"uid\":\"m1\",\"channel\":\"news\",\"data\":{\"a\":1}}}");
        assertThat(transports.get(1).nextRaw()).isSameAs(first);
        assertThat(transports.get(2).nextRaw()).isSameAs(first);
    }

    @Test
    void aClientWhoseQueueIsFullIsDisconnectedAsSlow() throws Exception {
        ClientSession s = subscribed("news");
        RecordingTransport t = transports.get(0);
        t.setQueuedBytes(990);
        node.publish(new Message("m1", "news", RawJson.of("{\"a\":1}"), null, null), ChannelOptions.NONE)
                .toCompletableFuture().join();
        assertThat(t.closedWith()).isEqualTo(Disconnect.SLOW);
        assertThat(s.isClosed()).isTrue();
        assertThat(node.hub().subscribers("news")).isEmpty();
    }

    @Test
    void closingUnsubscribesAndLeavesTheRegistry() throws Exception {
        ClientSession s = subscribed("news");
        assertThat(node.hub().numClients()).isEqualTo(1);
        s.close(Disconnect.DISCONNECT);
        assertThat(transports.get(0).closedWith()).isEqualTo(Disconnect.DISCONNECT);
        assertThat(node.hub().numClients()).isZero();
        assertThat(node.hub().numChannels()).isZero();
        assertThat(node.openSessionCount()).isZero();
        assertThat(engine.broker().channels().toCompletableFuture().join()).isEmpty();
    }

    @Test
    void anUnauthenticatedSessionIsClosedAsStale() throws Exception {
        RecordingTransport t = new RecordingTransport();
        transports.add(t);
        node.openSession(t);
        assertThat(t.awaitClosed(Duration.ofSeconds(3))).isEqualTo(Disconnect.STALE);
    }

    @Test
    void framesAndBytesAreCounted() throws Exception {
        subscribed("news");
        assertThat(node.metrics().count(Counter.CLIENT_API_NUM_REQUESTS)).isEqualTo(2);
        assertThat(node.metrics().count(Counter.CLIENT_NUM_CONNECT)).isEqualTo(1);
        assertThat(node.metrics().count(Counter.CLIENT_NUM_SUBSCRIBE)).isEqualTo(1);
        assertThat(node.metrics().count(Counter.CLIENT_BYTES_IN)).isPositive();
        assertThat(node.metrics().count(Counter.CLIENT_NUM_MSG_QUEUED)).isEqualTo(2);
    }
}
