package dev.rotor.server.redis;

import static dev.rotor.server.redis.ChaosHarness.awaitProgress;
import static dev.rotor.server.redis.ChaosHarness.killWithUnreplicatedPublications;

import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import dev.rotor.testkit.redis.TcpProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Rotor node. {@link ChaosHarness} runs the publisher and subscribers, {@link ChaosLedger} counts what every
 * subscriber saw; the table is printed and asserted. {@link RedisClusterChaosIT} is the same on a Redis Cluster.
 *
 * <p>The short version (one cycle) runs with the integration tests; {@code -Drotor.chaos.minutes=N} repeats the cycle
 * for N minutes (see docs/scaling.md for the command).
 */
class RedisFailoverChaosIT {
    /** Provides the per-test prefix; its own server stays unused here. */
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final String MASTER = "chaosmaster";
    private static final Duration FAULT_WAIT = ChaosHarness.FAULT_WAIT;

    /** One Redis server and the proxy everything reaches it through. */
    private record Member(RedisServer server, TcpProxy proxy) {
        boolean replicaInSync() {
            String info = server.command("INFO", "replication");
            return info.contains("role:slave") && info.contains("master_link_status:up");
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final List<RedisServer> sentinels = new ArrayList<>();
    private RedisNodes nodes;
    private ChaosHarness harness;

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
            if (harness != null) {
                harness.close();
            } else if (nodes != null) {
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
        run(0); // an acknowledged publication the master had not replicated yet can vanish: only counted
    }

    @Test
    void failoverFaultsWaitingForOneReplicaLoseNothingSilently() throws Exception {
        run(1);
    }

    /** Runs the suite and checks its guarantees. */
    private void run(int waitReplicas) throws Exception {
        harness = new ChaosHarness(nodes, this::settings, waitReplicas);
        harness.assertGuarantees(harness.run("Failover chaos (Sentinel)", this::faultCycle));
    }

    private Map<String, Object> settings() {
        Map<String, Object> flags = nodes.settings("127.0.0.1", "6379", false, 0);
        flags.put("redis_master_name", MASTER);
        StringBuilder list = new StringBuilder();
        for (RedisServer s : sentinels) {
            list.append(list.length() == 0 ? "" : ",").append("127.0.0.1:").append(s.port());
        }
        flags.put("redis_sentinels", list.toString());
        return flags;
    }

    /** One round of every fault, each followed by the cluster serving again. */
    private void faultCycle(ChaosLedger ledger, boolean longRun) throws Exception {
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

        // 4. the replicas freeze while the master acknowledges publications they never get, then the master dies:
        // the promoted replica lacks them. A subscriber that was away meanwhile recovers after the failover.
        ledger.phase("replicas frozen, master killed");
        harness.whileASubscriberIsAway(ledger, () -> {
            Member doomed = master();
            List<Member> frozenReplicas = members.stream().filter(m -> m != doomed).toList();
            frozenReplicas.forEach(m -> m.server().pause());
            try {
                killWithUnreplicatedPublications(doomed.server(), ledger);
            } finally {
                frozenReplicas.forEach(m -> m.server().resume());
            }
            awaitMasterOtherThan(doomed);
            doomed.server().restart();
            awaitInSync(doomed);
        });

        // 5. (long run) the master crashes (SIGKILL); once a replica is promoted it restarts empty and rejoins
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
        harness.restartRotorNode(ledger);
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
}
