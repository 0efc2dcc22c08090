package dev.rotor.node;

import dev.rotor.api.ApiExecutor;
import dev.rotor.auth.Hmac;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.Engine;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.testing.ManualClock;
import dev.rotor.testing.ManualScheduler;
import dev.rotor.testing.RecordingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The bottom rung of the core's fixture ladder (after centrifuge's {@code newTestClient} →
 * {@code newTestConnectedClient} → {@code newTestSubscribedClient}): a started {@link Node} on the memory engine, on
 * a {@link ManualClock} with every timer and periodic task on a {@link ManualScheduler}, so time passes only through
 * {@link #advance}. Its rungs: {@link #client()} (a session on a {@link RecordingTransport}, not connected),
 * {@link #connectedClient} (connected with a valid v1 token, reply taken) and {@link #subscribedClient} (subscribed
 * too, reply taken).
 *
 * <p>Register it as a field, {@code @RegisterExtension final TestNode node = TestNode.start();}, and it is closed after
 * each test; closing fails when a client has a frame the test did not take. Not thread-safe: one test drives it.
 */
public final class TestNode implements AutoCloseable, AfterEachCallback {
    /** The node's {@code secret}: 256 bits, so it also signs HS256 JWTs. */
    public static final String SECRET = "a-secret-of-at-least-thirty-two-bytes";
    /** The clock's start: 2023-11-14T22:13:20Z, so Unix seconds look real. */
    public static final long START_MILLIS = 1_700_000_000_000L;

    private final ManualClock clock = new ManualClock(START_MILLIS);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final MemoryEngine memory = new MemoryEngine(clock, scheduler);
    private final Node node;
    private final List<TestClient> clients = new ArrayList<>();
    private boolean closed;

    private TestNode(Builder b) {
        NodeConfig.Builder config = NodeConfig.builder().secret(SECRET);
        b.config.accept(config);
        node = new Node(config.build(), b.engine.apply(memory), new Metrics(), scheduler, clock.asClock(), b.hub.get());
        await(node.start());
    }

    /** A node with v1's defaults and {@link #SECRET}. */
    public static TestNode start() {
        return builder().start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Node node() {
        return node;
    }

    /** The memory engine under the node (the node may see it wrapped, see {@link Builder#engine}). */
    public MemoryEngine memory() {
        return memory;
    }

    public ManualClock clock() {
        return clock;
    }

    public ManualScheduler scheduler() {
        return scheduler;
    }

    /** The node's clock in Unix seconds, as tokens and timestamps use it. */
    public long nowSeconds() {
        return clock.getAsLong() / 1000;
    }

    /** Lets time pass: fires the session timers and periodic node work due within {@code duration}. */
    public void advance(Duration duration) {
        scheduler.advance(duration);
    }

    /** Reloads the node's configuration with changes (as SIGHUP does); connections opened later see them all. */
    public void reconfigure(Consumer<NodeConfig.Builder> change) {
        NodeConfig.Builder b = node.config().toBuilder();
        change.accept(b);
        node.reload(b.build());
    }

    /**
     * Runs HTTP API commands (one object or an array, as the request body) through the node's {@link ApiExecutor}
     * and returns the encoded replies, as the API handler would send them.
     */
    public String api(String commands) {
        return new String(ApiReply.encode(await(new ApiExecutor(node).execute(CommandDecoder.decode(utf8(commands),
                true)))), StandardCharsets.UTF_8);
    }

    /** Rung 1: a freshly opened connection (its stale timer running), not connected. */
    public TestClient client() {
        RecordingTransport transport = new RecordingTransport();
        TestClient client = new TestClient(node.openSession(transport), transport);
        clients.add(client);
        return client;
    }

    /** Rung 2: a connection of {@code user} connected with a valid v1 token and no info; its reply is taken. */
    public TestClient connectedClient(String user) {
        TestClient client = client();
        client.connect(connectFrame(user, nowSeconds(), ""));
        return client;
    }

    /**
     * Rung 3: a connection of {@code user} subscribed to {@code channel} (not private); both replies are taken, and its
     * own join push when the channel has {@code join_leave}.
     */
    public TestClient subscribedClient(String user, String channel) {
        TestClient client = connectedClient(user);
        client.subscribe(channel);
        return client;
    }

    /** A connect command with the v1 HMAC token of {@code user + timestamp + info}. */
    public static String connectFrame(String user, long timestamp, String info) {
        String ts = Long.toString(timestamp);
        JsonWriter w = new JsonWriter(256);
        w.raw('{').key("method").string("connect").raw(',').key("params").raw('{')
                .key("user").string(user).raw(',')
                .key("timestamp").string(ts).raw(',')
                .key("info").string(info).raw(',')
                .key("token").string(Hmac.clientToken(SECRET, user, ts, info)).raw("}}");
        return w.toString();
    }

    /** The v1 sign a connection needs to subscribe to a private channel. */
    public static String channelSign(String client, String channel, String info) {
        return Hmac.channelSign(SECRET, client, channel, info);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        close();
    }

    /** Closes the node, its engine and scheduler; fails when a client has a frame the test did not take. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            // before the shutdown, whose closes push leaves to the clients still open
            for (TestClient c : clients) {
                c.transport().assertExhausted();
            }
        } finally {
            node.shutdown();
            memory.close();
            scheduler.shutdown();
        }
    }

    /** The memory engine completes its stages before returning; the timeout only guards a broken engine. */
    static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("stage did not complete: " + e, e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Settings for a {@link TestNode}; not thread-safe. */
    public static final class Builder {
        private Consumer<NodeConfig.Builder> config = b -> { };
        private Function<MemoryEngine, Engine> engine = m -> m;
        private Supplier<Hub> hub = Hub::new;

        private Builder() {
        }

        /** Changes the node configuration (v1 defaults with {@link #SECRET}); calls add up. */
        public Builder config(Consumer<NodeConfig.Builder> change) {
            config = config.andThen(change);
            return this;
        }

        /** Sets the options of top-level channels (those without a namespace). */
        public Builder topLevel(Consumer<ChannelOptions.Builder> options) {
            return config(b -> b.topLevel(options(options)));
        }

        /** Adds a namespace. */
        public Builder namespace(String name, Consumer<ChannelOptions.Builder> options) {
            return config(b -> b.namespace(name, options(options)));
        }

        /** Puts an engine in front of the memory engine, e.g. one whose operations can fail. */
        public Builder engine(Function<MemoryEngine, Engine> wrap) {
            engine = wrap;
            return this;
        }

        /** Gives the node a hub of the test's, e.g. with other limits on queued engine operations. */
        Builder hub(Supplier<Hub> hub) {
            this.hub = hub;
            return this;
        }

        public TestNode start() {
            return new TestNode(this);
        }

        private static ChannelOptions options(Consumer<ChannelOptions.Builder> options) {
            ChannelOptions.Builder b = ChannelOptions.builder();
            options.accept(b);
            return b.build();
        }
    }
}
