package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistorySnapshot;
import dev.rotor.protocol.Advice;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The recovery decision: what a recovering subscribe answers for each {@code last} and each unbroken extent. */
class RecoveryTest {
    /** m3, m2, m1: newest first. */
    private static final List<Message> HISTORY = List.of(message(3), message(2), message(1));

    private static Message message(int n) {
        return new Message("m" + n, "news", RawJson.of(Integer.toString(n)), null, null);
    }

    private static String reply(HistorySnapshot history, String last) {
        Reply r = new Reply("1", "subscribe", null, Advice.NONE, Recovery.body("news", history, last));
        return new String(Reply.encodeFrame(List.of(r)), StandardCharsets.UTF_8);
    }

    private static String expected(String messages, boolean recovered) {
        return json("{'uid':'1','method':'subscribe','body':{'channel':'news','status':true,'last':'',"
                + "'messages':" + messages + ",'recovered':" + recovered + "}}");
    }

    @Test
    void anUnbrokenHistoryRecoversFromAnyMessageInIt() {
        assertThat(reply(HistorySnapshot.unbroken(HISTORY), "m1")).isEqualTo(expected(
                "[{'uid':'m3','channel':'news','data':3},{'uid':'m2','channel':'news','data':2}]", true));
        assertThat(reply(HistorySnapshot.unbroken(HISTORY), "m3")).isEqualTo(expected("[]", true));
    }

    @Test
    void aLastOlderThanTheUnbrokenPartSaysNotRecoveredButStillSendsTheNewerMessages() {
        // m3 and m2 were written under the current master; m1 before a failover that may have dropped messages
        HistorySnapshot afterFailover = new HistorySnapshot(HISTORY, 1);
        assertThat(reply(afterFailover, "m2")).isEqualTo(expected("[{'uid':'m3','channel':'news','data':3}]", true));
        assertThat(reply(afterFailover, "m1")).isEqualTo(expected(
                "[{'uid':'m3','channel':'news','data':3},{'uid':'m2','channel':'news','data':2}]", false));
    }

    @Test
    void aHistoryNobodyVouchesForNeverSaysRecovered() {
        HistorySnapshot unknown = new HistorySnapshot(HISTORY, -1);
        assertThat(reply(unknown, "m3")).isEqualTo(expected("[]", false));
        assertThat(reply(unknown, "m1")).contains("\"recovered\":false");
    }

    @Test
    void anEmptyOrUnknownLastGetsTheWholeHistoryNotRecovered() {
        String whole = "[{'uid':'m3','channel':'news','data':3},{'uid':'m2','channel':'news','data':2},"
                + "{'uid':'m1','channel':'news','data':1}]";
        assertThat(reply(HistorySnapshot.unbroken(HISTORY), "")).isEqualTo(expected(whole, false));
        assertThat(reply(HistorySnapshot.unbroken(HISTORY), "gone")).isEqualTo(expected(whole, false));
    }

    @Test
    void theUnbrokenExtentIsClampedToTheHistory() {
        assertThat(new HistorySnapshot(HISTORY, 99).unbrokenThrough()).isEqualTo(2);
        assertThat(new HistorySnapshot(HISTORY, -7).unbrokenThrough()).isEqualTo(-1);
        assertThat(new HistorySnapshot(List.of(), 0).unbrokenThrough()).isEqualTo(-1);
    }
}
