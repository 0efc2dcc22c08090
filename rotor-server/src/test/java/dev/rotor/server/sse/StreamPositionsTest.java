package dev.rotor.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Pushes;
import dev.rotor.protocol.RawJson;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamPositionsTest {
    private static final ClientInfo INFO = new ClientInfo("u", "c1", RawJson.of("{\"channel\":\"not this\"}"), null);

    private static byte[] message(String channel, String uid) {
        return Pushes.message(new Message(uid, channel, RawJson.of("{\"uid\":\"nor this\"}"), "c1", INFO));
    }

    @Test
    void readsTheUidAndChannelOfAMessagePushOnly() {
        assertThat(StreamPositions.messageUidAndChannel(message("news", "m1"))).containsExactly("m1", "news");
        assertThat(StreamPositions.messageUidAndChannel(Pushes.message(new Message("m2", "a", RawJson.of("1"), null,
                null)))).containsExactly("m2", "a");
        assertThat(StreamPositions.messageUidAndChannel(Pushes.join("news", INFO))).isNull();
        assertThat(StreamPositions.messageUidAndChannel(Pushes.unsubscribe("news"))).isNull();
        assertThat(StreamPositions.messageUidAndChannel("{\"method\":".getBytes())).isNull();
    }

    @Test
    void messagesOfRecoverChannelsMoveTheirPositionAndTheId() {
        StreamPositions p = new StreamPositions(List.of("news", "live"), List.of(true, false));
        assertThat(p.tracking()).isTrue();
        p.subscribed("news", "m0", List.of(), false, null);
        p.subscribed("live", "", List.of(), false, null);
        assertThat(p.id()).isEqualTo("2:m0,");
        assertThat(p.onPush(message("live", "l1"))).isEqualTo(StreamPositions.Verdict.PLAIN);
        assertThat(p.onPush(Pushes.join("news", INFO))).isEqualTo(StreamPositions.Verdict.PLAIN);
        assertThat(p.onPush(message("news", "m1"))).isEqualTo(StreamPositions.Verdict.WITH_ID);
        assertThat(p.id()).isEqualTo("2:m1,");
    }

    @Test
    void aStreamWithoutRecoverChannelsNeedsNoIds() {
        StreamPositions p = new StreamPositions(List.of("live"), List.of(false));
        assertThat(p.tracking()).isFalse();
        assertThat(p.onPush(message("live", "l1"))).isEqualTo(StreamPositions.Verdict.PLAIN);
    }

    @Test
    void recoveredMessagesArrivingLiveAreDroppedUntilANewerOne() {
        StreamPositions p = new StreamPositions(List.of("news"), List.of(true));
        p.subscribed("news", "", List.of("m3", "m2"), true, "m1");
        assertThat(p.id()).isEqualTo("1:m3");
        assertThat(p.onPush(message("news", "m2"))).isEqualTo(StreamPositions.Verdict.SKIP);
        assertThat(p.onPush(message("news", "m3"))).isEqualTo(StreamPositions.Verdict.SKIP);
        assertThat(p.onPush(message("news", "m4"))).isEqualTo(StreamPositions.Verdict.WITH_ID);
        // once a newer message came, the recovered set is gone: the same uid again is a new publication
        assertThat(p.onPush(message("news", "m3"))).isEqualTo(StreamPositions.Verdict.WITH_ID);
        assertThat(p.id()).isEqualTo("1:m3");
    }

    @Test
    void aPositionSentIsKeptOnlyWhenTheHistoryHeldIt() {
        // found, and nothing newer: the position stays
        StreamPositions found = new StreamPositions(List.of("news"), List.of(true));
        found.subscribed("news", "", List.of(), true, "m1");
        assertThat(found.id()).isEqualTo("1:m1");
        // not found in an empty history (or the read failed): any text the browser sent, which would ride on every
        // message of the other channels, is not repeated
        StreamPositions junk = new StreamPositions(List.of("news", "sport"), List.of(true, true));
        junk.subscribed("news", "", List.of(), false, "x".repeat(4000));
        junk.subscribed("sport", "", List.of(), false, null);
        assertThat(junk.id()).isEqualTo("2:,");
        assertThat(junk.onPush(message("sport", "s1"))).isEqualTo(StreamPositions.Verdict.WITH_ID);
        assertThat(junk.id()).isEqualTo("2:,s1");
    }
}
