package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.testkit.WsTestClient;
import dev.rotor.testkit.redis.RedisServer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What the failover chaos suites share, whatever Redis they run on (docs/scaling.md "Failover chaos suite"): two
 * Rotor nodes, a publisher at a steady bounded rate on a channel with history through one node's API, recovering
 * subscribers spread over both nodes, the fault cycles a suite supplies repeated for {@code -Drotor.chaos.minutes}
 * (one cycle without it), and the {@link ChaosLedger} counts printed and checked for consistency. Not thread-safe:
 * one per test, driven by the test's thread (the publisher and subscribers run on their own threads).
 */
final class ChaosHarness implements AutoCloseable {
    static final String CHANNEL = "feed";
    private static final int SUBSCRIBERS = 4;
    /** Publisher pacing: about 40 publications a second. */
    private static final long PUBLISH_EVERY_MILLIS = 25;
    /** Acknowledged publications each fault must be followed by (Redis serves again) before the next. */
    private static final int PROGRESS = 15;
    static final Duration FAULT_WAIT = Duration.ofSeconds(60);

    /** One round of a suite's faults; {@code longRun} when repeated for {@code -Drotor.chaos.minutes}. */
    interface FaultCycle {
        void run(ChaosLedger ledger, boolean longRun) throws Exception;
    }

    private final RedisNodes nodes;
    /** The engine options of a node (without {@code redis_wait_replicas}), mutable. */
    private final Supplier<Map<String, Object>> settings;
    private final int waitReplicas;
    private final List<WsTestClient> clients = new CopyOnWriteArrayList<>();
    private final List<TestServer> live = new CopyOnWriteArrayList<>();
    private final List<SubscriberLoop> loops = new ArrayList<>();

    ChaosHarness(RedisNodes nodes, Supplier<Map<String, Object>> settings, int waitReplicas) {
        this.nodes = nodes;
        this.settings = settings;
        this.waitReplicas = waitReplicas;
    }

    private TestServer startNode() throws Exception {
        ChannelOptions history = ChannelOptions.builder().historySize(5000).historyLifetime(3600).recover(true)
                .build();
        Map<String, Object> flags = settings.get();
        if (waitReplicas > 0) {
            flags.put("redis_wait_replicas", waitReplicas);
        }
        TestServer s = nodes.start(NodeConfig.builder().topLevel(history), flags);
        live.add(s);
        return s;
    }

    /** Runs the publisher and subscribers through the fault cycles; returns the counts after they settled. */
    ChaosLedger.Counts run(String title, FaultCycle cycle) throws Exception {
        long minutes = Long.getLong("rotor.chaos.minutes", 0);
        TestServer publishing = startNode();
        startNode();
        ChaosLedger ledger = new ChaosLedger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < SUBSCRIBERS; i++) {
            SubscriberLoop loop = new SubscriberLoop(ledger.subscriber("s" + i), i, failure);
            loop.subscribe();
            loops.add(loop);
            loop.thread.start();
        }
        Publisher publisher = new Publisher(publishing, ledger, minutes);
        publisher.thread.start();
        AtomicInteger cycles = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
        try {
            awaitProgress(ledger);
            do {
                cycle.run(ledger, minutes > 0);
                cycles.incrementAndGet();
            } while (System.nanoTime() < end && failure.get() == null);
        } finally {
            publisher.stop();
        }
        // Settled: each subscriber has every acknowledged publication it owes, or was told it may have lost it. What
        // is still missing after the wait is silently lost: counted, printed, and asserted by assertGuarantees.
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> failure.get() != null || ledger.settled());
        } catch (ConditionTimeoutException stillMissing) {
            // reported below
        }
        loops.forEach(SubscriberLoop::stop);
        for (SubscriberLoop l : loops) {
            l.thread.join(TimeUnit.SECONDS.toMillis(15));
        }
        ChaosLedger.Counts c = ledger.tally();
        System.out.print(c.table(title + ", redis_wait_replicas=" + waitReplicas + ", " + cycles.get()
                + " fault cycle(s); silently lost samples " + c.silentSamples()));
        System.out.print(ledger.phaseTable());
        assertThat(failure.get()).as("subscriber failure").isNull();
        assertThat(c.acknowledged()).as("acknowledged").isPositive();
        assertThat(c.forcedReconnects()).as("subscribers told to reconnect").isPositive();
        assertThat(c.delivered() + c.signalledLost() + c.silentlyLost()).isEqualTo(c.owed());
        return c;
    }

    /**
     * What the suite guarantees (docs/scaling.md "Failover chaos suite"): nothing delivered twice or out of order;
     * with {@code redis_wait_replicas} nothing acknowledged lost silently (without it, that count is only reported).
     */
    void assertGuarantees(ChaosLedger.Counts c) {
        if (waitReplicas > 0) {
            assertThat(c.silentlyLost()).as("silently lost, samples %s", c.silentSamples()).isZero();
        }
        assertThat(c.duplicates()).as("duplicates").isZero();
        assertThat(c.outOfOrder()).as("out of order").isZero();
    }

    /** A step of a fault cycle. */
    interface Fault {
        void run() throws Exception;
    }

    /**
     * Runs {@code fault} while a subscriber is away: before it, the subscriber drops its connection (recording what had
     * arrived); after it, once publications are acknowledged again, the subscriber comes back and recovers from its
     * last message, and publications are awaited once more.
     */
    void whileASubscriberIsAway(ChaosLedger ledger, Fault fault) throws Exception {
        SubscriberLoop away = loops.get(0);
        away.leave();
        away.awaitGone();
        fault.run();
        awaitProgress(ledger);
        away.comeBack();
        awaitProgress(ledger);
    }

    /**
     * Kills {@code master} (SIGKILL) with publications it alone has: it drops its replication links (its replicas,
     * frozen by the caller, cannot reconnect), so what it acknowledges from then on never leaves it, not even into a
     * socket buffer, and it dies once five more publications were sent to it.
     */
    static void killWithUnreplicatedPublications(RedisServer master, ChaosLedger ledger) {
        assertThat(master.command("CLIENT", "KILL", "TYPE", "replica")).startsWith(":");
        int from = ledger.sentCount();
        Awaitility.await("publications sent to the master alone").atMost(FAULT_WAIT)
                .pollInterval(Duration.ofMillis(20)).until(() -> ledger.sentCount() >= from + 5);
        master.kill();
    }

    /** A Rotor node that does not take the publisher's requests restarts; its subscribers move. */
    void restartRotorNode(ChaosLedger ledger) throws Exception {
        ledger.phase("Rotor node restart");
        TestServer other = live.get(1);
        live.remove(other);
        nodes.stop(other);
        startNode();
        awaitProgress(ledger);
    }

    static void awaitProgress(ChaosLedger ledger) {
        int from = ledger.acknowledgedCount();
        Awaitility.await("publications acknowledged again").atMost(FAULT_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> ledger.acknowledgedCount() >= from + PROGRESS);
    }

    /** Aborts the subscribers' connections and stops the nodes. */
    @Override
    public void close() throws Exception {
        for (WsTestClient c : clients) {
            c.abort();
        }
        nodes.close();
    }

    /** Publishes {@code {"n":i}} for i = 0, 1, ... every 25 ms through one node's API; bounded in count and time. */
    private final class Publisher {
        final Thread thread;
        private volatile boolean stopped;

        Publisher(TestServer node, ChaosLedger ledger, long minutes) {
            long limit = (minutes + 5) * 60_000 / PUBLISH_EVERY_MILLIS;
            this.thread = new Thread(() -> {
                for (int n = 0; n < limit && !stopped; n++) {
                    ledger.sending(n);
                    try {
                        if (node.api(publish(CHANNEL, "{\"n\":" + n + "}")).body().contains("\"error\":null")) {
                            ledger.acknowledged(n);
                        }
                        Thread.sleep(PUBLISH_EVERY_MILLIS); // the steady rate
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        // not acknowledged (e.g. the request timed out)
                    }
                }
            }, "chaos-publisher");
        }

        void stop() throws InterruptedException {
            stopped = true;
            thread.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    /** One subscriber: reads frames, and on a forced close reconnects to a live node with recover and last. */
    private final class SubscriberLoop implements Runnable {
        final Thread thread;
        private final ChaosLedger.Subscriber ledger;
        private final AtomicReference<Throwable> failure;
        private int next;
        private volatile boolean stopped;
        /** Set while the subscriber is away (disconnected by itself, not reconnecting). */
        private volatile boolean away;
        /** Set once the loop has dropped its connection after {@link #leave}. */
        private volatile boolean gone;
        private WsTestClient ws; // only touched by the loop's thread once started

        SubscriberLoop(ChaosLedger.Subscriber ledger, int first, AtomicReference<Throwable> failure) {
            this.ledger = ledger;
            this.next = first;
            this.failure = failure;
            this.thread = new Thread(this, "chaos-" + ledger.name);
        }

        @Override
        public void run() {
            try {
                while (!stopped) {
                    if (away) {
                        ws.abort();
                        gone = true;
                        while (away && !stopped) {
                            Thread.sleep(50); // away: the test brings it back (bounded by the fault's awaits)
                        }
                        drain();
                        subscribe();
                        continue;
                    }
                    String frame = ws.frames().poll(100, TimeUnit.MILLISECONDS);
                    if (frame != null) {
                        ledger.frame(frame);
                    } else if (ws.isClosed()) {
                        String reason = ws.awaitClose(RedisNodes.WAIT).reason();
                        assertThat(reason).as("close advice").contains("\"reconnect\":true");
                        ledger.forcedReconnect();
                        subscribe();
                    }
                }
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }

        /** Connects to the next live node and subscribes with recover and last, retrying for at most a minute. */
        void subscribe() throws Exception {
            long deadline = System.nanoTime() + FAULT_WAIT.toNanos();
            while (true) {
                assertThat(System.nanoTime()).as("a subscribe works within " + FAULT_WAIT).isLessThan(deadline);
                TestServer node = live.get(Math.floorMod(next++, live.size()));
                WsTestClient c;
                try {
                    c = WsTestClient.connect(URI.create(node.wsUrl()), RedisNodes.WAIT);
                } catch (RuntimeException e) {
                    Thread.sleep(200); // the node is going away: a client's reconnect back-off
                    continue;
                }
                clients.add(c);
                c.send(node.connectFrame("c", ledger.name, ""));
                c.send("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + CHANNEL
                        + "\",\"recover\":true,\"last\":\"" + ledger.last() + "\"}}");
                String reply = null;
                try {
                    reply = c.awaitFrame(RedisNodes.WAIT); // the connect reply, maybe with the subscribe reply
                    if (reply != null && !reply.contains("\"method\":\"subscribe\"")) {
                        reply = c.awaitFrame(RedisNodes.WAIT);
                    }
                } catch (AssertionError closedMeanwhile) {
                    // closed before the reply (subscriptions lost again, or the node stops): subscribe again
                }
                if (reply != null && reply.contains("\"method\":\"subscribe\"") && reply.contains("\"status\":true")) {
                    ws = c;
                    ledger.frame(reply);
                    return;
                }
                c.abort(); // Redis not reachable yet: the subscribe failed
                Thread.sleep(200); // a client's reconnect back-off
            }
        }

        void stop() {
            stopped = true;
        }

        /** Leaves: drops its connection (recording what had arrived) and stays away until {@link #comeBack}. */
        void leave() {
            away = true;
        }

        /** Waits until the subscriber has dropped its connection. */
        void awaitGone() {
            Awaitility.await("the subscriber leaves").atMost(RedisNodes.WAIT).until(() -> gone);
        }

        void comeBack() {
            gone = false;
            away = false;
        }

        /** Records the frames that arrived before the connection was dropped. */
        private void drain() {
            for (String f = ws.frames().poll(); f != null; f = ws.frames().poll()) {
                ledger.frame(f);
            }
        }
    }
}
