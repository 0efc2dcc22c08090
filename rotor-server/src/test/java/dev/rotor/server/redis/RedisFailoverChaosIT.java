package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.testkit.WsTestClient;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import dev.rotor.testkit.redis.TcpProxy;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The failover chaos suite (docs/scaling.md "Failover chaos suite"): two Rotor nodes on Sentinel-managed Redis (a
 * master, two replicas and three sentinels, real processes, each Redis behind a {@link TcpProxy} that Sentinel,
 * replication and Rotor all go through), a publisher at a steady bounded rate on a channel with history, and
 * recovering subscribers on both nodes. One fault cycle: cut every connection to the master, delay the network,
 * freeze the master (SIGSTOP) until Sentinel fails over, then resume it; freeze the replicas, kill the master while
 * one subscriber is away, resume them and restart the old master; (long run) kill and restart the master; restart a
 * Rotor node. {@link ChaosLedger} counts what every subscriber saw; the table is printed and asserted.
 *
 * <p>The short version (one cycle) runs with the integration tests; {@code -Drotor.chaos.minutes=N} repeats the cycle
 * for N minutes (see docs/scaling.md for the command).
 */
class RedisFailoverChaosIT {
    /** Provides the per-test prefix; its own server stays unused here. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final String MASTER = "chaosmaster";
    private static final String CHANNEL = "feed";
    private static final int SUBSCRIBERS = 4;
    /** Publisher pacing: about 40 publications a second. */
    private static final long PUBLISH_EVERY_MILLIS = 25;
    /** Acknowledged publications each fault must be followed by (the cluster serves again) before the next. */
    private static final int PROGRESS = 15;
    private static final Duration FAULT_WAIT = Duration.ofSeconds(60);

    /** One Redis server and the proxy everything reaches it through. */
    private record Member(RedisServer server, TcpProxy proxy) {
        boolean replicaInSync() {
            String info = server.command("INFO", "replication");
            return info.contains("role:slave") && info.contains("master_link_status:up");
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final List<RedisServer> sentinels = new ArrayList<>();
    private final List<WsTestClient> clients = new CopyOnWriteArrayList<>();
    private final List<TestServer> live = new CopyOnWriteArrayList<>();
    private RedisNodes nodes;
    private final List<SubscriberLoop> loops = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Member master = member(List.of());
        for (int i = 0; i < 2; i++) {
            member(List.of("--replicaof", "127.0.0.1", Integer.toString(master.proxy().port())));
        }
        for (int i = 0; i < 3; i++) {
            sentinels.add(RedisServer.startSentinel(MASTER, master.proxy().port()));
        }
        nodes = new RedisNodes(redis);
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                members.stream().skip(1).allMatch(Member::replicaInSync)
                        && sentinels.stream().allMatch(s -> s.command("SENTINEL", "replicas", MASTER)
                                .contains(Integer.toString(members.get(2).proxy().port()))
                                && s.command("SENTINEL", "sentinels", MASTER).contains("127.0.0.1")));
    }

    /** A Redis server behind its own proxy, announcing the proxy's port to Sentinel and to its master. */
    private Member member(List<String> args) {
        int port = RedisServer.freePort();
        TcpProxy proxy = TcpProxy.to(port);
        List<String> all = new ArrayList<>(List.of("--replica-announce-ip", "127.0.0.1", "--replica-announce-port",
                Integer.toString(proxy.port())));
        all.addAll(args);
        Member m = new Member(RedisServer.start(port, all), proxy);
        members.add(m);
        return m;
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            for (WsTestClient c : clients) {
                c.abort();
            }
            if (nodes != null) {
                nodes.close();
            }
        } finally {
            sentinels.forEach(RedisServer::close);
            for (Member m : members) {
                m.proxy().close();
                m.server().close();
            }
        }
    }

    @Test
    void failoverFaultsWithoutWaitingForReplicas() throws Exception {
        ChaosLedger.Counts c = run(0);
        // Without WAIT an acknowledged publication the master had not replicated yet can vanish: only counted.
        assertThat(c.duplicates()).as("duplicates").isZero();
        assertThat(c.outOfOrder()).as("out of order").isZero();
    }

    @Test
    void failoverFaultsWaitingForOneReplicaLoseNothingSilently() throws Exception {
        ChaosLedger.Counts c = run(1);
        assertThat(c.silentlyLost()).as("silently lost, samples %s", c.silentSamples()).isZero();
        assertThat(c.duplicates()).as("duplicates").isZero();
        assertThat(c.outOfOrder()).as("out of order").isZero();
    }

    private Map<String, Object> settings(int waitReplicas) {
        Map<String, Object> flags = nodes.settings("127.0.0.1", "6379", false, 0);
        flags.put("redis_master_name", MASTER);
        StringBuilder list = new StringBuilder();
        for (RedisServer s : sentinels) {
            list.append(list.length() == 0 ? "" : ",").append("127.0.0.1:").append(s.port());
        }
        flags.put("redis_sentinels", list.toString());
        if (waitReplicas > 0) {
            flags.put("redis_wait_replicas", waitReplicas);
        }
        return flags;
    }

    private TestServer startNode(int waitReplicas) throws Exception {
        ChannelOptions history = ChannelOptions.builder().historySize(5000).historyLifetime(3600).recover(true)
                .build();
        TestServer s = nodes.start(NodeConfig.builder().topLevel(history), settings(waitReplicas));
        live.add(s);
        return s;
    }

    /** Runs the publisher and subscribers through the fault cycles; returns the counts after they settled. */
    private ChaosLedger.Counts run(int waitReplicas) throws Exception {
        long minutes = Long.getLong("rotor.chaos.minutes", 0);
        TestServer publishing = startNode(waitReplicas);
        startNode(waitReplicas);
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
                faultCycle(ledger, waitReplicas, minutes > 0);
                cycles.incrementAndGet();
            } while (System.nanoTime() < end && failure.get() == null);
        } finally {
            publisher.stop();
        }
        // Settled: each subscriber has every acknowledged publication it owes, or was told it may have lost it.
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> failure.get() != null || ledger.settled());
        loops.forEach(SubscriberLoop::stop);
        for (SubscriberLoop l : loops) {
            l.thread.join(TimeUnit.SECONDS.toMillis(15));
        }
        ChaosLedger.Counts c = ledger.tally();
        System.out.print(c.table("Failover chaos, redis_wait_replicas=" + waitReplicas + ", " + cycles.get()
                + " fault cycle(s); silently lost samples " + c.silentSamples()));
        System.out.print(ledger.phaseTable());
        assertThat(failure.get()).as("subscriber failure").isNull();
        assertThat(c.acknowledged()).as("acknowledged").isPositive();
        assertThat(c.forcedReconnects()).as("subscribers told to reconnect").isPositive();
        assertThat(c.delivered() + c.signalledLost() + c.silentlyLost()).isEqualTo(c.owed());
        return c;
    }

    /** One round of every fault, each followed by the cluster serving again. */
    private void faultCycle(ChaosLedger ledger, int waitReplicas, boolean longRun) throws Exception {
        // 1. the network to the master drops every connection (Rotor's, the replicas', Sentinel's)
        ledger.phase("cut connections");
        master().proxy().cutAll();
        awaitProgress(ledger);

        // 2. the network to every Redis gets slow for a while, below Rotor's command timeout
        ledger.phase("network delay 150 ms");
        members.forEach(m -> m.proxy().delay(Duration.ofMillis(150)));
        awaitProgress(ledger);
        members.forEach(m -> m.proxy().delay(Duration.ZERO));

        // 3. the master freezes (SIGSTOP) until Sentinel promotes a replica, then resumes and is demoted
        ledger.phase("master frozen (SIGSTOP), failover");
        Member frozen = master();
        frozen.server().pause();
        try {
            awaitMasterOtherThan(frozen);
        } finally {
            frozen.server().resume();
        }
        awaitInSync(frozen);
        awaitProgress(ledger);

        // 5. (long run) the master crashes (SIGKILL); once a replica is promoted it restarts empty and rejoins
        // 4. the replicas freeze while the master acknowledges publications they never get, then the master dies:
        // the promoted replica lacks them. A subscriber that was away meanwhile recovers after the failover.
        ledger.phase("replicas frozen, master killed");
        SubscriberLoop away = loops.get(0);
        away.leave();
        away.awaitGone();
        Member doomed = master();
        List<Member> frozenReplicas = members.stream().filter(m -> m != doomed).toList();
        frozenReplicas.forEach(m -> m.server().pause());
        try {
            // the master drops its replication links (frozen, the replicas cannot reconnect), so what it acknowledges
            // from now on never leaves it, not even into a socket buffer
            assertThat(doomed.server().command("CLIENT", "KILL", "TYPE", "replica")).startsWith(":");
            int from = ledger.sentCount();
            Awaitility.await("publications sent to the master alone").atMost(FAULT_WAIT)
                    .pollInterval(Duration.ofMillis(20)).until(() -> ledger.sentCount() >= from + 5);
            doomed.server().kill();
        } finally {
            frozenReplicas.forEach(m -> m.server().resume());
        }
        awaitMasterOtherThan(doomed);
        doomed.server().restart();
        awaitInSync(doomed);
        awaitProgress(ledger);
        away.comeBack();
        awaitProgress(ledger);

        if (longRun) { // the short run's step 4 already killed and restarted a master
            ledger.phase("master killed, failover, restart");
            Member crashed = master();
            crashed.server().kill();
            awaitMasterOtherThan(crashed);
            crashed.server().restart();
            awaitInSync(crashed);
            awaitProgress(ledger);
        }

        // 6. a Rotor node that does not take the publisher's requests restarts; its subscribers move
        ledger.phase("Rotor node restart");
        TestServer other = live.get(1);
        live.remove(other);
        nodes.stop(other);
        startNode(waitReplicas);
        awaitProgress(ledger);
        ledger.phase("steady");
    }

    private Member master() {
        String reply = sentinels.get(0).command("SENTINEL", "get-master-addr-by-name", MASTER);
        for (Member m : members) {
            if (reply.contains("\r\n" + m.proxy().port() + "\r\n")) {
                return m;
            }
        }
        throw new AssertionError("Sentinel names no known master: " + reply);
    }

    private void awaitMasterOtherThan(Member old) {
        Awaitility.await("Sentinel promotes a replica").atMost(FAULT_WAIT).pollInterval(Duration.ofMillis(100))
                .until(() -> sentinels.stream().allMatch(s -> !s.command("SENTINEL", "get-master-addr-by-name",
                        MASTER).contains("\r\n" + old.proxy().port() + "\r\n")));
    }

    private void awaitInSync(Member m) {
        Awaitility.await("the old master rejoins as a replica").atMost(FAULT_WAIT)
                .pollInterval(Duration.ofMillis(200)).until(m::replicaInSync);
    }

    private static void awaitProgress(ChaosLedger ledger) {
        int from = ledger.acknowledgedCount();
        Awaitility.await("publications acknowledged again").atMost(FAULT_WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> ledger.acknowledgedCount() >= from + PROGRESS);
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
