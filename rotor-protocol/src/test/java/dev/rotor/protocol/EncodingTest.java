package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EncodingTest {

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static final ClientInfo INFO = new ClientInfo("u1", "c1", RawJson.of("{\"name\": \"A\"}"), null);

    @Test
    void stringsAreEscapedLikeGo() {
        JsonWriter w = new JsonWriter();
        w.string("a&b<c>\"\\\n\r\t\u0001\u2028é😀");
        assertThat(w.toString())
                .isEqualTo("\"a\\u0026b\\u003cc\\u003e\\\"\\\\\\n\\r\\t\\u0001\\u2028é😀\"");
    }

    @Test
    void disconnectAdviceIsExactlyV1Json() {
        assertThat(Disconnect.INVALID_TOKEN.toJson()).isEqualTo("{\"reason\":\"invalid token\",\"reconnect\":false}");
        assertThat(Disconnect.EXPIRED.toJson()).isEqualTo("{\"reason\":\"expired\",\"reconnect\":true}");
    }

    @Test
    void messagePushKeepsDataVerbatimInV1KeyOrder() {
        Message m = new Message("U", "news", RawJson.of("{\"x\": 1}"), "c1", INFO);
        assertThat(s(Pushes.message(m))).isEqualTo("{\"method\":\"message\",\"body\":{\"uid\":\"U\",\"client\":\"c1\","
                + "\"info\":{\"default_info\":{\"name\": \"A\"},\"user\":\"u1\",\"client\":\"c1\"},"
                + "\"channel\":\"news\",\"data\":{\"x\": 1}}}");
    }

    @Test
    void apiMessagePushOmitsClientAndInfo() {
        Message m = new Message("U", "news", RawJson.of("{\"a\":1}"), "", null);
        assertThat(s(Pushes.message(m)))
                .isEqualTo("{\"method\":\"message\",\"body\":{\"uid\":\"U\",\"channel\":\"news\",\"data\":{\"a\":1}}}");
    }

    @Test
    void joinLeaveAndUnsubscribePushes() {
        ClientInfo plain = new ClientInfo("u1", "c1", null, RawJson.of("{\"c\":true}"));
        assertThat(s(Pushes.join("news", plain))).isEqualTo("{\"method\":\"join\",\"body\":{\"channel\":\"news\","
                + "\"data\":{\"channel_info\":{\"c\":true},\"user\":\"u1\",\"client\":\"c1\"}}}");
        assertThat(s(Pushes.leave("a&b", new ClientInfo("", "c", null, null))))
                .isEqualTo("{\"method\":\"leave\",\"body\":{\"channel\":\"a\\u0026b\",\"data\":{\"user\":\"\",\"client\":\"c\"}}}");
        assertThat(s(Pushes.unsubscribe("one")))
                .isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"one\",\"status\":true}}");
    }

    @Test
    void serialisedRenderingCompactsRawValues() {
        JsonWriter w = new JsonWriter();
        Renderings.serialisedMessage(w, new Message("U", "ch", RawJson.of(" {\"a\": [1, 2], \"s\": \"x y<\"}"), "c1",
                INFO));
        assertThat(w.toString()).isEqualTo("{\"uid\":\"U\",\"channel\":\"ch\",\"data\":{\"a\":[1,2],\"s\":\"x y\\u003c\"},"
                + "\"client\":\"c1\",\"info\":{\"user\":\"u1\",\"client\":\"c1\",\"default_info\":{\"name\":\"A\"}}}");
    }

    @Test
    void singleReplyIsAnObjectAndSeveralAreAnArray() {
        Reply ping = new Reply("6", "ping", null, null, null);
        Reply history = new Reply("5", "history", null, null, Reply.historyBody("news", List.of()));
        assertThat(s(Reply.encodeFrame(List.of(ping)))).isEqualTo("{\"uid\":\"6\",\"method\":\"ping\"}");
        assertThat(s(Reply.encodeFrame(List.of(history, ping)))).isEqualTo(
                "[{\"uid\":\"5\",\"method\":\"history\",\"body\":{\"channel\":\"news\",\"data\":[]}},"
                        + "{\"uid\":\"6\",\"method\":\"ping\"}]");
    }

    @Test
    void replyBodiesMatchV1() {
        assertThat(s(Reply.encodeFrame(List.of(new Reply("1", "connect", null, null,
                Reply.connectBody("1.8.0", "cid", false, false, 0)))))).isEqualTo("{\"uid\":\"1\",\"method\":\"connect\","
                + "\"body\":{\"version\":\"1.8.0\",\"client\":\"cid\",\"expires\":false,\"expired\":false,\"ttl\":0}}");
        assertThat(s(Reply.encodeFrame(List.of(new Reply("2", "subscribe", null, null,
                Reply.subscribeBody("news", true, "", null, false)))))).isEqualTo("{\"uid\":\"2\",\"method\":\"subscribe\","
                + "\"body\":{\"channel\":\"news\",\"status\":true,\"last\":\"\",\"messages\":null,\"recovered\":false}}");
        assertThat(s(Reply.encodeFrame(List.of(new Reply("", "publish", "permission denied", Advice.FIX,
                Reply.statusBody("x", false)))))).isEqualTo("{\"method\":\"publish\",\"error\":\"permission denied\","
                + "\"advice\":\"fix\",\"body\":{\"channel\":\"x\",\"status\":false}}");
        Map<String, ClientInfo> presence = new LinkedHashMap<>();
        presence.put("c1", INFO);
        assertThat(s(Reply.encodeFrame(List.of(new Reply("4", "presence", null, null,
                Reply.presenceBody("news", presence)))))).isEqualTo("{\"uid\":\"4\",\"method\":\"presence\",\"body\":"
                + "{\"channel\":\"news\",\"data\":{\"c1\":{\"user\":\"u1\",\"client\":\"c1\",\"default_info\":{\"name\":\"A\"}}}}}");
        assertThat(s(Reply.encodeFrame(List.of(new Reply("7", "ping", null, null, Reply.pingBody("hello"))))))
                .isEqualTo("{\"uid\":\"7\",\"method\":\"ping\",\"body\":{\"data\":\"hello\"}}");
    }

    @Test
    void apiRepliesAlwaysCarryErrorAndAreAnArray() {
        assertThat(s(ApiReply.encode(List.of(new ApiReply("x1", "publish", null, null, null),
                new ApiReply("", "presence", "not available", null, Reply.presenceBody("nope:a", null))))))
                .isEqualTo("[{\"uid\":\"x1\",\"method\":\"publish\",\"error\":null,\"body\":null},"
                        + "{\"method\":\"presence\",\"error\":\"not available\",\"body\":{\"channel\":\"nope:a\",\"data\":null}}]");
        assertThat(s(ApiReply.encode(List.of()))).isEqualTo("[]");
    }

    @Test
    void adviceIsWrittenOnlyWhenThereIsOne() {
        assertThat(s(Reply.encodeFrame(List.of(new Reply("", "history", "internal server error", Advice.RETRY, null)))))
                .isEqualTo("{\"method\":\"history\",\"error\":\"internal server error\",\"advice\":\"retry\"}");
        assertThat(s(Reply.encodeFrame(List.of(new Reply("", "unsubscribe", "internal server error", Advice.NONE,
                null))))).isEqualTo("{\"method\":\"unsubscribe\",\"error\":\"internal server error\"}");
        assertThat(s(ApiReply.encode(List.of(new ApiReply("", "publish", "namespace not found", Advice.FIX, null)))))
                .isEqualTo("[{\"method\":\"publish\",\"error\":\"namespace not found\",\"advice\":\"fix\","
                        + "\"body\":null}]");
        assertThat(new Reply("", "ping", null, null, null).advice()).isEqualTo(Advice.NONE);
    }

    @Test
    void compactionKeepsEscapesAndNumbersButDropsWhitespace() {
        assertThat(s(JsonCodec.compact("{ \"a\" : \"x\\\" y\" , \"n\" : 1.50 }".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("{\"a\":\"x\\\" y\",\"n\":1.50}");
        byte[] already = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(JsonCodec.compact(already)).isSameAs(already);
    }
}
