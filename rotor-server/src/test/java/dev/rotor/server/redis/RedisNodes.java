package dev.rotor.server.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.cli.EngineFactory;
import dev.rotor.config.ConfigLoader;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.ServerConfig;
import dev.rotor.server.TestServer;
import dev.rotor.testkit.WsTestClient;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisExtension;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Several real Rotor nodes sharing the Redis of a {@link RedisExtension} (or the Redis Cluster of a
 * {@link RedisClusterExtension}), each with the Redis engine built from v1
 * options through {@link EngineFactory} (as {@code bin/rotor --engine=redis} does), plus their WebSocket clients.
 * Everything is closed by {@link #close}. The extension is read only when a node starts, so a test class may create
 * its instance in a field initializer ({@code @AutoClose}). Not thread-safe (one per test).
 */
final class RedisNodes implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final Pattern CLIENT_ID = Pattern.compile("\"client\":\"([0-9a-f-]{36})\"");
    /** Every v1 channel feature on: client publish, presence, join/leave, a history of 10 for a minute, recovery. */
    static final ChannelOptions ALL_FEATURES = ChannelOptions.builder().publish(true).presence(true).joinLeave(true)
            .historySize(10).historyLifetime(60).recover(true).build();

    private final Supplier<String> prefix;
    /** The options {@link #start(NodeConfig.Builder)} uses. */
    private final Supplier<Map<String, Object>> defaults;
    private final List<TestServer> servers = new ArrayList<>();
    private final List<WsTestClient> clients = new ArrayList<>();

    RedisNodes(RedisExtension redis) {
        this.prefix = redis::prefix;
        this.defaults = () -> settings("127.0.0.1", Integer.toString(redis.server().port()), false, 0);
    }

    /** Nodes on a Redis Cluster: every node of it a seed ({@code redis_cluster_addrs}). */
    RedisNodes(RedisClusterExtension cluster) {
        this.prefix = cluster::prefix;
        this.defaults = () -> {
            Map<String, Object> s = settings("127.0.0.1", "6379", false, 0);
            s.put("redis_cluster_addrs", cluster.cluster().seeds());
            return s;
        };
    }

    /** Node {@code name} with {@link #ALL_FEATURES} on its channels, pinging the other nodes every second. */
    static NodeConfig.Builder allFeatures(String name) {
        return NodeConfig.builder().name(name).topLevel(ALL_FEATURES).nodePingInterval(1);
    }

    /**
     * The v1 Redis options of the test server as command-line flags: host, port, the test's prefix, short timeouts;
     * the API queue as asked. Mutable, so a test can add keys.
     */
    Map<String, Object> settings(String host, String port, boolean api, int apiShards) {
        return new HashMap<>(Map.of("engine", "redis", "redis_host", host, "redis_port", port, "redis_api", api,
                "redis_api_num_shards", apiShards, "redis_prefix", prefix.get(), "redis_read_timeout", 4,
                "redis_pubsub_num_workers", 2));
    }

    /** The options {@link #start(NodeConfig.Builder)} uses, mutable, so a test can add keys. */
    Map<String, Object> defaults() {
        return defaults.get();
    }

    TestServer start(NodeConfig.Builder node) throws Exception {
        return start(node, defaults.get());
    }

    TestServer start(NodeConfig.Builder node, Map<String, Object> settings) throws Exception {
        return start(node, ServerConfig.builder(), settings);
    }

    TestServer start(NodeConfig.Builder node, ServerConfig.Builder server, Map<String, Object> settings)
            throws Exception {
        Path noFile = Path.of("target", "no-such-config.json");
        TestServer s = TestServer.start(node, server, EngineFactory.standard()
                .create(new ConfigLoader(noFile, Map.of(), settings).load().config()));
        servers.add(s);
        return s;
    }

    /** Stops one node now (its clients see the shutdown). */
    void stop(TestServer server) throws Exception {
        servers.remove(server);
        server.close();
    }

    /** A client of {@code server} that completed {@code connect} as {@code user}. */
    Client connect(TestServer server, String user) throws Exception {
        WsTestClient ws = WsTestClient.connect(URI.create(server.wsUrl()), WAIT);
        clients.add(ws);
        ws.send(server.connectFrame("c", user, ""));
        String reply = ws.awaitFrame(WAIT);
        Matcher m = CLIENT_ID.matcher(reply);
        assertThat(m.find()).as("connect reply %s", reply).isTrue();
        return new Client(ws, m.group(1));
    }

    /** A client of {@code server} connected as {@code user} and subscribed to {@code channel}. */
    Client subscribed(TestServer server, String user, String channel) throws Exception {
        Client c = connect(server, user);
        c.send(subscribe("s", channel));
        c.nextContaining("\"method\":\"subscribe\"");
        return c;
    }

    /** A connected client and its id. */
    record Client(WsTestClient ws, String id) {
        void send(String frame) {
            ws.send(frame);
        }

        String next() throws InterruptedException {
            return ws.awaitFrame(WAIT);
        }

        /** The next frame that contains {@code text}, skipping others (e.g. joins before a reply). */
        String nextContaining(String text) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < deadline) {
                String f = ws.awaitFrame(WAIT);
                if (f != null && f.contains(text)) {
                    return f;
                }
            }
            throw new AssertionError("no frame containing " + text + " within " + WAIT);
        }

        WsTestClient.Close awaitClose() throws InterruptedException {
            return ws.awaitClose(WAIT);
        }
    }

    static String subscribe(String uid, String channel) {
        return "{\"uid\":\"" + uid + "\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}";
    }

    static String publish(String channel, String data) {
        return "{\"method\":\"publish\",\"params\":{\"channel\":\"" + channel + "\",\"data\":" + data + "}}";
    }

    @Override
    public void close() throws Exception {
        for (WsTestClient c : clients) {
            c.abort();
        }
        for (TestServer s : servers) {
            s.close();
        }
    }
}
