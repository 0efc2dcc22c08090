package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Sentinel failover with messages published throughout (docs/scaling.md "Failure behaviour"): real redis-server
 * master and replica and two real redis-sentinel processes; the master is killed, Sentinel promotes the replica,
 * Rotor finds the new master by itself, and every acknowledged publication reaches the subscriber either live or,
 * after the forced reconnect, through recovery from history; none arrives twice or out of order.
 */
class RedisSentinelFailoverIT {
    /** Provides the per-test prefix; its own server stays unused here. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final String MASTER = "mymaster";
    private static final Pattern DATA = Pattern.compile("\"data\":\\{\"n\":(\\d+)}");
    private static final Pattern UID = Pattern.compile("\"uid\":\"([0-9A-Za-z]{22})\"");
    private static final int PUBLISHES = 120;
    /** Publications the promoted master must acknowledge before the publisher stops. */
    private static final int AFTER_FAILOVER = 10;

    private RedisServer master;
    private RedisServer replica;
    private RedisServer sentinel1;
    private RedisServer sentinel2;
    private RedisNodes nodes;

    @BeforeEach
    void setUp() {
        master = RedisServer.start();
        replica = RedisServer.start(List.of("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        sentinel1 = RedisServer.startSentinel(MASTER, master.port());
        sentinel2 = RedisServer.startSentinel(MASTER, master.port());
        nodes = new RedisNodes(redis);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                replica.command("INFO", "replication").contains("master_link_status:up")
                        && sentinel1.command("SENTINEL", "replicas", MASTER).contains(Integer.toString(replica.port()))
                        && sentinel2.command("SENTINEL", "replicas", MASTER).contains(Integer.toString(replica.port()))
                        && sentinel1.command("SENTINEL", "sentinels", MASTER).contains("127.0.0.1"));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            nodes.close();
        } finally {
            for (RedisServer s : new RedisServer[] {sentinel1, sentinel2, replica, master}) {
                if (s != null) {
                    s.close();
                }
            }
        }
    }

    private Map<String, Object> sentinelSettings() {
        Map<String, Object> flags = nodes.settings("127.0.0.1", "6379", false, 0);
        flags.put("redis_master_name", MASTER);
        flags.put("redis_sentinels", "127.0.0.1:" + sentinel1.port() + ", 127.0.0.1:" + sentinel2.port());
        return flags;
    }

    @Test
    void everyAcknowledgedMessageIsDeliveredOrRecoveredAcrossAFailover() throws Exception {
        ChannelOptions history = ChannelOptions.builder().historySize(1000).historyLifetime(300).recover(true)
                .build();
        TestServer node = nodes.start(NodeConfig.builder().topLevel(history), sentinelSettings());
        Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
        Set<Integer> received = ConcurrentHashMap.newKeySet();
        Deliveries deliveries = new Deliveries();
        AtomicInteger forcedReconnects = new AtomicInteger();
        String last = "";
        Client client = subscribeRecovering(node, "", received, deliveries);

        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger acknowledgedAfterKill = new AtomicInteger();
        CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // at least PUBLISHES attempts, and on until the new master has acknowledged some: how long Sentinel takes
            // to promote the replica varies with the machine's load (bounded by the deadline)
            for (int i = 0; (i < PUBLISHES || acknowledgedAfterKill.get() < AFTER_FAILOVER)
                    && System.nanoTime() < deadline; i++) {
                try {
                    boolean afterKill = killed.get();
                    if (node.api(publish("feed", "{\"n\":" + i + "}")).body().contains("\"error\":null")) {
                        acknowledged.add(i);
                        if (afterKill) {
                            acknowledgedAfterKill.incrementAndGet();
                        }
                    }
                    sent.incrementAndGet();
                    Thread.sleep(50); // pacing so the failover happens mid-stream (bounded loop)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    sent.incrementAndGet(); // not acknowledged
                }
            }
        });
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> sent.get() >= 30);
        master.kill();
        killed.set(true);

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline && !(publisher.isDone() && received.containsAll(acknowledged))) {
            String frame = client.ws().frames().poll(200, TimeUnit.MILLISECONDS);
            if (frame != null) {
                last = record(frame, received, deliveries, last);
            } else if (client.ws().isClosed()) {
                WsCloseCheck.assertReconnectAdvice(client.awaitClose().reason());
                forcedReconnects.incrementAndGet();
                client = subscribeRecovering(node, last, received, deliveries);
            }
        }

        publisher.get(10, TimeUnit.SECONDS);
        assertThat(acknowledgedAfterKill.get()).as("publications acknowledged by the promoted master")
                .isGreaterThanOrEqualTo(AFTER_FAILOVER);
        assertThat(received).as("every acknowledged publication was delivered or recovered")
                .containsAll(acknowledged);
        assertThat(forcedReconnects.get()).as("the subscriber was told to recover").isPositive();
        assertThat(deliveries.duplicates).as("messages delivered twice (recovered: true batches and live)").isZero();
        assertThat(deliveries.outOfOrder).as("messages delivered out of order").isZero();
        assertThat(node.send(HttpRequest.newBuilder(node.uri("/health")).GET().build()).statusCode())
                .isEqualTo(200);
    }

    /** Connects and subscribes with {@code recover} and {@code last}, retrying while Redis is failing over. */
    private Client subscribeRecovering(TestServer node, String last, Set<Integer> received, Deliveries deliveries)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            Client c = nodes.connect(node, "alice");
            c.send("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"feed\",\"recover\":true,"
                    + "\"last\":\"" + last + "\"}}");
            String reply = c.ws().frames().poll(10, TimeUnit.SECONDS);
            if (reply != null && reply.contains("\"status\":true")) {
                record(reply, received, deliveries, "");
                return c;
            }
            // Redis not reachable yet: the subscribe failed (internal server error, reconnect advised).
            c.ws().abort();
            assertThat(System.nanoTime()).as("subscribe works again within 60 s").isLessThan(deadline);
            Thread.sleep(200); // a client's reconnect back-off
        }
    }

    /**
     * Adds every {@code n} in the frame (a subscribe reply's recovered messages oldest first); returns the uid of the
     * newest message seen, live or recovered.
     */
    private static String record(String frame, Set<Integer> received, Deliveries deliveries, String last) {
        List<Integer> ns = new ArrayList<>();
        Matcher m = DATA.matcher(frame);
        while (m.find()) {
            ns.add(Integer.parseInt(m.group(1)));
        }
        received.addAll(ns);
        boolean reply = !frame.startsWith("{\"method\":\"message\"");
        if (reply) {
            Collections.reverse(ns); // history is newest first
        }
        // recovered: false tells the client of a possible gap: it resynchronises, and may see messages again
        deliveries.add(ns, reply && frame.contains("\"recovered\":false"));
        Matcher u = UID.matcher(frame);
        return u.find() ? u.group(1) : last; // a reply's first uid is its newest recovered message
    }

    /** Counts duplicates and out-of-order deliveries among what the subscriber was not told to resynchronise. */
    private static final class Deliveries {
        private final Set<Integer> seen = new HashSet<>();
        private int newest = -1;
        int duplicates;
        int outOfOrder;

        void add(List<Integer> ns, boolean resync) {
            for (int n : ns) {
                if (!seen.add(n) && !resync) {
                    duplicates++;
                } else if (n < newest && !resync) {
                    outOfOrder++;
                }
                newest = Math.max(newest, n);
            }
        }
    }

    /** The advice a client may get during a failover: always with reconnect. */
    private static final class WsCloseCheck {
        static void assertReconnectAdvice(String reason) {
            assertThat(reason).contains("\"reconnect\":true");
        }
    }
}
