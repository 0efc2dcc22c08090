package dev.rotor.sdk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.protocol.BoundedJson;
import dev.rotor.protocol.TreeDecoding;
import dev.rotor.protocol.Message;
import dev.rotor.sdk.client.ConnectionListener.DisconnectEvent;
import dev.rotor.sdk.client.Credentials;
import dev.rotor.sdk.client.RotorClientConfig;
import dev.rotor.sdk.client.RotorClientException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Command encoding, frame decoding and reply correlation by uid, without a network. */
class FramesTest {
    private static final ObjectMapper JSON = BoundedJson.mapper(RotorClientConfig.DEFAULT_MAX_MESSAGE_SIZE);

    @Test
    void commandsAreEncodedAsV1ObjectsAndSeveralMakeAnArrayFrame() {
        Frames.Command connect = Frames.command("1", "connect",
                Frames.credentials(new Credentials("42", "1500000000", "{\"a\":1}", "abc")));
        assertThat(new String(connect.json())).isEqualTo("{\"uid\":\"1\",\"method\":\"connect\",\"params\":"
                + "{\"user\":\"42\",\"timestamp\":\"1500000000\",\"info\":\"{\\\"a\\\":1}\",\"token\":\"abc\"}}");
        Frames.Command sub = Frames.command("2", "subscribe", Frames.subscribe("$c", "U1", "cid", "s", ""));
        Frames.Command ping = Frames.command("3", "ping", null);
        assertThat(Frames.frame(List.of(ping))).isEqualTo("{\"uid\":\"3\",\"method\":\"ping\"}");
        assertThat(Frames.frame(List.of(sub, ping))).isEqualTo("[{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":"
                + "{\"channel\":\"$c\",\"recover\":true,\"last\":\"U1\",\"client\":\"cid\",\"info\":\"\",\"sign\":\"s\"}},"
                + "{\"uid\":\"3\",\"method\":\"ping\"}]");
        assertThat(new String(Frames.command("4", "publish", Frames.publish("a&b", "{ \"x\" : 1 }")).json()))
                .isEqualTo("{\"uid\":\"4\",\"method\":\"publish\",\"params\":{\"channel\":\"a\\u0026b\",\"data\":{ \"x\" : 1 }}}");
    }

    @Test
    void insecureConnectSendsNoCredentialsAndInvalidPublishDataIsRefusedLocally() {
        assertThat(new String(Frames.command("1", "connect", Frames.credentials(null)).json()))
                .isEqualTo("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{}}");
        assertThatThrownBy(() -> Frames.publish("a", "{oops")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("valid JSON");
    }

    @Test
    void repliesInOneArrayFrameCompleteTheirOwnCommandsWhateverTheOrder() {
        PendingReplies pending = new PendingReplies();
        PendingReplies.Registration a = pending.register();
        PendingReplies.Registration b = pending.register();
        PendingReplies.Registration c = pending.register();
        assertThat(List.of(a.uid(), b.uid(), c.uid())).containsExactly("1", "2", "3");

        List<JsonNode> frame = Frames.parse(JSON, "[{\"uid\":\"3\",\"method\":\"ping\"},"
                + "{\"uid\":\"1\",\"method\":\"presence\",\"body\":{\"channel\":\"x\",\"data\":{}}},"
                + "{\"uid\":\"2\",\"method\":\"publish\",\"error\":\"permission denied\",\"advice\":\"fix\","
                + "\"body\":{\"channel\":\"x\",\"status\":false}},"
                + "{\"method\":\"message\",\"body\":{\"uid\":\"m\",\"channel\":\"x\",\"data\":1}}]");
        assertThat(frame.stream().map(pending::complete)).containsExactly(true, true, true, false);

        assertThat(c.reply()).isCompletedWithValue(null);
        assertThat(a.reply().join().path("channel").asText()).isEqualTo("x");
        assertThat(b.reply()).isCompletedExceptionally();
        assertThatThrownBy(b.reply()::join).cause().isInstanceOfSatisfying(RotorClientException.ServerError.class, e -> {
            assertThat(e.method()).isEqualTo("publish");
            assertThat(e.error()).isEqualTo("permission denied");
            assertThat(e.advice()).isEqualTo("fix");
        });
        assertThat(pending.size()).isZero();
    }

    @Test
    void lateAndUnknownRepliesAreNotMatchedAndFailAllEmptiesTheTable() {
        PendingReplies pending = new PendingReplies();
        PendingReplies.Registration a = pending.register();
        pending.fail(a.uid(), new RotorClientException.Timeout("late"));
        assertThat(pending.complete(Frames.parse(JSON, "{\"uid\":\"1\",\"method\":\"ping\"}").get(0))).isFalse();
        assertThat(pending.complete(Frames.parse(JSON, "{\"uid\":\"99\",\"method\":\"ping\"}").get(0))).isFalse();

        CompletableFuture<JsonNode> b = pending.register().reply();
        pending.failAll(new RotorClientException.ConnectionLost("gone"));
        assertThatThrownBy(b::join).cause().isInstanceOf(RotorClientException.ConnectionLost.class);
        assertThat(pending.size()).isZero();
    }

    @Test
    void pushesAndHistoryDecodeIntoProtocolRecords() {
        JsonNode push = Frames.parse(JSON, "{\"method\":\"message\",\"body\":{\"uid\":\"U\",\"client\":\"c1\",\"info\":"
                + "{\"default_info\":{\"n\":1},\"user\":\"u1\",\"client\":\"c1\"},\"channel\":\"news\",\"data\":{\"x\":1}}}")
                .get(0);
        Message m = TreeDecoding.message(push.path("body"));
        assertThat(m.uid()).isEqualTo("U");
        assertThat(m.client()).isEqualTo("c1");
        assertThat(m.info().user()).isEqualTo("u1");
        assertThat(m.info().defaultInfo().toString()).isEqualTo("{\"n\":1}");
        assertThat(m.data().toString()).isEqualTo("{\"x\":1}");
        assertThat(TreeDecoding.messages(Frames.parse(JSON, "{\"data\":[{\"uid\":\"b\",\"channel\":\"c\",\"data\":2},"
                + "{\"uid\":\"a\",\"channel\":\"c\",\"data\":1}]}").get(0).get("data")))
                .extracting(Message::uid).containsExactly("b", "a");
        assertThatThrownBy(() -> Frames.parse(JSON, "nope")).isInstanceOf(RotorClientException.class);
        assertThatThrownBy(() -> Frames.parse(JSON, "[1]")).isInstanceOf(RotorClientException.class);
    }

    /** A frame past a parse limit is refused with the limit's words, before its tree is built. */
    @Test
    void aFramePastAParseLimitIsRefusedWithTheLimitNamed() {
        ObjectMapper small = BoundedJson.mapper(4000);
        String ok = "[" + "{},".repeat(999) + "{}]";                                  // one token per 1.5 characters
        assertThat(Frames.parse(small, ok)).hasSize(1000);
        assertThatThrownBy(() -> Frames.parse(small, "{\"data\":" + "1".repeat(1001) + "}"))
                .isInstanceOf(RotorClientException.class)
                .hasMessageStartingWith("frame from server past a parse limit (Number value length (1001) exceeds the"
                        + " maximum allowed (1000");
    }

    @Test
    void closeReasonsCarryTheServersDisconnectAdvice() {
        assertThat(RealRotorClient.closeEvent(3000, "{\"reason\":\"disconnect\",\"reconnect\":false}"))
                .isEqualTo(new DisconnectEvent("disconnect", false));
        assertThat(RealRotorClient.closeEvent(3000, "{\"reason\":\"shutting down\",\"reconnect\":true}"))
                .isEqualTo(new DisconnectEvent("shutting down", true));
        assertThat(RealRotorClient.closeEvent(1006, "")).isEqualTo(new DisconnectEvent("connection closed (1006)", true));
        assertThat(RealRotorClient.closeEvent(1009, "too big")).isEqualTo(new DisconnectEvent("too big", true));
    }
}
