package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The hub's user registry, which holds a user's only session bare and switches to a set from the second on: every
 * count and view agrees whichever form a user is in, and a user goes back to the bare form and then away.
 */
class HubTest {
    @RegisterExtension
    final TestNode node = TestNode.start();

    private Hub hub() {
        return node.node().hub();
    }

    private List<ClientSession> all() {
        List<ClientSession> out = new ArrayList<>();
        hub().allSessions().forEach(out::add);
        return out;
    }

    @Test
    void aUsersSessionsAreCountedAndListedAsTheyComeAndGo() {
        ClientSession first = node.connectedClient("alice").session();
        assertThat(hub().userSessions("alice")).containsExactly(first);
        assertThat(hub().userConnectionCount("alice")).isEqualTo(1);

        ClientSession second = node.connectedClient("alice").session();
        ClientSession third = node.connectedClient("alice").session();
        ClientSession bob = node.connectedClient("bob").session();
        assertThat(hub().userSessions("alice")).containsExactlyInAnyOrder(first, second, third);
        assertThat(hub().userConnectionCount("alice")).isEqualTo(3);
        assertThat(hub().numClients()).isEqualTo(4);
        assertThat(hub().numUniqueUsers()).isEqualTo(2);
        assertThat(all()).containsExactlyInAnyOrder(first, second, third, bob);

        second.close(Disconnect.DISCONNECT);
        first.close(Disconnect.DISCONNECT);
        assertThat(hub().userSessions("alice")).containsExactly(third);
        assertThat(hub().userConnectionCount("alice")).isEqualTo(1);
        assertThat(hub().numClients()).isEqualTo(2);

        // a second session again while the set has one
        ClientSession fourth = node.connectedClient("alice").session();
        assertThat(hub().userSessions("alice")).containsExactlyInAnyOrder(third, fourth);

        third.close(Disconnect.DISCONNECT);
        fourth.close(Disconnect.DISCONNECT);
        assertThat(hub().userSessions("alice")).isEmpty();
        assertThat(hub().userConnectionCount("alice")).isZero();
        assertThat(hub().numUniqueUsers()).isEqualTo(1);
        assertThat(all()).containsExactly(bob);
    }

    @Test
    void closingASessionTwiceOrAnotherUsersSessionLeavesTheRegistryIntact() {
        ClientSession alice = node.connectedClient("alice").session();
        ClientSession bob = node.connectedClient("bob").session();
        bob.close(Disconnect.DISCONNECT);
        bob.close(Disconnect.DISCONNECT);
        assertThat(hub().userSessions("alice")).containsExactly(alice);
        assertThat(hub().numClients()).isEqualTo(1);
    }

    @Test
    void manyAnonymousSessionsShareOneEntry() {
        List<ClientSession> sessions = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sessions.add(node.connectedClient("").session());
        }
        assertThat(hub().userConnectionCount("")).isEqualTo(100);
        assertThat(hub().numUniqueUsers()).isEqualTo(1);
        for (ClientSession s : sessions.subList(0, 99)) {
            s.close(Disconnect.DISCONNECT);
        }
        assertThat(hub().userSessions("")).containsExactly(sessions.get(99));
        assertThat(hub().numClients()).isEqualTo(1);
    }

    /**
     * Two threads add and remove sessions of one user at once, so in every round the entry goes from the bare
     * session to a set while both add, and away while both remove: after the adds every session is there, after
     * the removes none is.
     */
    @Test
    void concurrentAddsAndRemovesOfOneUserLoseNoSession() throws Exception {
        int perThread = 1000;
        List<ClientSession> a = new ArrayList<>();
        List<ClientSession> b = new ArrayList<>();
        for (int i = 0; i < perThread; i++) {
            a.add(node.client().session());
            b.add(node.client().session());
        }
        for (int round = 0; round < 20; round++) {
            both(() -> a.forEach(s -> hub().addUser(s, 0)), () -> b.forEach(s -> hub().addUser(s, 0)));
            assertThat(hub().userConnectionCount("")).isEqualTo(2 * perThread);
            assertThat(all()).hasSize(2 * perThread).containsAll(a).containsAll(b);
            both(() -> a.forEach(hub()::removeUser), () -> b.forEach(hub()::removeUser));
            assertThat(hub().userConnectionCount("")).isZero();
            assertThat(hub().numUniqueUsers()).isZero();
        }
    }

    @Test
    void concurrentAddsOfOneUserStopAtTheLimit() throws Exception {
        int limit = 5;
        for (int round = 0; round < 50; round++) {
            List<ClientSession> a = new ArrayList<>();
            List<ClientSession> b = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                a.add(node.client().session());
                b.add(node.client().session());
            }
            AtomicInteger added = new AtomicInteger();
            Consumer<ClientSession> add = s -> {
                if (hub().addUser(s, limit)) {
                    added.incrementAndGet();
                }
            };
            both(() -> a.forEach(add), () -> b.forEach(add));
            assertThat(hub().userConnectionCount("")).isEqualTo(limit);
            assertThat(added).hasValue(limit);
            a.forEach(hub()::removeUser);
            b.forEach(hub()::removeUser);
            assertThat(hub().numUniqueUsers()).isZero();
        }
    }

    /** Runs both on their own threads, released together, and waits for both. */
    private static void both(Runnable first, Runnable second) throws Exception {
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<?>[] runs = new CompletableFuture<?>[2];
        Runnable[] work = {first, second};
        for (int i = 0; i < 2; i++) {
            Runnable w = work[i];
            runs[i] = CompletableFuture.runAsync(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
                w.run();
            }, runnable -> new Thread(runnable, "hub-test").start());
        }
        go.countDown();
        CompletableFuture.allOf(runs).get(10, TimeUnit.SECONDS);
    }
}
