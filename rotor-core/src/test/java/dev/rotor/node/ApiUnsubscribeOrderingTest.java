package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An API {@code unsubscribe} (http-api.md §4.3; the Redis API queue and another node's control message take the same
 * path) that ends a subscription whose {@code subscribe} reply has not been written yet sends its {@code unsubscribe}
 * push (client-protocol.md §8) after that reply, as v1 did: the client ends unsubscribed, as the server does. Sent
 * first, the push was followed by a successful reply, and the v1 client took itself for subscribed to a channel that
 * would never deliver to it. The node runs on the memory engine behind gates the tests open ({@link GatedEngine}).
 */
class ApiUnsubscribeOrderingTest {
    private static final String ROOM = "room:x";

    private final GatedEngine.Gates gates = new GatedEngine.Gates();
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .topLevel(o -> o.recover(true).historySize(10).historyLifetime(60))
            .namespace("room", o -> o.presence(true).joinLeave(true))
            .engine(m -> new GatedEngine(m, gates)).start();

    /** Client {@code a} and another client {@code o}, each with its subscribe to {@link #ROOM} started. */
    private record TwoSubscribing(TestClient a, CompletableFuture<Void> aFrame, TestClient o,
            CompletableFuture<Void> oFrame) {
    }

    /**
     * Starts the subscribes of another client and of {@code a} to {@link #ROOM}, both held by the engine, and
     * unsubscribes {@code a} through the API meanwhile: it is not the channel's last subscriber, so its end waits for
     * nothing.
     */
    private TwoSubscribing twoSubscribingAndAUnsubscribed() {
        gates.gateSubscribe = true;
        TestClient o = node.connectedClient("o");
        CompletableFuture<Void> oFrame = o.start(Frames.subscribe("1", ROOM));
        TestClient a = node.connectedClient("a");
        CompletableFuture<Void> aFrame = a.start(Frames.subscribe("1", ROOM));
        apiUnsubscribe("a", ROOM);
        return new TwoSubscribing(a, aFrame, o, oFrame);
    }

    private static String unsubscribePush(String channel) {
        return json("{'method':'unsubscribe','body':{'channel':'" + channel + "','status':true}}");
    }

    /** Unsubscribes {@code user} from {@code channel} (every channel when empty) through the HTTP API's executor. */
    private void apiUnsubscribe(String user, String channel) {
        assertThat(node.api(json("{'method':'unsubscribe','params':{'channel':'" + channel + "','user':'" + user
                + "'}}"))).isEqualTo(json("[{'method':'unsubscribe','error':null,'body':null}]"));
    }

    private void publish(String channel, String uid) {
        TestNode.await(node.node().publish(new Message(uid, channel, RawJson.of("1"), null, null),
                node.node().config().channelOptions(channel)));
    }

    /** The frame is done; the client got {@code reply}, then an unsubscribe push per channel, in order, and no more. */
    private static void assertReplyThenPushes(CompletableFuture<Void> frame, TestClient c, String reply,
            String... channels) {
        assertThat(frame).isCompleted();
        assertThat(c.next()).isEqualTo(reply); // before the fix: the pushes first
        for (String channel : channels) {
            assertThat(c.next()).isEqualTo(unsubscribePush(channel));
        }
        c.assertNoFrame();
    }

    /** Neither the session nor the hub has the subscription, and a publication to the channel does not reach it. */
    private void assertUnsubscribed(TestClient c, String channel) {
        assertThat(c.session().isSubscribed(channel)).as("session subscribed to %s", channel).isFalse();
        assertThat(node.node().hub().subscribers(channel)).doesNotContain(c.session());
        publish(channel, "after-" + channel);
        c.assertNoFrame();
    }

    @Test
    void anApiUnsubscribeWhileTheEngineSubscribesTheNodeSendsItsPushAfterTheSubscribeReply() {
        gates.gateSubscribe = true;
        TestClient c = node.connectedClient("a");
        CompletableFuture<Void> frame = c.start(Frames.subscribe("1", ROOM));
        apiUnsubscribe("a", ROOM);
        gates.subscribes.remove().complete(null);
        assertReplyThenPushes(frame, c, Frames.subscribeOk("1", ROOM), ROOM);
        assertUnsubscribed(c, ROOM);
        assertThat(gates.joinsPublished + gates.leavesPublished).as("joins and leaves").isZero();
    }

    @Test
    void anApiUnsubscribeWhileAnotherConnectionAlsoSubscribesSendsItsPushAfterTheSubscribeReply() {
        TwoSubscribing two = twoSubscribingAndAUnsubscribed();
        gates.subscribes.remove().complete(null);
        TestClient c = two.a();
        assertReplyThenPushes(two.aFrame(), c, Frames.subscribeOk("1", ROOM), ROOM);
        assertThat(two.oFrame()).isCompleted();
        TestClient o = two.o();
        assertThat(o.next()).startsWith(json("{'method':'join'")).contains(o.clientId());
        assertThat(o.next()).isEqualTo(Frames.subscribeOk("1", ROOM));
        assertUnsubscribed(c, ROOM);
        assertThat(o.next()).startsWith(json("{'method':'message'")); // no leave before it: c never joined
        o.assertNoFrame();
    }

    @Test
    void anApiUnsubscribeFromEveryChannelSendsEachPushAfterTheSubscribeReply() {
        TestClient c = node.subscribedClient("a", "news");
        gates.gateSubscribe = true;
        CompletableFuture<Void> frame = c.start(Frames.subscribe("1", ROOM));
        apiUnsubscribe("a", "");
        gates.subscribes.remove().complete(null);
        // one push per channel, in subscription order, all after the reply, as v1 sent them after the command
        assertReplyThenPushes(frame, c, Frames.subscribeOk("1", ROOM), "news", ROOM);
        assertUnsubscribed(c, "news");
        assertUnsubscribed(c, ROOM);
    }

    @Test
    void anApiUnsubscribeWhileARecoveringSubscribeReadsHistorySendsItsPushAfterTheSubscribeReply() {
        gates.gateHistory = true;
        TestClient c = node.connectedClient("a");
        CompletableFuture<Void> frame = c.start(json("{'uid':'1','method':'subscribe','params':{'channel':'news',"
                + "'recover':true,'last':''}}"));
        publish("news", "m1"); // held for the reply, then dropped with the subscription
        apiUnsubscribe("a", "news");
        gates.historyReads.remove().complete(null);
        assertReplyThenPushes(frame, c, json("{'uid':'1','method':'subscribe','body':{'channel':'news','status':true,"
                + "'last':'','messages':[{'uid':'m1','channel':'news','data':1}],'recovered':false}}"), "news");
        assertUnsubscribed(c, "news");
    }

    @Test
    void anApiUnsubscribeAfterTheSubscribeJoinedWaitsForTheRepliesOfItsFrame() {
        TestClient c = node.subscribedClient("a", "news");
        gates.gateHistory = true;
        // the subscribe is done, its reply waits for the history command after it in the same frame
        CompletableFuture<Void> frame = c.start("[" + Frames.subscribe("1", "other") + ","
                + Frames.history("2", "news") + "]");
        apiUnsubscribe("a", "other");
        gates.historyReads.remove().complete(null);
        assertThat(frame).isCompleted();
        assertThat(c.next()).startsWith("[" + Frames.subscribeOk("1", "other") + ",");
        assertThat(c.next()).isEqualTo(unsubscribePush("other"));
        c.assertNoFrame();
        assertUnsubscribed(c, "other");
    }

    @Test
    void anotherNodesUnsubscribeWhileTheEngineSubscribesSendsItsPushAfterTheSubscribeReply() {
        gates.gateSubscribe = true;
        TestClient c = node.connectedClient("a");
        CompletableFuture<Void> frame = c.start(Frames.subscribe("1", ROOM));
        node.node().onControl(new ControlMessage("another-node", "unsubscribe",
                RawJson.of(json("{'channel':'" + ROOM + "','user':'a'}"))));
        gates.subscribes.remove().complete(null);
        assertReplyThenPushes(frame, c, Frames.subscribeOk("1", ROOM), ROOM);
        assertUnsubscribed(c, ROOM);
    }

    @Test
    void aSubscribeTheEngineFailsAfterAnApiUnsubscribeClosesTheClientWithoutThePush() {
        TwoSubscribing two = twoSubscribingAndAUnsubscribed();
        gates.subscribes.remove().completeExceptionally(new IOException("connection reset"));
        assertThat(two.aFrame()).isCompleted();
        assertThat(two.oFrame()).isCompleted();
        assertThat(two.a().closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        assertThat(two.o().closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        two.a().assertNoFrame(); // before the fix: the push, before the close
        two.o().assertNoFrame();
    }

    @Test
    void pushesWaitingForTheRepliesCountAgainstTheQueueLimitAndCloseTheClientAsSlowPastIt() {
        node.reconfigure(b -> b.clientQueueMaxSize(300));
        TwoSubscribing two = twoSubscribingAndAUnsubscribed(); // one push of ~70 bytes waits
        TestClient c = two.a();
        c.transport().setQueuedBytes(200);
        assertThat(c.closedWith()).isNull();
        apiUnsubscribe("a", ROOM); // v1 sends the push again, subscribed or not: past 300 with what waits and is queued
        assertThat(c.closedWith()).isEqualTo(Disconnect.SLOW); // before the fix: every push kept, without a bound
        gates.subscribes.remove().complete(null);
        assertThat(two.aFrame()).isCompleted();
        c.assertNoFrame();
        assertOtherSubscribed(two);
    }

    /** The other client of {@link #twoSubscribingAndAUnsubscribed} got its join and its reply, and no more. */
    private static void assertOtherSubscribed(TwoSubscribing two) {
        assertThat(two.oFrame()).isCompleted();
        TestClient o = two.o();
        assertThat(o.next()).startsWith(json("{'method':'join'")).contains(o.clientId());
        assertThat(o.next()).isEqualTo(Frames.subscribeOk("1", ROOM));
        o.assertNoFrame();
    }

    @Test
    void pushesWrittenAfterTheRepliesNoLongerCountAgainstTheQueueLimit() {
        node.reconfigure(b -> b.clientQueueMaxSize(300));
        TwoSubscribing two = twoSubscribingAndAUnsubscribed();
        TestClient c = two.a();
        apiUnsubscribe("a", ROOM);
        gates.subscribes.remove().complete(null);
        assertReplyThenPushes(two.aFrame(), c, Frames.subscribeOk("1", ROOM), ROOM, ROOM);
        assertOtherSubscribed(two);
        // the next frame's waiting pushes start from nothing: two fit beside a 100-byte queue (before the fix to
        // the count, the first frame's two were still counted and the second push here closed the client)
        CompletableFuture<Void> frame = c.start(Frames.subscribe("2", "room:y"));
        c.transport().setQueuedBytes(100);
        apiUnsubscribe("a", ROOM);
        apiUnsubscribe("a", ROOM);
        assertThat(c.closedWith()).isNull();
        gates.subscribes.remove().complete(null);
        assertThat(c.next()).startsWith(json("{'method':'join'")).contains(c.clientId()); // its own, as in v1
        assertReplyThenPushes(frame, c, Frames.subscribeOk("2", "room:y"), ROOM, ROOM);
    }
}
