package dev.rotor.testing;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Broker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.RecordingEngineListener.Event;
import dev.rotor.testing.RecordingEngineListener.Joined;
import dev.rotor.testing.RecordingEngineListener.Left;
import dev.rotor.testing.RecordingEngineListener.Published;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.rotor.engine.Broker} and {@link dev.rotor.engine.ControlBus} contract: delivery only while
 * subscribed, per-channel order across messages, joins and leaves, control and admin messages reaching the sender,
 * and {@code channels()}. Engines extend it in their test tree. Not thread-safe (one instance per test).
 *
 * <p>Absence of a delivery is checked without sleeping: after the publish that must not arrive, a later publish into
 * the same channel that must arrive is awaited, and per-channel order guarantees the first would have come before.
 */
public abstract class BrokerContract extends EngineContractSupport {
    private static final HistoryOptions NO_HISTORY = HistoryOptions.NONE;

    @Test
    void messageIsDeliveredToTheSubscribedNode() {
        subscribe("news");
        Message m1 = message("news", "m1");

        publish(m1, NO_HISTORY);

        assertThat(listener.awaitMessages("news", 1)).containsExactly(m1);
    }

    @Test
    void clientMessageIsDeliveredWithItsClientAndInfo() {
        subscribe("chat");
        ClientInfo info = clientInfo("alice", "c-1");
        Message m1 = clientMessage("chat", "m1", info);

        publish(m1, NO_HISTORY);

        Message received = listener.awaitMessages("chat", 1).get(0);
        assertThat(received).isEqualTo(m1);
        assertThat(received.client()).isEqualTo("c-1");
        assertThat(received.info()).isEqualTo(info);
    }

    @Test
    void messagePublishedBeforeSubscribeIsNotDelivered() {
        Message early = message("news", "early");
        Message late = message("news", "late");

        publish(early, NO_HISTORY);
        subscribe("news");
        publish(late, NO_HISTORY);

        listener.awaitMessages("news", 1);
        assertThat(listener.messages("news")).containsExactly(late);
    }

    @Test
    void messagePublishedAfterUnsubscribeIsNotDelivered() {
        Message m1 = message("news", "m1");
        Message m2 = message("news", "m2");
        Message m3 = message("news", "m3");
        subscribe("news");
        publish(m1, NO_HISTORY);
        listener.awaitMessages("news", 1);

        unsubscribe("news", NO_HISTORY);
        publish(m2, NO_HISTORY);
        subscribe("news");
        publish(m3, NO_HISTORY);

        listener.awaitMessages("news", 2);
        assertThat(listener.messages("news")).containsExactly(m1, m3);
    }

    @Test
    void publishWithoutAnySubscriberSucceeds() {
        CompletionStage<Void> stage = engine.broker().publish(message("nobody", "m1"), NO_HISTORY);

        assertThat(stage.toCompletableFuture()).succeedsWithin(STAGE_TIMEOUT);
    }

    @Test
    void messagesOfOneChannelArriveInPublishOrder() {
        subscribe("ordered");
        List<Message> sent = new ArrayList<>();
        List<CompletableFuture<Void>> stages = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Message m = message("ordered", "m" + i);
            sent.add(m);
            stages.add(engine.broker().publish(m, NO_HISTORY).toCompletableFuture());
        }
        join(CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)));

        assertThat(listener.awaitMessages("ordered", sent.size())).containsExactlyElementsOf(sent);
    }

    @Test
    void joinsLeavesAndMessagesOfOneChannelKeepTheirOrder() {
        subscribe("room");
        ClientInfo alice = clientInfo("alice", "c-1");
        Message hello = clientMessage("room", "m1", alice);

        CompletionStage<Void> join = engine.broker().publishJoin("room", alice);
        CompletionStage<Void> publish = engine.broker().publish(hello, NO_HISTORY);
        CompletionStage<Void> leave = engine.broker().publishLeave("room", alice);
        join(join);
        join(publish);
        join(leave);

        assertThat(listener.awaitEvents("room", 3)).containsExactly(
                new Joined("room", alice), new Published(hello), new Left("room", alice));
    }

    @Test
    void joinAndLeaveAreDeliveredWithTheClientInfo() {
        subscribe("room");
        ClientInfo bob = clientInfo("bob", "c-2");

        join(engine.broker().publishJoin("room", bob));
        join(engine.broker().publishLeave("room", bob));

        listener.awaitEvents("room", 2);
        assertThat(listener.joins("room")).containsExactly(bob);
        assertThat(listener.leaves("room")).containsExactly(bob);
    }

    @Test
    void joinAndLeaveAreNotDeliveredWithoutSubscription() {
        ClientInfo bob = clientInfo("bob", "c-2");

        join(engine.broker().publishJoin("room", bob));
        subscribe("room");
        join(engine.broker().publishLeave("room", bob));

        assertThat(listener.awaitEvents("room", 1)).containsExactly(new Left("room", bob));
    }

    @Test
    void channelsDoNotMix() {
        subscribe("a");
        subscribe("b");
        Message inA = message("a", "m-a");
        Message inB = message("b", "m-b");

        publish(message("c", "m-c"), NO_HISTORY);
        publish(inA, NO_HISTORY);
        publish(inB, NO_HISTORY);

        assertThat(listener.awaitMessages("a", 1)).containsExactly(inA);
        assertThat(listener.awaitMessages("b", 1)).containsExactly(inB);
        assertThat(listener.messages("c")).isEmpty();
    }

    @Test
    void distinctChannelsNeverAliasWhateverCharactersTheyHold() {
        String[] channels = {ALIAS_OF_LONE_SURROGATE, "pub:\ufffd", "pub:\ud83d\ude00", "pub:\u00e9", "pub:e\u0301"};
        for (String channel : channels) {
            subscribe(channel);
        }
        for (String channel : channels) {
            publish(message(channel, "to " + channel), NO_HISTORY);
        }

        for (String channel : channels) {
            assertThat(listener.awaitMessages(channel, 1)).extracting(Message::uid).containsExactly("to " + channel);
        }
        assertThat(join(engine.broker().channels())).containsExactlyInAnyOrder(channels);
    }

    @Test
    void aChannelThatIsNotWellFormedIsRefusedNotAltered() {
        subscribe(ALIAS_OF_LONE_SURROGATE);

        assertRefused(engine.broker().subscribe(LONE_SURROGATE));
        assertRefused(engine.broker().publish(message(LONE_SURROGATE, "m-bad"), NO_HISTORY));
        assertRefused(engine.broker().publishJoin(LONE_SURROGATE, clientInfo("alice", "c-1")));
        assertRefused(engine.broker().publishLeave(LONE_SURROGATE, clientInfo("alice", "c-1")));
        assertRefused(engine.broker().unsubscribe(LONE_SURROGATE, NO_HISTORY));
        Message later = message(ALIAS_OF_LONE_SURROGATE, "m-later");
        publish(later, NO_HISTORY);

        // per-channel order: had the refused publish reached the look-alike channel, it would have come first
        assertThat(listener.awaitEvents(ALIAS_OF_LONE_SURROGATE, 1)).containsExactly(new Published(later));
        assertThat(join(engine.broker().channels())).containsExactly(ALIAS_OF_LONE_SURROGATE);
    }

    @Test
    void aPublicationWithAnIllFormedIdIsRefused() {
        subscribe("news");
        ClientInfo badUser = new ClientInfo("\udc00", "c-1", null, null);
        ClientInfo badClient = new ClientInfo("alice", "c-\ud800", null, null);

        assertRefused(engine.broker().publish(message("news", "uid-\ud800"), NO_HISTORY));
        assertRefused(engine.broker().publish(clientMessage("news", "m1", badUser), NO_HISTORY));
        assertRefused(engine.broker().publish(clientMessage("news", "m1", badClient), NO_HISTORY));
        assertRefused(engine.broker().publishJoin("news", badUser));
        assertRefused(engine.broker().publishLeave("news", badClient));
        Message good = message("news", "m-good");
        publish(good, NO_HISTORY);

        assertThat(listener.awaitEvents("news", 1)).containsExactly(new Published(good));
    }

    @Test
    void subscribeIsIdempotentAndOneUnsubscribeEndsDelivery() {
        Message m1 = message("news", "m1");
        Message m2 = message("news", "m2");
        Message m3 = message("news", "m3");
        subscribe("news");
        subscribe("news");
        publish(m1, NO_HISTORY);
        listener.awaitMessages("news", 1);

        unsubscribe("news", NO_HISTORY);
        unsubscribe("news", NO_HISTORY);
        publish(m2, NO_HISTORY);
        subscribe("news");
        publish(m3, NO_HISTORY);

        listener.awaitMessages("news", 2);
        assertThat(listener.messages("news")).containsExactly(m1, m3);
    }

    @Test
    void unsubscribeFromAChannelNeverSubscribedSucceeds() {
        CompletionStage<Void> stage = engine.broker().unsubscribe("never", NO_HISTORY);

        assertThat(stage.toCompletableFuture()).succeedsWithin(STAGE_TIMEOUT);
    }

    @Test
    void channelsListsExactlyTheSubscribedChannels() {
        assertThat(join(engine.broker().channels())).isEmpty();

        subscribe("a");
        subscribe("b");
        assertThat(join(engine.broker().channels())).containsExactlyInAnyOrder("a", "b");

        unsubscribe("a", NO_HISTORY);
        assertThat(join(engine.broker().channels())).containsExactly("b");

        unsubscribe("b", NO_HISTORY);
        assertThat(join(engine.broker().channels())).isEmpty();
    }

    @Test
    void concurrentPublishersOnDifferentChannelsEachKeepTheirOrder() {
        int publishers = 4;
        int perPublisher = 100;
        for (int p = 0; p < publishers; p++) {
            subscribe("ch" + p);
        }
        publishConcurrently(publishers, perPublisher, (p, i) -> message("ch" + p, "ch" + p + "-" + i), NO_HISTORY);

        for (int p = 0; p < publishers; p++) {
            String channel = "ch" + p;
            List<String> uids = listener.awaitMessages(channel, perPublisher).stream().map(Message::uid).toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < perPublisher; i++) {
                expected.add(channel + "-" + i);
            }
            assertThat(uids).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void concurrentPublishersOnOneChannelEachKeepTheirOrder() {
        int publishers = 4;
        int perPublisher = 100;
        subscribe("shared");
        publishConcurrently(publishers, perPublisher, (p, i) -> message("shared", "p" + p + "-" + i), NO_HISTORY);

        List<Message> received = listener.awaitMessages("shared", publishers * perPublisher);
        assertThat(received).hasSize(publishers * perPublisher);
        for (int p = 0; p < publishers; p++) {
            String prefix = "p" + p + "-";
            List<String> ofPublisher = received.stream().map(Message::uid).filter(uid -> uid.startsWith(prefix))
                    .toList();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < perPublisher; i++) {
                expected.add(prefix + i);
            }
            assertThat(ofPublisher).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void controlMessageReachesTheSendingNode() {
        ControlMessage payload = control("node-1", "ping", "{\"info\":{}}");

        join(engine.controlBus().publishControl(payload));

        assertThat(listener.awaitControls(1)).singleElement().isEqualTo(payload);
        assertThat(listener.admins()).isEmpty();
    }

    @Test
    void adminMessageReachesTheSendingNode() {
        ControlMessage payload = control("", "message", "{\"uid\":\"m\",\"channel\":\"c\",\"data\":1}");

        join(engine.controlBus().publishAdmin(payload));

        assertThat(listener.awaitAdmins(1)).singleElement().isEqualTo(payload);
        assertThat(listener.controls()).isEmpty();
    }

    @Test
    void eachControlMessageArrivesOnce() {
        List<String> sent = List.of("one", "two", "three");
        for (String text : sent) {
            join(engine.controlBus().publishControl(control("n", text, "{}")));
        }

        List<String> received = listener.awaitControls(sent.size()).stream()
                .map(ControlMessage::method).toList();
        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }

    @Test
    void controlAndAdminMessagesNeedNoChannelSubscription() {
        join(engine.controlBus().publishControl(control("n", "c", "{}")));
        join(engine.controlBus().publishAdmin(control("", "a", "{}")));

        assertThat(listener.awaitControls(1)).hasSize(1);
        assertThat(listener.awaitAdmins(1)).hasSize(1);
        assertThat(listener.events()).noneMatch(BrokerContract::isChannelEvent);
    }

    private static ControlMessage control(String uid, String method, String params) {
        return new ControlMessage(uid, method, RawJson.of(params));
    }

    private static boolean isChannelEvent(Event event) {
        return event instanceof Published || event instanceof Joined || event instanceof Left;
    }
}
