package dev.rotor.server.sockjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.protocol.Disconnect;
import dev.rotor.testkit.GatedPresenceEngine;
import dev.rotor.transport.WriteBatch;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One SockJS session on {@link EmbeddedChannel}s with frozen time: sequencing behind an asynchronous engine call,
 * coalescing, fan-out writes through a {@link WriteBatch} in call order with replies, the one-receiver rule,
 * close frames and the disconnect delay.
 */
class SockJsSessionTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final GatedPresenceEngine engine = new GatedPresenceEngine();
    private final FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x");
    private final EmbeddedChannel home = new EmbeddedChannel();
    private final SockJsSessions registry = new SockJsSessions(1000);
    private Node node;
    private SockJsSession session;

    @BeforeEach
    void setUp() throws Exception {
        node = new Node(NodeConfig.builder().insecure(true).staleConnectionCloseDelay(0)
                .topLevel(ChannelOptions.builder().presence(true).build()).build(), engine, new Metrics(), scheduler,
                Clock.systemUTC());
        node.start().toCompletableFuture().get(5, TimeUnit.SECONDS);
        home.freezeTime();
        session = registry.getOrCreate("s1", home.eventLoop(),
                (id, loop) -> new SockJsSession(id, loop, node.metrics(), new MessageFrameCache(), registry, 0,
                        5000, new LoopTimers(loop))).session();
        session.start(node);
    }

    @AfterEach
    void tearDown() {
        request.release();
        node.shutdown();
        home.runPendingTasks();
        drain(home);
        assertFalse(home.finish());
        engine.close();
        scheduler.shutdownNow();
    }

    private static void drain(EmbeddedChannel ch) {
        Object o;
        while ((o = ch.readOutbound()) != null) {
            ReferenceCountUtil.release(o);
        }
    }

    /** A streaming receiver on the home channel; returns its frames as text, head and prelude skipped. */
    private HttpReceiver stream() {
        HttpReceiver r = new HttpReceiver(home, request, HttpReceiver.Kind.XHR_STREAMING, "", 1 << 20);
        session.attach(r);
        home.runPendingTasks();
        assertThat((Object) home.readOutbound()).isInstanceOf(HttpResponse.class);
        assertThat(next(home)).hasSize(2049);
        return r;
    }

    private static String next(EmbeddedChannel ch) {
        Object o = ch.readOutbound();
        assertThat(o).as("an outbound frame").isNotNull();
        try {
            return o instanceof HttpContent c ? c.content().toString(StandardCharsets.UTF_8) : o.toString();
        } finally {
            ReferenceCountUtil.release(o);
        }
    }

    @Test
    void aSendIsAnsweredOnlyAfterItsMessagesAreProcessed() {
        stream();
        assertThat(next(home)).isEqualTo("o\n");
        AtomicInteger answered = new AtomicInteger();
        assertThat(session.send(List.of("{\"method\":\"connect\",\"params\":{\"user\":\"u\"}}",
                "{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"c\"}}"), answered::incrementAndGet))
                .isTrue();
        home.runPendingTasks();
        assertThat(answered).hasValue(1);
        assertThat(next(home)).contains("connect").contains("\\\"uid\\\":\\\"s\\\"");

        assertThat(session.send(List.of("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"c\"}}",
                "{\"uid\":\"q\",\"method\":\"ping\"}"), answered::incrementAndGet)).isTrue();
        home.runPendingTasks();
        assertThat(answered).as("presence is still pending").hasValue(1);
        assertThat((Object) home.readOutbound()).isNull();

        engine.releasePresence(Map.of());
        home.runPendingTasks();
        assertThat(answered).hasValue(2);
        // the replies come in order (one frame, or two when the flush ran between them)
        StringBuilder sent = new StringBuilder(next(home));
        Object more;
        while ((more = home.readOutbound()) != null) {
            sent.append(((HttpContent) more).content().toString(StandardCharsets.UTF_8));
            ReferenceCountUtil.release(more);
        }
        String presence = "{\\\"uid\\\":\\\"p\\\",\\\"method\\\":\\\"presence\\\"";
        String ping = "{\\\"uid\\\":\\\"q\\\",\\\"method\\\":\\\"ping\\\"}";
        assertThat(sent.indexOf(presence)).isPositive().isLessThan(sent.indexOf(ping));
    }

    /**
     * While a sending request waits for its answer (a presence call the engine holds), a second one to the same
     * session (a client that does not wait, from another connection) is refused and its messages are not queued:
     * they would otherwise pile up without a bound. Once the first is answered, sends are taken again.
     */
    @Test
    void aSecondSendWhileOneWaitsIsRefusedAndNotQueued() {
        stream();
        assertThat(next(home)).isEqualTo("o\n");
        AtomicInteger answered = new AtomicInteger();
        assertThat(session.send(List.of("{\"method\":\"connect\",\"params\":{\"user\":\"u\"}}",
                "{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"c\"}}"),
                answered::incrementAndGet)).isTrue();
        home.runPendingTasks();
        assertThat(answered).hasValue(1);
        next(home);

        assertThat(session.send(List.of("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"c\"}}"),
                answered::incrementAndGet)).isTrue();
        home.runPendingTasks();
        assertThat(answered).as("presence is still pending").hasValue(1);
        for (int i = 0; i < 3; i++) {
            assertThat(session.send(List.of("{\"uid\":\"x" + i + "\",\"method\":\"ping\"}"),
                    answered::incrementAndGet)).as("send %d while one waits", i).isFalse();
        }

        engine.releasePresence(Map.of());
        home.runPendingTasks();
        assertThat(answered).hasValue(2);
        StringBuilder sent = new StringBuilder();
        Object more;
        while ((more = home.readOutbound()) != null) {
            sent.append(((HttpContent) more).content().toString(StandardCharsets.UTF_8));
            ReferenceCountUtil.release(more);
        }
        assertThat(sent.toString()).contains("presence").doesNotContain("\\\"uid\\\":\\\"x");

        assertThat(session.send(List.of("{\"uid\":\"q\",\"method\":\"ping\"}"), answered::incrementAndGet))
                .as("taken again once the first was answered").isTrue();
        home.runPendingTasks();
        assertThat(answered).hasValue(3);
        assertThat(next(home)).contains("\\\"uid\\\":\\\"q\\\"");
    }

    @Test
    void secondReceiverGets2010AndABrokenReceiverInterruptsTheSession() {
        HttpReceiver first = stream();
        assertThat(next(home)).isEqualTo("o\n");
        EmbeddedChannel other = new EmbeddedChannel();
        session.attach(new HttpReceiver(other, request, HttpReceiver.Kind.XHR, "", 4096));
        assertThat(next(other)).contains("c[2010,\"Another connection still open\"]\n");
        assertFalse(other.finish());

        first.end();
        drain(home);
        home.close();
        home.runPendingTasks();
        // the first receiver's connection went away while attached: the session is interrupted
        EmbeddedChannel later = new EmbeddedChannel();
        session.attach(new HttpReceiver(later, request, HttpReceiver.Kind.XHR, "", 4096));
        assertThat(next(later)).contains("c[1002,\"Connection interrupted\"]\n");
        assertFalse(later.finish());
        assertThat(node.openSessionCount()).isZero();
    }

    @Test
    void serverCloseDiscardsQueuedFramesAndIsRepeatedUntilTheDelayForgetsTheSession() {
        EmbeddedChannel poll = new EmbeddedChannel();
        session.attach(new HttpReceiver(poll, request, HttpReceiver.Kind.XHR, "", 4096));
        assertThat(next(poll)).contains("o\n");
        session.write("{\"x\":1}".getBytes(StandardCharsets.UTF_8));
        session.close(Disconnect.SLOW);
        home.runPendingTasks();
        for (int i = 0; i < 2; i++) {
            session.attach(new HttpReceiver(poll, request, HttpReceiver.Kind.XHR, "", 4096));
            assertThat(next(poll)).contains("c[3000,\"{\\\"reason\\\":\\\"slow\\\",\\\"reconnect\\\":false}\"]\n");
        }
        assertFalse(poll.finish());
        assertThat(registry.get("s1")).isSameAs(session);
        home.advanceTimeBy(4900, TimeUnit.MILLISECONDS);
        home.runScheduledPendingTasks();
        assertThat(registry.get("s1")).isSameAs(session);
        home.advanceTimeBy(200, TimeUnit.MILLISECONDS);
        home.runScheduledPendingTasks();
        assertThat(registry.get("s1")).isNull();
    }

    @Test
    void openSessionWithoutReceiverEndsAfterTheDisconnectDelay() {
        EmbeddedChannel poll = new EmbeddedChannel();
        session.attach(new HttpReceiver(poll, request, HttpReceiver.Kind.XHR, "", 4096));
        assertThat(next(poll)).contains("o\n");
        assertFalse(poll.finish());
        assertThat(node.openSessionCount()).isEqualTo(1);
        home.advanceTimeBy(5001, TimeUnit.MILLISECONDS);
        home.runScheduledPendingTasks();
        assertThat(node.openSessionCount()).isZero();
        assertThat(registry.get("s1")).isNull();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void repliesAndBatchedPushesGoOutInCallOrderAsOneFrame() {
        stream();
        assertThat(next(home)).isEqualTo("o\n");
        session.write(bytes("reply1"));
        home.runPendingTasks();
        assertThat(next(home)).isEqualTo("a[\"reply1\"]\n");

        WriteBatch batch = new WriteBatch();
        session.write(bytes("push1"), batch);
        // a reply written while the batch holds the flush claim waits behind push1, it does not overtake it
        session.write(bytes("reply2"));
        session.write(bytes("push2"), batch);
        home.runPendingTasks();
        assertThat((Object) home.readOutbound()).as("nothing goes out before the batch runs").isNull();
        assertThat(session.queuedBytes()).isEqualTo("push1reply2push2".length());

        batch.run();
        assertThat(batch.executorCount()).isEqualTo(1);
        home.runPendingTasks();
        assertThat(next(home)).isEqualTo("a[\"push1\",\"reply2\",\"push2\"]\n");
        assertThat((Object) home.readOutbound()).isNull();
        assertThat(session.queuedBytes()).isZero();

        // the claim was released: a later direct write schedules its own flush again
        session.write(bytes("reply3"));
        home.runPendingTasks();
        assertThat(next(home)).isEqualTo("a[\"reply3\"]\n");
    }

    @Test
    void framesWrittenBetweenTwoPollsWaitCountedAndGoOutAsOneFrameToTheNext() {
        EmbeddedChannel poll = new EmbeddedChannel();
        session.attach(new HttpReceiver(poll, request, HttpReceiver.Kind.XHR, "", 4096));
        assertThat(next(poll)).contains("o\n");
        session.write(bytes("one"));
        session.write(bytes("two"));
        home.runPendingTasks();
        assertThat((Object) poll.readOutbound()).as("no receiver attached").isNull();
        assertThat(session.queuedBytes()).isEqualTo("onetwo".length());

        session.attach(new HttpReceiver(poll, request, HttpReceiver.Kind.XHR, "", 4096));
        assertThat(next(poll)).contains("a[\"one\",\"two\"]\n");
        assertThat(session.queuedBytes()).isZero();
        assertThat(node.metrics().count(Counter.CLIENT_NUM_MSG_SENT)).isEqualTo(2);
        assertFalse(poll.finish());
    }

    @Test
    void framesQueuedInABatchAreDiscardedWhenTheSessionClosesFirst() {
        stream();
        assertThat(next(home)).isEqualTo("o\n");
        WriteBatch batch = new WriteBatch();
        session.write(bytes("push1"), batch);
        session.close(Disconnect.SLOW);
        session.write(bytes("push2"), batch);
        home.runPendingTasks();
        batch.run();
        home.runPendingTasks();
        String sent = next(home);
        assertThat(sent).startsWith("c[3000,").doesNotContain("push");
        drain(home);
    }

    @Test
    void aFrameIsCountedWhileItIsEscapedIntoTheResponse() {
        // the escaping into a[...] happens at the drain's flush, after the frame left the queue: it still counts
        List<Long> during = new ArrayList<>();
        SockJsReceiver spy = new SockJsReceiver() {
            @Override public boolean send(String frame) { return true; }
            @Override public boolean sendMessages(byte[] frame) { during.add(session.queuedBytes()); return true; }
            @Override public void end() { }
            @Override public Channel channel() { return home; }
        };
        session.attach(spy);
        home.runPendingTasks();
        byte[] frame = "{\"method\":\"message\",\"body\":1}".getBytes(StandardCharsets.UTF_8);
        session.write(frame);
        home.runPendingTasks();
        assertThat(during).hasSize(1);
        assertThat(during.get(0)).as("bytes counted while the frame is escaped into the a[...] response")
                .isGreaterThanOrEqualTo(frame.length);
    }
}
