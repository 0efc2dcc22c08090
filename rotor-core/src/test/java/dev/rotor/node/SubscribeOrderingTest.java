package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Recovered and live messages reach a recovering subscriber without duplicates, in order, and never with a false
 * {@code recovered: true} (client-protocol.md §5.3 step 11; beyond v1, which could deliver a message live before
 * the subscribe reply and again in its recovered batch). The node runs on the memory engine behind gates the tests
 * open: the engine subscription, each history read, and the delivery of live messages to the node (a Redis
 * pub/sub stream lagging behind the history written by the same publication).
 */
class SubscribeOrderingTest {
    /** The gates of the engine in front of the memory engine, shared by every node a test starts. */
    private final GatedEngine.Gates gates = new GatedEngine.Gates();

    @RegisterExtension
    final LogCapture nodeLog = new LogCapture(Node.class);
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.recover(true).historySize(10).historyLifetime(60))
            .namespace("jl", o -> o.recover(true).joinLeave(true).historySize(10).historyLifetime(60))
            .namespace("big", o -> o.recover(true).historySize(100).historyLifetime(60))
            .namespace("room", o -> o.recover(true).presence(true).joinLeave(true).historySize(10).historyLifetime(60))
            .engine(m -> new GatedEngine(m, gates)).start();

    /** Publishes a message with uid {@code uid} and data {@code data}, as the API would. */
    private void publish(String channel, String uid, String data) {
        TestNode.await(node.node().publish(new Message(uid, channel, RawJson.of(data), null, null),
                node.node().config().channelOptions(channel)));
    }

    private static String message(String uid, String channel, String data) {
        return json("{'method':'message','body':{'uid':'" + uid + "','channel':'" + channel + "','data':" + data
                + "}}");
    }

    private static String recover(String uid, String channel, String last) {
        return json("{'uid':'" + uid + "','method':'subscribe','params':{'channel':'" + channel
                + "','recover':true,'last':'" + last + "'}}");
    }

    private static String recovered(String uid, String channel, String messages, boolean recovered) {
        return json("{'uid':'" + uid + "','method':'subscribe','body':{'channel':'" + channel
                + "','status':true,'last':'','messages':" + messages + ",'recovered':" + recovered + "}}");
    }

    /** A client whose subscribe with recovery waits for its history read, and that frame's stage. */
    private record Recovering(TestClient client, CompletableFuture<Void> frame) {
    }

    /** Connects a client and starts its subscribe with recovery, whose history read waits for {@link #readHistory}. */
    private Recovering recovering(String channel, String last) {
        gates.gateHistory = true;
        TestClient c = node.connectedClient("u");
        return new Recovering(c, c.start(recover("1", channel, last)));
    }

    /** Lets the oldest waiting history read happen now. */
    private void readHistory() {
        gates.historyReads.remove().complete(null);
    }

    @Test
    void aPublicationBetweenRegistrationAndHistoryReadArrivesOnceInTheRecoveredBatch() {
        publish("news", "m1", "1");
        Recovering r = recovering("news", "m1");
        TestClient c = r.client();
        publish("news", "m2", "2"); // registered already: delivered live to the node, and written to history
        c.assertNoFrame();
        readHistory();
        assertThat(r.frame()).isCompleted();
        assertThat(c.next()).isEqualTo(recovered("1", "news", "[{'uid':'m2','channel':'news','data':2}]", true));
        c.assertNoFrame(); // v1 also pushed m2 live, before the reply
        publish("news", "m3", "3");
        assertThat(c.next()).isEqualTo(message("m3", "news", "3"));
    }

    @Test
    void aPublicationAfterTheHistoryReadFollowsTheReplyInOrder() {
        publish("news", "m1", "1");
        gates.gateHistory = true;
        TestClient c = node.connectedClient("u");
        // the history command keeps the reply frame back after the subscribe's history read
        CompletableFuture<Void> frame = c.start("[" + recover("1", "news", "m1") + ","
                + json("{'uid':'2','method':'history','params':{'channel':'news'}}") + "]");
        publish("news", "m2", "2");
        readHistory(); // the subscribe's read: m1, m2
        publish("news", "m3", "3");
        publish("news", "m4", "4");
        c.assertNoFrame();
        readHistory();
        assertThat(frame).isCompleted();
        assertThat(c.next()).startsWith("[" + recovered("1", "news", "[{'uid':'m2','channel':'news','data':2}]",
                true) + ",");
        assertThat(c.next()).isEqualTo(message("m3", "news", "3"));
        assertThat(c.next()).isEqualTo(message("m4", "news", "4"));
        c.assertNoFrame();
    }

    @Test
    void liveMessagesTheRecoveredBatchHadAreDroppedWhenTheyArriveAfterTheReply() {
        publish("news", "m0", "0");
        TestClient other = node.subscribedClient("o", "news"); // the node is subscribed in the engine
        gates.lagLive = true;
        publish("news", "m1", "1");
        publish("news", "m2", "2");
        TestClient c = node.connectedClient("u");
        assertThat(c.call(recover("1", "news", "m0"))).isEqualTo(recovered("1", "news",
                "[{'uid':'m2','channel':'news','data':2},{'uid':'m1','channel':'news','data':1}]", true));
        deliverLagging();
        publish("news", "m3", "3");
        deliverLagging();
        assertThat(c.next()).isEqualTo(message("m3", "news", "3"));
        c.assertNoFrame();
        assertThat(List.of(other.next(), other.next(), other.next())).containsExactly(message("m1", "news", "1"),
                message("m2", "news", "2"), message("m3", "news", "3"));
    }

    @Test
    void theRecoveryFilterEndsAtTheFirstNewerMessage() {
        TestClient other = node.subscribedClient("o", "news");
        gates.lagLive = true;
        publish("news", "m1", "1");
        TestClient c = node.connectedClient("u");
        assertThat(c.call(recover("1", "news", "x"))).isEqualTo(recovered("1", "news",
                "[{'uid':'m1','channel':'news','data':1}]", false));
        gates.lagLive = false;
        publish("news", "m2", "2"); // overtakes the lagging m1: the filter ends, m2 is newer than the batch
        assertThat(c.next()).isEqualTo(message("m2", "news", "2"));
        assertThat(other.next()).isEqualTo(message("m2", "news", "2"));
        assertThat(c.session().isClosed()).isFalse();
    }

    @Test
    void heldMessagesAreCheckedAgainstTheWholeHistoryRead() {
        publish("big:x", "m0", "0");
        Recovering r = recovering("big:x", "m0");
        TestClient c = r.client();
        for (int i = 1; i <= 40; i++) {
            publish("big:x", "m" + i, Integer.toString(i));
        }
        readHistory();
        assertThat(r.frame()).isCompleted();
        assertThat(c.next()).contains(json("{'uid':'m40'"), json("'recovered':true"));
        c.assertNoFrame(); // none of the 40 held pushes again, though the filter left keeps 16 uids
    }

    @Test
    void theFiltersOfOneSessionKeepABoundedNumberOfUids() {
        // 64 uids per session, 16 per channel: the fifth channel's lagging messages are not filtered; that costs
        // duplicates only when pub/sub lags that far behind history, but a peer cannot grow the session with it
        TestClient other = node.connectedClient("o");
        for (int ch = 1; ch <= 5; ch++) {
            other.subscribe("big:" + ch);
        }
        gates.lagLive = true;
        for (int ch = 1; ch <= 5; ch++) {
            for (int i = 1; i <= 16; i++) {
                publish("big:" + ch, "c" + ch + "m" + i, Integer.toString(i));
            }
        }
        TestClient c = node.connectedClient("u");
        for (int ch = 1; ch <= 5; ch++) {
            assertThat(c.call(recover("1", "big:" + ch, "x"))).contains("c" + ch + "m16", "c" + ch + "m1\"");
        }
        deliverLagging();
        for (int ch = 1; ch <= 5; ch++) {
            for (int i = 1; i <= 16; i++) {
                assertThat(other.next()).isEqualTo(message("c" + ch + "m" + i, "big:" + ch, Integer.toString(i)));
            }
        }
        for (int i = 1; i <= 16; i++) {
            assertThat(c.next()).isEqualTo(message("c5m" + i, "big:5", Integer.toString(i)));
        }
        c.assertNoFrame();
    }

    @Test
    void ownJoinFollowsTheReplyWhenRecovering() {
        // §5.3 ordering note: clients tolerate both orders; held, the join keeps its place among the live pushes
        TestClient c = node.connectedClient("u");
        c.send(recover("1", "jl:x", "m0"));
        assertThat(c.next()).isEqualTo(recovered("1", "jl:x", "[]", false));
        assertThat(c.next()).startsWith(json("{'method':'join','body':{'channel':'jl:x'"));
    }

    @Test
    void withoutRecoveryLivePushesKeepV1sOrder() {
        // v1 compat: no hold without recover; the own join comes before the reply on the memory engine
        TestClient c = node.connectedClient("u");
        c.send(json("{'uid':'1','method':'subscribe','params':{'channel':'jl:x'}}"));
        assertThat(c.next()).startsWith(json("{'method':'join'"));
        assertThat(c.next()).startsWith(json("{'uid':'1','method':'subscribe'"));
    }

    @Test
    void heldPushesOverTheQueueLimitCloseTheClientAsSlow() {
        node.reconfigure(b -> b.clientQueueMaxSize(300));
        Recovering r = recovering("news", "m0");
        TestClient c = r.client();
        String data = "\"" + "x".repeat(100) + "\"";
        publish("news", "m1", data); // about 150 bytes: held
        assertThat(c.closedWith()).isNull();
        publish("news", "m2", data);
        assertThat(c.closedWith()).isEqualTo(Disconnect.SLOW);
        readHistory();
        assertThat(r.frame()).isCompleted();
        c.assertNoFrame();
        assertThat(node.node().hasSubscribers("news")).isFalse();
    }

    @Test
    void heldPushesCountAgainstWhatTheTransportAlreadyQueued() {
        node.reconfigure(b -> b.clientQueueMaxSize(300));
        Recovering r = recovering("news", "m0");
        TestClient c = r.client();
        c.transport().setQueuedBytes(250);
        publish("news", "m1", "1");
        assertThat(c.closedWith()).isEqualTo(Disconnect.SLOW);
        readHistory();
        assertThat(r.frame()).isCompleted();
        c.assertNoFrame();
    }

    @Test
    void unsubscribingInTheSameFrameDropsTheHeldPushes() {
        gates.gateHistory = true;
        TestClient c = node.connectedClient("u");
        CompletableFuture<Void> frame = c.start("[" + recover("1", "news", "m0") + ","
                + json("{'uid':'2','method':'unsubscribe','params':{'channel':'news'}}") + "]");
        publish("news", "m1", "1");
        readHistory();
        assertThat(frame).isCompleted();
        assertThat(c.next()).contains(json("'method':'unsubscribe'"));
        c.assertNoFrame();
        publish("news", "m2", "2");
        c.assertNoFrame();
    }

    @Test
    void aSecondSubscriberWaitsForTheEngineSubscriptionInFlight() {
        publish("news", "m1", "1");
        gates.gateSubscribe = true;
        TestClient first = node.connectedClient("a");
        CompletableFuture<Void> firstFrame = first.start(recover("1", "news", "m1"));
        TestClient second = node.connectedClient("b");
        CompletableFuture<Void> secondFrame = second.start(recover("1", "news", "m1"));
        // the node is not subscribed in the engine yet: m2 reaches history but not the node
        publish("news", "m2", "2");
        assertThat(gates.historyReadsStarted).as("history reads before the engine confirmed").isZero();
        assertThat(secondFrame).isNotDone();
        gates.subscribes.remove().complete(null);
        assertThat(firstFrame).isCompleted();
        assertThat(secondFrame).isCompleted();
        String withM2 = recovered("1", "news", "[{'uid':'m2','channel':'news','data':2}]", true);
        assertThat(first.next()).isEqualTo(withM2);
        assertThat(second.next()).isEqualTo(withM2); // before the fix: [] with recovered: true, m2 lost
        assertThat(gates.subscribes).isEmpty();
    }

    @Test
    void aFailedEngineSubscriptionFailsEverySubscriberWaitingForIt() {
        gates.gateSubscribe = true;
        TestClient first = node.connectedClient("a");
        first.start(recover("1", "news", ""));
        TestClient second = node.connectedClient("b");
        second.start(recover("1", "news", ""));
        gates.subscribes.remove().completeExceptionally(new IOException("connection refused"));
        assertThat(first.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        assertThat(second.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        assertThat(node.node().hasSubscribers("news")).isFalse();
        gates.gateSubscribe = false;
        node.subscribedClient("c", "news"); // the next subscriber starts a new engine subscription
    }

    @Test
    void aSessionClosedWhileItsEngineSubscriptionIsPendingLeavesNoPresence() {
        gates.gateSubscribe = true;
        TestClient gone = node.connectedClient("a");
        CompletableFuture<Void> frame = gone.start(
                json("{'uid':'1','method':'subscribe','params':{'channel':'room:x'}}"));
        gone.session().transportClosed();
        gates.subscribes.remove().complete(null);
        assertThat(frame).isCompleted();
        // before the fix the presence was added after the close had removed it, and stayed for good
        assertThat(TestNode.await(node.memory().presenceStore().presence("room:x"))).isEmpty();
        gates.gateSubscribe = false;
        TestClient next = node.subscribedClient("b", "room:x");
        assertThat(next.call(Frames.presence("p", "room:x"))).doesNotContain(gone.clientId());
    }

    @Test
    void aSessionClosedWhileRecoveringPublishesNeitherJoinNorLeave() {
        TestClient watcher = node.subscribedClient("w", "room:y");
        gates.gateHistory = true;
        TestClient gone = node.connectedClient("a");
        CompletableFuture<Void> frame = gone.start(recover("1", "room:y", ""));
        gone.session().transportClosed();
        // its presence was written, and the close removed it; it had not joined, so no leave
        assertThat(TestNode.await(node.memory().presenceStore().presence("room:y")))
                .containsOnlyKeys(watcher.clientId());
        watcher.assertNoFrame();
        gates.historyReads.remove().complete(null);
        assertThat(frame).isCompleted();
        // before the first fix the join came now, after the leave, and the watcher kept a member who had gone;
        // before the second the leave came without a join
        watcher.assertNoFrame();
        assertThat(gates.leavesPublished).isZero();
        assertThat(TestNode.await(node.memory().presenceStore().presence("room:y")))
                .containsOnlyKeys(watcher.clientId());
    }

    @Test
    void aSubscribeWaitsForTheUnsubscribeOfTheChannelsLastSubscriberBeforeIt() {
        TestClient gone = node.subscribedClient("a", "news");
        gates.gateUnsubscribe = true;
        gone.session().transportClosed(); // the node's last subscriber: its engine unsubscribe is on its way
        gates.gateUnsubscribe = false;
        TestClient next = node.connectedClient("b");
        CompletableFuture<Void> frame = next.start(Frames.subscribe("1", "news"));
        assertThat(frame).as("the subscribe waits for the unsubscribe before it").isNotDone();
        gates.unsubscribes.remove().complete(null);
        assertThat(frame).isCompleted();
        assertThat(next.next()).isEqualTo(Frames.subscribeOk("1", "news"));
        // before the fix the late unsubscribe landed after the subscribe: the node was not subscribed in the engine,
        // and the subscriber got nothing
        assertThat(TestNode.await(node.node().channels())).contains("news");
        publish("news", "m1", "1");
        assertThat(next.next()).isEqualTo(message("m1", "news", "1"));
    }

    @Test
    void aSubscriberArrivingAfterTheEngineRefusedTheSubscriptionFailsToo() {
        gates.gateSubscribe = true;
        TestClient first = node.connectedClient("a");
        first.start(Frames.subscribe("1", "news"));
        gates.gateSubscribe = false;
        TestClient second = node.connectedClient("b");
        // the engine's refusal closes the first subscriber; the second subscribes in the middle of that close
        first.transport().onClose(() -> second.start(Frames.subscribe("1", "news")));
        gates.subscribes.remove().completeExceptionally(new IOException("connection reset"));
        assertThat(first.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        // before the fix it took the channel for subscribed and was told so, while the node was not subscribed
        assertThat(second.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        assertThat(node.node().hasSubscribers("news")).isFalse();
        TestClient third = node.subscribedClient("c", "news"); // the next one subscribes the node anew
        assertThat(TestNode.await(node.node().channels())).contains("news");
        publish("news", "m1", "1");
        assertThat(third.next()).isEqualTo(message("m1", "news", "1"));
    }

    @Test
    void anApiUnsubscribeBeforeTheHubHasTheSubscriberLeavesNothingBehind() {
        TestClient client = node.connectedClient("u");
        ClientSession session = client.session();
        // the steps of a subscribe on the client's loop, with an API unsubscribe of the user between them
        assertThat(session.addChannel("news", null)).isTrue();
        node.node().unsubscribeUserLocally("u", "news");
        TestNode.await(node.node().addSubscription("news", session));
        client.assertNoFrame(); // the push waits for the subscribe's reply, which these steps never write
        // before the fix the hub kept the session, which its close never removed, and the node stayed subscribed
        assertThat(node.node().hasSubscribers("news")).isFalse();
        assertThat(TestNode.await(node.node().channels())).doesNotContain("news");
    }

    @Test
    void anEngineUnsubscribeThatThrowsDoesNotHoldUpTheChannelsNextSubscriber() {
        TestClient gone = node.subscribedClient("a", "news");
        gates.throwUnsubscribe = true;
        gone.session().transportClosed();
        gates.throwUnsubscribe = false;
        assertThat(node.node().hub().userConnectionCount("a")).as("the close completed").isZero();
        TestClient next = node.connectedClient("b");
        CompletableFuture<Void> frame = next.start(Frames.subscribe("1", "news"));
        // before the fix the throw escaped before the unsubscribe's turn could end, and this waited for good
        assertThat(frame).isCompleted();
        assertThat(next.next()).isEqualTo(Frames.subscribeOk("1", "news"));
    }

    /**
     * What a peer does against an engine that does not answer: {@code n} new connections that each subscribe to
     * {@code channel} and close while the subscribe waits. Returns those whose subscribe was refused at once.
     */
    private static List<TestClient> subscribeAndClose(TestNode on, String channel, int n) {
        List<TestClient> refused = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestClient c = on.connectedClient("u" + i);
            CompletableFuture<Void> frame = c.start(Frames.subscribe("1", channel));
            if (c.closedWith() == null) {
                assertThat(frame).as("waits for the engine").isNotDone();
                c.session().transportClosed();
            } else {
                refused.add(c);
            }
        }
        return refused;
    }

    /** A refused subscriber got what an engine failure gives, and the node kept nothing of it. */
    private void assertRefusedLikeAnEngineFailure(TestNode on, List<TestClient> refused, String channel) {
        for (TestClient c : refused) {
            assertThat(c.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
            assertThat(on.node().hub().subscribers(channel)).doesNotContain(c.session());
            assertThat(c.session().isSubscribed(channel)).isFalse();
        }
        assertThat(on.node().hasSubscribers(channel)).isFalse();
        assertThat(TestNode.await(on.memory().presenceStore().presence(channel))).isEmpty();
        assertThat(gates.joinsPublished).isZero();
    }

    /** The node's warnings about subscribes refused for a backlog; throttled, and the test's clock stands still. */
    private List<String> backlogWarnings() {
        return nodeLog.messages().stream().filter(m -> m.startsWith("refused a subscribe")).toList();
    }

    /** The engine answers again: the operation it holds completes, and the queued ones run at once behind it. */
    private void engineAnswers() {
        gates.gateSubscribe = false;
        gates.gateUnsubscribe = false;
        while (!gates.subscribes.isEmpty() || !gates.unsubscribes.isEmpty()) {
            (gates.subscribes.isEmpty() ? gates.unsubscribes : gates.subscribes).remove().complete(null);
        }
    }

    @Test
    void subscribeAndCloseCyclesOnAnEngineThatDoesNotAnswerStopQueueingAtTheChannelsLimit() {
        gates.gateSubscribe = true;
        gates.gateUnsubscribe = true;
        int limit = Hub.CHANNEL_OPS_LIMIT;
        List<TestClient> refused = subscribeAndClose(node, "room:x", 3 * limit);
        // each admitted cycle queued a subscribe and an unsubscribe; before the fix all 3 × limit were admitted, and
        // the channel had 6 × limit operations waiting
        assertThat(node.node().hub().unfinishedEngineOps("room:x")).isEqualTo(limit);
        assertThat(refused).hasSize(3 * limit - limit / 2);
        assertRefusedLikeAnEngineFailure(node, refused, "room:x");
        assertThat(backlogWarnings()).singleElement().asString()
                .contains("channel room:x", "the engine has not answered", "last 32 subscribe/unsubscribe operations");
        engineAnswers();
        // the engine got the queued operations and no more: one subscribe and one unsubscribe per admitted cycle
        assertThat(gates.engineSubscribes).isEqualTo(limit / 2);
        assertThat(gates.engineUnsubscribes).isEqualTo(limit / 2);
        assertThat(node.node().hub().unfinishedEngineOps("room:x")).isZero();
        assertThat(gates.joinsPublished).isZero();
        assertThat(TestNode.await(node.memory().presenceStore().presence("room:x"))).isEmpty();
    }

    @Test
    void aChannelRefusedForItsBacklogWorksAgainOnceTheEngineAnswers() {
        gates.gateSubscribe = true;
        gates.gateUnsubscribe = true;
        assertThat(subscribeAndClose(node, "room:x", 2 * Hub.CHANNEL_OPS_LIMIT)).isNotEmpty();
        engineAnswers();
        TestClient next = node.subscribedClient("n", "room:x"); // status true, its own join taken
        assertThat(TestNode.await(node.memory().presenceStore().presence("room:x"))).containsOnlyKeys(next.clientId());
        publish("room:x", "m1", "1");
        assertThat(next.next()).isEqualTo(message("m1", "room:x", "1"));
        assertThat(node.node().hub().queuedEngineSubscribes()).isZero();
    }

    @Test
    void cyclesOverManyChannelsStopQueueingSubscribesAtTheNodesLimit() {
        int nodeLimit = 4;
        int channels = 3 * nodeLimit;
        try (TestNode small = TestNode.builder()
                .namespace("room", o -> o.presence(true).joinLeave(true))
                .hub(() -> new Hub(Hub.CHANNEL_OPS_LIMIT, nodeLimit))
                .engine(m -> new GatedEngine(m, gates)).start()) {
            gates.gateSubscribe = true;
            gates.gateUnsubscribe = true;
            List<TestClient> refused = new ArrayList<>();
            for (int ch = 0; ch < channels; ch++) {
                // the first cycle's subscribe runs (the engine holds it) and its unsubscribe queues behind it; the
                // second cycle's subscribe queues behind both, and counts against the node's limit
                assertThat(subscribeAndClose(small, "room:" + ch, 1)).as("nothing in flight: never refused")
                        .isEmpty();
                List<TestClient> refusedHere = subscribeAndClose(small, "room:" + ch, 1);
                assertRefusedLikeAnEngineFailure(small, refusedHere, "room:" + ch);
                refused.addAll(refusedHere);
                // far below the channel's own limit: without the node's, nothing would be refused
                assertThat(small.node().hub().unfinishedEngineOps("room:" + ch)).isLessThanOrEqualTo(4);
            }
            // before the fix none was refused, and 3 × the limit subscribes were queued
            assertThat(small.node().hub().queuedEngineSubscribes()).isEqualTo(nodeLimit);
            assertThat(refused).hasSize(channels - nodeLimit);
            assertThat(backlogWarnings()).singleElement().asString()
                    .contains("channel room:" + nodeLimit, "this node has 4 engine subscribes waiting");
            engineAnswers();
            assertThat(small.node().hub().queuedEngineSubscribes()).isZero();
            String last = "room:" + (channels - 1);
            TestClient next = small.subscribedClient("n", last);
            TestNode.await(small.node().publish(new Message("m1", last, RawJson.of("1"), null, null),
                    small.node().config().channelOptions(last)));
            assertThat(next.next()).isEqualTo(message("m1", last, "1"));
        }
    }

    @Test
    void aSubscriberRefusedForTheBacklogPublishesNoLeave() {
        gates.gateSubscribe = true;
        gates.gateUnsubscribe = true;
        List<TestClient> refused = subscribeAndClose(node, "room:x", 3 * Hub.CHANNEL_OPS_LIMIT);
        assertThat(refused).hasSize(3 * Hub.CHANNEL_OPS_LIMIT - Hub.CHANNEL_OPS_LIMIT / 2);
        assertThat(gates.joinsPublished).isZero();
        // the refused were never in the channel (before the fix each published a leave: 96), nor had the admitted
        // ones, which closed while subscribing, joined it (before the fix each published a leave: 16)
        assertThat(gates.leavesPublished).as("leaves published").isZero();
    }

    private void deliverLagging() {
        gates.lagLive = false;
        for (Message m; (m = gates.lagging.poll()) != null; ) {
            node.node().onMessage(m);
        }
    }
}
