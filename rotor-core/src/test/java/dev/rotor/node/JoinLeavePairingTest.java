package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.metrics.Counter;
import dev.rotor.protocol.Disconnect;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A subscription publishes its {@code leave} exactly when it published its {@code join}, and removes its presence
 * only when it added it (client-protocol.md §3, §5.3 steps 9–12, §5.4 step 3). A channel enters the connection's set
 * when its subscribe starts, before the engine subscribes the node; a subscription ended before its join (by a close,
 * an engine failure, an unsubscribe) publishes neither join nor leave, and one ended while its join is published gets
 * its leave after the join. The node runs on the memory engine behind gates the tests open ({@link GatedEngine}).
 */
class JoinLeavePairingTest {
    private static final String ROOM = "room:x";

    private final GatedEngine.Gates gates = new GatedEngine.Gates();
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .namespace("room", o -> o.presence(true).joinLeave(true))
            .engine(m -> new GatedEngine(m, gates)).start();

    /** A client whose subscribe to {@link #ROOM} has started, and that frame's stage. */
    private record Subscribing(TestClient client, CompletableFuture<Void> frame) {
    }

    private Subscribing subscribing(String user) {
        TestClient c = node.connectedClient(user);
        return new Subscribing(c, c.start(Frames.subscribe("1", ROOM)));
    }

    /** The watcher's subscribe completed: it got its own join and its reply, and nothing of anybody else. */
    private static void assertSeesOnlyItself(Subscribing watcher) {
        assertThat(watcher.frame()).isCompleted();
        TestClient w = watcher.client();
        assertThat(w.next()).startsWith(json("{'method':'join'")).contains(w.clientId());
        assertThat(w.next()).isEqualTo(Frames.subscribeOk("1", ROOM));
        w.assertNoFrame(); // before the fix, while the node was subscribed in the engine: a leave without a join
    }

    /** Nothing of {@code gone} is left in the channel, and nothing of it was published or removed. */
    private void assertNeverJoined(TestClient gone, int leavesOfOthers) {
        assertThat(gates.leavesPublished).as("leaves published").isEqualTo(leavesOfOthers);
        assertThat(TestNode.await(node.memory().presenceStore().presence(ROOM))).doesNotContainKey(gone.clientId());
        assertThat(node.node().hub().subscribers(ROOM)).doesNotContain(gone.session());
        assertThat(node.node().metrics().count(Counter.NODE_NUM_REMOVE_PRESENCE)).as("presence removals")
                .isEqualTo(leavesOfOthers);
    }

    @Test
    void aClientClosedWhileItsSubscribeWaitsForTheEngineSubscriptionPublishesNoLeave() {
        gates.gateSubscribe = true;
        Subscribing watcher = subscribing("w");
        Subscribing gone = subscribing("a");
        gone.client().session().transportClosed();
        gates.subscribes.remove().complete(null);
        assertThat(gone.frame()).isCompleted();
        assertSeesOnlyItself(watcher);
        assertThat(gates.joinsPublished).as("joins published: the watcher's").isEqualTo(1);
        assertNeverJoined(gone.client(), 0);
        assertThat(TestNode.await(node.memory().presenceStore().presence(ROOM)))
                .containsOnlyKeys(watcher.client().clientId());
    }

    @Test
    void aClientClosedWhileItsSubscribeWaitsForTheChannelsEarlierEngineOperationPublishesNoLeave() {
        TestClient last = node.subscribedClient("l", ROOM);
        gates.gateUnsubscribe = true;
        last.session().transportClosed(); // the node's last subscriber: its engine unsubscribe waits for the test
        Subscribing watcher = subscribing("w"); // the subscribes wait for that unsubscribe
        Subscribing gone = subscribing("a");
        gone.client().session().transportClosed();
        gates.gateUnsubscribe = false;
        gates.unsubscribes.remove().complete(null);
        assertThat(gone.frame()).isCompleted();
        assertSeesOnlyItself(watcher);
        assertNeverJoined(gone.client(), 1); // the last subscriber's leave only
    }

    @Test
    void aSubscribeTheEngineFailsPublishesNoLeaveAndRemovesNoPresence() {
        gates.gateSubscribe = true;
        Subscribing gone = subscribing("a");
        gates.subscribes.remove().completeExceptionally(new IOException("connection refused"));
        assertThat(gone.frame()).isCompleted();
        assertThat(gone.client().closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        assertThat(gates.joinsPublished).isZero();
        assertNeverJoined(gone.client(), 0); // before the fix: a leave, and a presence removal on a frozen Redis
        assertThat(node.node().hasSubscribers(ROOM)).isFalse();
    }

    /**
     * Starts a watcher's subscribe and another client's, both waiting for the engine; {@code unsubscribe} ends the
     * other's subscription meanwhile, and {@code frames} are what that client gets, in order, until the engine has
     * subscribed.
     */
    private void unsubscribedWhileSubscribing(Consumer<TestClient> unsubscribe, String... frames) {
        gates.gateSubscribe = true;
        Subscribing watcher = subscribing("w");
        Subscribing gone = subscribing("a");
        TestClient c = gone.client();
        unsubscribe.accept(c);
        gates.subscribes.remove().complete(null);
        assertThat(gone.frame()).isCompleted();
        for (String frame : frames) {
            assertThat(c.next()).isEqualTo(frame);
        }
        c.assertNoFrame(); // no own join: it had left
        assertSeesOnlyItself(watcher);
        assertNeverJoined(c, 0);
    }

    @Test
    void anUnsubscribeWhileTheSubscribeWaitsForTheEnginePublishesNoLeave() {
        // the adapters hand a connection's next frame in only when the frame before it is done (§2.2), so a client
        // cannot do this through them; the session keeps the rule all the same
        unsubscribedWhileSubscribing(c -> assertThat(c.start(Frames.unsubscribe("2", ROOM))).isCompleted(),
                Frames.statusReply("2", "unsubscribe", ROOM, true), Frames.subscribeOk("1", ROOM));
    }

    @Test
    void anApiUnsubscribeWhileTheSubscribeWaitsForTheEnginePublishesNoLeave() {
        // the push after the reply (ApiUnsubscribeOrderingTest)
        unsubscribedWhileSubscribing(c -> node.api(json("{'method':'unsubscribe','params':{'channel':'" + ROOM
                + "','user':'a'}}")), Frames.subscribeOk("1", ROOM),
                json("{'method':'unsubscribe','body':{'channel':'" + ROOM + "','status':true}}"));
    }

    @Test
    void aClientClosedWhileItsJoinIsPublishedHasItsLeaveAfterTheJoin() {
        TestClient watcher = node.subscribedClient("w", ROOM);
        TestClient gone = node.connectedClient("a");
        // the close arrives after the subscribe decided to join, before the engine publishes the join
        gates.beforeJoin = () -> {
            gates.beforeJoin = null;
            gone.session().transportClosed();
        };
        assertThat(gone.start(Frames.subscribe("1", ROOM))).isCompleted();
        // before the fix the close published the leave first, and the watcher kept a member who had gone
        assertThat(watcher.next()).startsWith(json("{'method':'join'")).contains(gone.clientId());
        assertThat(watcher.next()).startsWith(json("{'method':'leave'")).contains(gone.clientId());
        watcher.assertNoFrame();
        assertThat(gates.leavesPublished).isEqualTo(1);
        assertThat(TestNode.await(node.memory().presenceStore().presence(ROOM))).containsOnlyKeys(watcher.clientId());
    }

    @Test
    void aClientClosedAfterItJoinedPublishesItsLeaveAndRemovesItsPresence() {
        TestClient watcher = node.subscribedClient("w", ROOM);
        TestClient gone = node.subscribedClient("a", ROOM);
        assertThat(watcher.next()).startsWith(json("{'method':'join'")).contains(gone.clientId());
        gone.session().transportClosed();
        assertThat(watcher.next()).startsWith(json("{'method':'leave'")).contains(gone.clientId());
        assertThat(TestNode.await(node.memory().presenceStore().presence(ROOM))).containsOnlyKeys(watcher.clientId());
        assertThat(node.node().metrics().count(Counter.NODE_NUM_REMOVE_PRESENCE)).isEqualTo(1);
    }
}
