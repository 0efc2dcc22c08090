package dev.rotor.testing;

import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.Broker;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@link dev.rotor.engine.HistoryStore} contract together with the history side of
 * {@link dev.rotor.engine.Broker#publish} and {@link dev.rotor.engine.Broker#unsubscribe}: newest-first order, size
 * truncation, expiry {@code history_lifetime} after the last stored publish, {@code lastMessageId}, and the
 * {@code history_drop_inactive} rules (memory-engine.md "History", redis-engine.md §4.2, §6.1). Not thread-safe
 * (one instance per test).
 *
 * <p>Expiry tests use lifetimes of 2 seconds and move time only through {@link #advanceTime}, with at least half a
 * second between an expiry instant and the next check.
 */
public abstract class HistoryStoreContract extends EngineContractSupport {
    private static final int LIFETIME = 2;

    /**
     * How many entries beyond {@code history_size} the engine keeps: 0 for memory; 1 for an engine reproducing
     * v1's Redis {@code LTRIM 0 size} quirk (redis-engine.md §4.2).
     */
    protected int extraHistoryEntries() {
        return 0;
    }

    private List<Message> history(String channel) {
        return join(engine.historyStore().history(channel));
    }

    private String lastMessageId(String channel) {
        return join(engine.historyStore().lastMessageId(channel));
    }

    private List<Message> publishAll(String channel, int count, HistoryOptions options) {
        List<Message> sent = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            Message m = message(channel, "m" + i);
            publish(m, options);
            sent.add(m);
        }
        return sent;
    }

    private static List<Message> newestFirst(List<Message> sent) {
        List<Message> reversed = new ArrayList<>(sent);
        Collections.reverse(reversed);
        return reversed;
    }

    @Test
    void unknownChannelHasEmptyHistoryAndNoLastMessageId() {
        assertThat(history("never-published")).isEmpty();
        assertThat(lastMessageId("never-published")).isEmpty();
    }

    @Test
    void historyIsNewestFirst() {
        List<Message> sent = publishAll("news", 3, history(10, 60));

        assertThat(history("news")).containsExactlyElementsOf(newestFirst(sent));
    }

    @Test
    void lastMessageIdIsTheUidOfTheNewestMessage() {
        publishAll("news", 3, history(10, 60));
        assertThat(lastMessageId("news")).isEqualTo("m3");

        publish(message("news", "m4"), history(10, 60));
        assertThat(lastMessageId("news")).isEqualTo("m4");
    }

    @Test
    void historyIsTruncatedToTheNewestHistorySizeEntries() {
        int size = 3;
        List<Message> sent = publishAll("news", 8, history(size, 60));

        int kept = size + extraHistoryEntries();
        assertThat(history("news")).containsExactlyElementsOf(newestFirst(sent).subList(0, kept));
    }

    /**
     * A read asks for at most the channel's history_size: a history another writer kept longer (a node with a larger
     * size) is read only as far as that, for plain reads and recovery alike.
     */
    @Test
    void aReadReturnsAtMostItsLimitOfTheNewestEntries() {
        List<Message> sent = publishAll("news", 12, history(12, 60));

        List<Message> newest = newestFirst(sent);
        assertThat(join(engine.historyStore().history("news", 5))).containsExactlyElementsOf(newest.subList(0, 5));
        assertThat(join(engine.historyStore().historyForRecovery("news", 5)).messages())
                .containsExactlyElementsOf(newest.subList(0, 5));
        assertThat(join(engine.historyStore().history("news", 1))).containsExactly(newest.get(0));
        assertThat(history("news")).containsExactlyElementsOf(newest);
    }

    @Test
    void historySizeOneKeepsTheNewestMessage() {
        publishAll("news", 3, history(1, 60));

        assertThat(history("news")).first().extracting(Message::uid).isEqualTo("m3");
        assertThat(history("news")).hasSize(1 + extraHistoryEntries());
    }

    @Test
    void clientMessagesKeepClientAndInfoInHistory() {
        Message m = clientMessage("chat", "m1", clientInfo("alice", "c-1"));

        publish(m, history(10, 60));

        assertThat(history("chat")).containsExactly(m);
        assertThat(history("chat").get(0).info()).isEqualTo(m.info());
    }

    @Test
    void nothingIsStoredWithoutPositiveSizeAndLifetime() {
        publish(message("a", "m1"), HistoryOptions.NONE);
        publish(message("b", "m1"), history(0, 60));
        publish(message("c", "m1"), history(10, 0));

        assertThat(history("a")).isEmpty();
        assertThat(history("b")).isEmpty();
        assertThat(history("c")).isEmpty();
        assertThat(lastMessageId("c")).isEmpty();
    }

    @Test
    void historyIsStoredWithoutSubscribersWhenDropInactiveIsOff() {
        publish(message("news", "m1"), history(10, 60));

        assertThat(history("news")).extracting(Message::uid).containsExactly("m1");
    }

    @Test
    void historiesOfChannelsAreIndependent() {
        publish(message("a", "a1"), history(10, 60));
        publish(message("b", "b1"), history(10, 60));
        publish(message("a", "a2"), history(10, 60));

        assertThat(history("a")).extracting(Message::uid).containsExactly("a2", "a1");
        assertThat(history("b")).extracting(Message::uid).containsExactly("b1");
    }

    @Test
    void wholeHistoryExpiresLifetimeAfterTheLastPublish() {
        HistoryOptions options = history(10, LIFETIME);
        publish(message("news", "m1"), options);
        advanceTime(Duration.ofSeconds(1));
        publish(message("news", "m2"), options);

        // 2.5 s after m1: m1 alone would be gone, but m2 extended the whole list.
        advanceTime(Duration.ofMillis(1500));
        assertThat(history("news")).extracting(Message::uid).containsExactly("m2", "m1");

        // 2.5 s after m2: everything is gone.
        advanceTime(Duration.ofSeconds(1));
        assertThat(history("news")).isEmpty();
        assertThat(lastMessageId("news")).isEmpty();
    }

    @Test
    void historyStartsAfreshAfterItExpired() {
        HistoryOptions options = history(10, LIFETIME);
        publish(message("news", "old"), options);
        advanceTime(Duration.ofMillis(2500));

        publish(message("news", "new"), options);

        assertThat(history("news")).extracting(Message::uid).containsExactly("new");
    }

    @Test
    void deliveredMessagesAreInHistoryInDeliveryOrder() {
        int publishers = 4;
        int perPublisher = 50;
        HistoryOptions options = history(publishers * perPublisher, 60);
        subscribe("shared");
        publishConcurrently(publishers, perPublisher, (p, i) -> message("shared", "p" + p + "-" + i), options);

        List<Message> delivered = listener.awaitMessages("shared", publishers * perPublisher);
        assertThat(history("shared")).containsExactlyElementsOf(newestFirst(delivered));
    }

    // history_drop_inactive (memory-engine.md "History", redis-engine.md §6.1)

    @Test
    void dropInactiveDoesNotStorePublishesIntoAChannelThatNeverHadSubscribers() {
        publish(message("quiet", "m1"), historyDropInactive(10, 60));

        assertThat(history("quiet")).isEmpty();
        assertThat(lastMessageId("quiet")).isEmpty();
    }

    @Test
    void dropInactiveStoresPublishesWhileTheNodeIsSubscribed() {
        subscribe("busy");

        publish(message("busy", "m1"), historyDropInactive(10, 60));

        assertThat(history("busy")).extracting(Message::uid).containsExactly("m1");
    }

    @Test
    void dropInactiveKeepsPublishesMadeRightAfterTheLastSubscriberLeft() {
        HistoryOptions options = historyDropInactive(10, LIFETIME);
        subscribe("room");
        unsubscribe("room", options);

        advanceTime(Duration.ofSeconds(1));
        publish(message("room", "m1"), options);

        assertThat(history("room")).extracting(Message::uid).containsExactly("m1");
    }

    @Test
    void dropInactiveWindowClosesLifetimeAfterTheLastSubscriberLeft() {
        HistoryOptions options = historyDropInactive(10, LIFETIME);
        subscribe("room");
        unsubscribe("room", options);

        advanceTime(Duration.ofMillis(2500));
        publish(message("room", "m1"), options);

        assertThat(history("room")).isEmpty();
    }

    @Test
    void dropInactiveKeepsStoringWhileHistoryExistsAndStopsOnceItExpired() {
        HistoryOptions options = historyDropInactive(10, LIFETIME);
        subscribe("room");
        unsubscribe("room", options); // window until t=2
        advanceTime(Duration.ofSeconds(1));
        publish(message("room", "m1"), options); // stored, history lives until t=3

        advanceTime(Duration.ofMillis(1500)); // t=2.5: window closed, history alive
        publish(message("room", "m2"), options); // stored, history lives until t=4.5
        assertThat(history("room")).extracting(Message::uid).containsExactly("m2", "m1");

        advanceTime(Duration.ofMillis(2500)); // t=5: everything expired
        publish(message("room", "m3"), options);
        assertThat(history("room")).isEmpty();
    }

    @Test
    void unsubscribeWithoutDropInactiveOpensNoWindow() {
        subscribe("room");
        unsubscribe("room", history(10, 60));

        publish(message("room", "m1"), historyDropInactive(10, 60));

        assertThat(history("room")).isEmpty();
    }

    @Test
    void historyReadDuringAnEmptyInactivityWindowIsEmpty() {
        HistoryOptions options = historyDropInactive(10, LIFETIME);
        subscribe("room");
        unsubscribe("room", options);

        assertThat(history("room")).isEmpty();
        assertThat(lastMessageId("room")).isEmpty();
    }

    @Test
    void anIllFormedChannelIsRefusedNotStoredUnderAnotherName() {
        HistoryOptions kept = history(10, 600);

        assertRefused(engine.broker().publish(message(LONE_SURROGATE, "m-bad"), kept));
        assertRefused(engine.historyStore().history(LONE_SURROGATE));
        assertRefused(engine.historyStore().lastMessageId(LONE_SURROGATE));

        assertThat(history(ALIAS_OF_LONE_SURROGATE)).isEmpty();
        assertThat(lastMessageId(ALIAS_OF_LONE_SURROGATE)).isEmpty();
        Message good = message(ALIAS_OF_LONE_SURROGATE, "m-good");
        publish(good, kept);
        assertThat(history(ALIAS_OF_LONE_SURROGATE)).containsExactly(good);
    }
}
