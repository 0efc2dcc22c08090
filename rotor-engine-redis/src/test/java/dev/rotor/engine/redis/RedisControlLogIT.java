package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.EngineListener;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.ForwardingEngineListener;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.TcpProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The control log on a real Redis (docs/scaling.md "Failure behaviour", step 7): a node whose PUB/SUB connection was
 * down gets the disconnect and unsubscribe commands that another node published meanwhile, once each and in order,
 * and nothing from before it started; the log stays about {@link ControlLog#LENGTH} entries long.
 */
class RedisControlLogIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();
    @RegisterExtension
    final LogCapture controlLog = new LogCapture("dev.rotor.engine.redis.ControlLog");

    private RedisEngine engine(int port, RecordingEngineListener listener) throws Exception {
        RedisEngine engine = new RedisEngine(RedisEngineConfig.builder()
                .shard(RedisShardConfig.of("127.0.0.1", port)).prefix(redis.prefix())
                .commandTimeout(Duration.ofSeconds(5)).pubsubWorkers(2).build());
        engine.start(listener).toCompletableFuture().get(10, TimeUnit.SECONDS);
        return engine;
    }

    private static ControlMessage disconnect(String user) {
        return new ControlMessage("node-b", "disconnect",
                RawJson.wrap(("{\"user\":\"" + user + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private static ControlMessage unsubscribe(String user, String channel) {
        return new ControlMessage("node-b", "unsubscribe", RawJson.wrap(("{\"channel\":\"" + channel
                + "\",\"user\":\"" + user + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private static void publish(RedisEngine engine, ControlMessage m) throws Exception {
        engine.controlBus().publishControl(m).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** The control messages a listener received, pings left out, as their params. */
    private static List<String> commands(RecordingEngineListener listener) {
        List<String> out = new ArrayList<>();
        for (ControlMessage m : listener.controls()) {
            if (!m.method().equals("ping")) {
                out.add(m.method() + " " + new String(m.params().bytes(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String command(ControlMessage m) {
        return m.method() + " " + new String(m.params().bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void commandsPublishedWhileANodesPubSubWasDownReachItOnceInOrderAfterItIsBack() throws Exception {
        RecordingEngineListener a = new RecordingEngineListener(WAIT);
        RecordingEngineListener b = new RecordingEngineListener(WAIT);
        try (RedisEngine nodeB = engine(redis.server().port(), b)) {
            publish(nodeB, disconnect("before-a-started"));
            try (TcpProxy address = TcpProxy.to(redis.server().port());
                    RedisEngine nodeA = engine(address.port(), a)) {
                ControlMessage live = disconnect("live");
                publish(nodeB, live);
                Awaitility.await().atMost(WAIT).until(() -> commands(a).contains(command(live)));

                address.block(true);
                address.cutAll();
                Awaitility.await().atMost(WAIT).until(() -> !nodeA.healthy());
                List<ControlMessage> missed = List.of(unsubscribe("u1", "news"), disconnect("u2"),
                        disconnect("u2"), unsubscribe("u3", "$private"));
                for (ControlMessage m : missed) {
                    publish(nodeB, m);
                }
                Awaitility.await().atMost(WAIT).until(() -> commands(b).size() >= 6);
                assertThat(commands(a)).as("nothing reaches the node while it is away").hasSize(1);

                address.block(false);
                Awaitility.await().atMost(WAIT).until(nodeA::healthy);
                ControlMessage after = disconnect("after");
                publish(nodeB, after);

                Awaitility.await().atMost(WAIT).until(() -> commands(a).contains(command(after)));
                // the recovery reads while "after" may arrive live: done once it says so
                Awaitility.await().atMost(WAIT).until(() -> controlLog.messages().stream()
                        .anyMatch(m -> m.startsWith("Redis: 4 disconnect and unsubscribe commands this node missed")));
                List<String> expected = new ArrayList<>();
                expected.add(command(live));
                missed.forEach(m -> expected.add(command(m)));
                expected.add(command(after));
                // the one published after the return may come before the recovered ones: only once each matters,
                // and the recovered ones in their order
                assertThat(commands(a)).containsExactlyInAnyOrderElementsOf(expected);
                assertThat(nodeA.losses()).hasValueSatisfying(l -> assertThat(l.controlRecovered()).isEqualTo(4));
                assertThat(commands(a).subList(0, 1)).containsExactly(command(live));
                List<String> recovered = new ArrayList<>(commands(a));
                recovered.remove(command(after));
                assertThat(recovered).containsExactlyElementsOf(expected.subList(0, expected.size() - 1));
                assertThat(commands(b)).as("the publishing node got each live, once")
                        .containsExactlyElementsOf(List.of(command(disconnect("before-a-started")), command(live),
                                command(missed.get(0)), command(missed.get(1)), command(missed.get(2)),
                                command(missed.get(3)), command(after)));
            }
        }
    }

    @Test
    void commandsDroppedBecauseTheNodesBacklogWasFullAreReadBackFromTheLog() throws Exception {
        RecordingEngineListener recorded = new RecordingEngineListener(WAIT);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger controls = new AtomicInteger();
        // the first command holds the control lane, so that the next ones find the backlog full
        EngineListener slow = new ForwardingEngineListener(recorded) {
            @Override
            public void onControl(ControlMessage message) {
                super.onControl(message);
                if (controls.incrementAndGet() == 1) {
                    try {
                        release.await(20, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        RedisEngine nodeA = new RedisEngine(RedisEngines.config(redis.server(), redis.prefix()).pubsubWorkers(1)
                .publishBudget(1).build());
        try (RedisEngine nodeB = engine(redis.server().port(), new RecordingEngineListener(WAIT));
                RedisEngine a = nodeA) {
            a.start(slow).toCompletableFuture().get(10, TimeUnit.SECONDS);
            List<ControlMessage> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                sent.add(i % 2 == 0 ? disconnect("u" + i) : unsubscribe("u" + i, "news"));
            }
            publish(nodeB, sent.get(0));
            Awaitility.await().atMost(WAIT).until(() -> controls.get() == 1);
            for (ControlMessage m : sent.subList(1, sent.size())) {
                publish(nodeB, m);
            }
            // the rest find the backlog full (the first still counts in it) and are dropped
            Awaitility.await().atMost(WAIT).until(() -> a.droppedMessages() == sent.size() - 1);

            release.countDown();

            List<String> expected = sent.stream().map(RedisControlLogIT::command).toList();
            Awaitility.await().atMost(WAIT).until(() -> commands(recorded).size() >= expected.size());
            assertThat(commands(recorded)).containsExactlyElementsOf(expected);
            assertThat(a.losses()).hasValueSatisfying(l -> {
                assertThat(l.messagesDropped()).isEqualTo(sent.size() - 1);
                assertThat(l.controlRecovered()).isEqualTo(sent.size() - 1);
            });
        }
    }

    @Test
    void aRecoveryFindsNothingWhenNothingWasMissed() throws Exception {
        RecordingEngineListener a = new RecordingEngineListener(WAIT);
        RecordingEngineListener b = new RecordingEngineListener(WAIT);
        try (RedisEngine nodeB = engine(redis.server().port(), b);
                TcpProxy address = TcpProxy.to(redis.server().port());
                RedisEngine nodeA = engine(address.port(), a)) {
            ControlMessage first = disconnect("first");
            publish(nodeB, first);
            Awaitility.await().atMost(WAIT).until(() -> commands(a).contains(command(first)));

            int connections = address.accepted();
            address.cutAll(); // back at once: nothing was published meanwhile
            Awaitility.await().atMost(WAIT).until(() -> address.accepted() >= connections + 2 && nodeA.healthy());
            ControlMessage second = disconnect("second");
            publish(nodeB, second);

            Awaitility.await().atMost(WAIT).until(() -> commands(a).contains(command(second)));
            Awaitility.await().atMost(WAIT).until(() -> controlLog.messages().stream()
                    .anyMatch(m -> m.startsWith("Redis: 0 disconnect and unsubscribe commands this node missed")));
            assertThat(commands(a)).containsExactly(command(first), command(second));
        }
    }

    @Test
    void onARedisAtMaxmemoryACommandIsStillPublishedWithoutTheLog() throws Exception {
        RecordingEngineListener a = new RecordingEngineListener(WAIT);
        try (RedisEngine node = engine(redis.server().port(), a)) {
            assertThat(redis.server().command("CONFIG", "SET", "maxmemory-policy", "noeviction")).startsWith("+OK");
            assertThat(redis.server().command("CONFIG", "SET", "maxmemory", "1")).startsWith("+OK");
            try {
                publish(node, disconnect("at-maxmemory")); // fails the test if the publication fails

                Awaitility.await().atMost(WAIT).until(() -> commands(a).contains(command(disconnect("at-maxmemory"))));
                assertThat(redis.server().command("EXISTS", redis.prefix() + ".control.log")).startsWith(":0");
            } finally {
                redis.server().command("CONFIG", "SET", "maxmemory", "0");
            }
        }
    }

    @Test
    void theLogStaysAboutItsLengthLong() throws Exception {
        RecordingEngineListener a = new RecordingEngineListener(WAIT);
        try (RedisEngine node = engine(redis.server().port(), a)) {
            int n = ControlLog.LENGTH + 2_000;
            List<CompletableFuture<Void>> sent = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                sent.add(node.controlBus().publishControl(disconnect("u" + i)).toCompletableFuture());
            }
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            String len = redis.server().command("XLEN", redis.prefix() + ".control.log");
            long entries = Long.parseLong(len.substring(1).trim());
            // MAXLEN ~ trims whole nodes of the stream (100 entries each by default)
            assertThat(entries).isBetween((long) ControlLog.LENGTH, ControlLog.LENGTH + 200L);
        }
    }
}
