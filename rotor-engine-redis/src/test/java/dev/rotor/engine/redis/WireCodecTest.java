package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The protobuf layout against bytes observed from v1 (redis-engine.md §3), and round trips. */
class WireCodecTest {

    private static byte[] concat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof Integer i) {
                out.write(i);
            } else if (p instanceof byte[] raw) {
                out.write(raw, 0, raw.length);
            } else {
                byte[] b = ((String) p).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
            }
        }
        return out.toByteArray();
    }

    @Test
    void apiPublishIsEncodedAsV1Does() {
        Message m = new Message("r1", "rch", RawJson.of("{\"n\":1}"), null, null);

        assertThat(WireCodec.encodeMessage(m))
                .isEqualTo(concat(0x0A, 2, "r1", 0x1A, 3, "rch", 0x22, 7, "{\"n\":1}"));
    }

    @Test
    void lengthsOf128BytesAndMoreTakeMultiByteVarints() {
        String data = "\"" + "x".repeat(298) + "\""; // 300 bytes: length varint 0xAC 0x02
        Message m = new Message("r1", "rch", RawJson.of(data), null, null);

        byte[] bytes = WireCodec.encodeMessage(m);

        assertThat(bytes).isEqualTo(concat(0x0A, 2, "r1", 0x1A, 3, "rch", 0x22, 0xAC, 0x02, data));
        assertThat(WireCodec.decodeMessage(bytes)).isEqualTo(m);
    }

    @Test
    void presenceValueIsEncodedAsV1Does() {
        String client = "0123456789abcdef0123456789abcdef0123"; // 36 characters, like a v1 client id
        ClientInfo info = new ClientInfo("ru", client, RawJson.of("{\"i\":1}"), null);

        assertThat(WireCodec.encodeClientInfo(info))
                .isEqualTo(concat(0x0A, 2, "ru", 0x12, 0x24, client, 0x1A, 7, "{\"i\":1}", 0x22, 0));
    }

    @Test
    void clientInfoWithoutInfosEndsWithTwoEmptyFields() {
        byte[] bytes = WireCodec.encodeClientInfo(new ClientInfo("", "c", null, null));

        assertThat(bytes).isEqualTo(concat(0x12, 1, "c", 0x1A, 0, 0x22, 0));
        assertThat(WireCodec.decodeClientInfo(bytes)).isEqualTo(new ClientInfo("", "c", null, null));
    }

    @Test
    void clientMessageRoundTripsWithItsInfo() {
        ClientInfo info = new ClientInfo("alice", "c-1", RawJson.of("{\"a\":[1]}"), RawJson.of("\"x\""));
        Message m = new Message("uid", "$private", RawJson.of("{ \"text\": \"hi\" }"), "c-1", info);

        assertThat(WireCodec.decodeMessage(WireCodec.encodeMessage(m))).isEqualTo(m);
    }

    @Test
    void joinLeaveAndControlRoundTrip() {
        ClientInfo info = new ClientInfo("bob", "c-2", null, null);
        WireCodec.JoinLeave jl = WireCodec.decodeJoinLeave(WireCodec.encodeJoinLeave("room", info));
        ControlMessage control = new ControlMessage("node-1", "ping", RawJson.of("{\"info\":{}}"));
        ControlMessage admin = new ControlMessage("", "message", RawJson.of("{}"));

        assertThat(jl).isEqualTo(new WireCodec.JoinLeave("room", info));
        assertThat(WireCodec.decodeControl(WireCodec.encodeControl(control))).isEqualTo(control);
        assertThat(WireCodec.decodeControl(WireCodec.encodeControl(admin))).isEqualTo(admin);
    }

    @Test
    void aControlMessageAsTheControlLogPublishesItCarriesItsLogId() {
        ControlMessage m = new ControlMessage("node-1", "disconnect", RawJson.of("{\"user\":\"u\"}"));
        String id = "1765100000000-7";
        // what Scripts.CONTROL_LOG_PUBLISH appends in Lua: tag byte 34 (field 4, length-delimited), length, id
        byte[] logged = concat(WireCodec.encodeControl(m), 34, id.length(), id);

        WireCodec.LoggedControl c = WireCodec.decodeLoggedControl(logged);

        assertThat(c.message()).isEqualTo(m);
        assertThat(c.logId()).isEqualTo(new StreamId(1765100000000L, 7));
        assertThat(WireCodec.decodeControl(logged)).as("decoders that do not know field 4 skip it").isEqualTo(m);
        assertThat(WireCodec.decodeLoggedControl(WireCodec.encodeControl(m)).logId()).isNull();
        for (String bad : new String[] {"", "17", "-1", "1-", "a-1", "1-2-3", "1-18446744073709551616",
            "123456789012345678901-1"}) {
            byte[] b = concat(WireCodec.encodeControl(m), 34, bad.length(), bad);
            assertThatThrownBy(() -> WireCodec.decodeLoggedControl(b)).as(bad)
                    .isInstanceOf(WireCodec.MalformedException.class);
        }
    }

    @Test
    void streamIdsOrderAsRedisOrdersThem() {
        StreamId max = StreamId.parse("18446744073709551615-18446744073709551615".getBytes(StandardCharsets.US_ASCII));

        assertThat(new StreamId(1, 9).compareTo(new StreamId(2, 0))).isNegative();
        assertThat(new StreamId(2, 1).isAfter(new StreamId(2, 0))).isTrue();
        assertThat(max.isAfter(new StreamId(Long.MAX_VALUE, 0))).as("unsigned").isTrue();
        assertThat(new StreamId(5, 7).next()).isEqualTo(new StreamId(5, 8));
        assertThat(new StreamId(5, -1).next()).isEqualTo(new StreamId(6, 0));
        assertThat(max.toString()).isEqualTo("18446744073709551615-18446744073709551615");
        assertThat(max.next()).as("no wrap to 0-0, which would read the whole log").isEqualTo(max);
    }

    @Test
    void unknownFieldsAreSkipped() {
        // field 2 (the removed timestamp, varint 1234) and field 15 (fixed32) before the known fields
        byte[] bytes = concat(0x10, 0xD2, 0x09, 0x7D, 1, 2, 3, 4, 0x0A, 1, "u", 0x1A, 1, "c", 0x22, 1, "1");

        assertThat(WireCodec.decodeMessage(bytes)).isEqualTo(new Message("u", "c", RawJson.of("1"), null, null));
    }

    @Test
    void truncatedBytesAreRejected() {
        byte[] bytes = concat(0x0A, 5, "ab");

        assertThatThrownBy(() -> WireCodec.decodeMessage(bytes)).isInstanceOf(WireCodec.MalformedException.class);
    }

    @Test
    void encodingNeverSubstitutesForAnIllFormedString() {
        ClientInfo info = new ClientInfo("u", "c", null, null);
        assertThatThrownBy(() -> WireCodec.encodeMessage(new Message("m", "pub:\ud800", RawJson.of("1"), null, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WireCodec.encodeJoinLeave("pub:\udc00", info))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WireCodec.encodeClientInfo(new ClientInfo("\ud800", "c", null, null)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> WireCodec.encodeControl(new ControlMessage("n\ud800", "ping", RawJson.of("{}"))))
                .isInstanceOf(IllegalArgumentException.class);
        RedisNames names = new RedisNames("rotor");
        assertThatThrownBy(() -> RedisNames.bytes(names.messageChannel("pub:\ud800")))
                .isInstanceOf(IllegalArgumentException.class);
        // a well-formed pair outside the BMP is written as its four UTF-8 bytes
        assertThat(RedisNames.bytes(names.messageChannel("pub:\ud83d\ude00")))
                .isEqualTo("rotor.message.pub:\ud83d\ude00".getBytes(StandardCharsets.UTF_8));
        assertThat(WireCodec.decodeJoinLeave(WireCodec.encodeJoinLeave("pub:\ud83d\ude00", info)).channel())
                .isEqualTo("pub:\ud83d\ude00");
    }

    @Test
    void jsonFieldsThatAreNotOneJsonValueAreRejected() {
        // data relayed verbatim into a push would add a forged "uid" to the frame around it
        byte[] forged = concat(0x0A, 1, "u", 0x1A, 1, "c", 0x22, 16, "1,\"uid\":\"forged\"");
        byte[] noData = concat(0x0A, 1, "u", 0x1A, 1, "c");
        byte[] badInfo = concat(0x12, 1, "c", 0x1A, 1, "{");

        assertThatThrownBy(() -> WireCodec.decodeMessage(forged)).isInstanceOf(WireCodec.MalformedException.class);
        assertThatThrownBy(() -> WireCodec.decodeMessage(noData)).isInstanceOf(WireCodec.MalformedException.class);
        assertThatThrownBy(() -> WireCodec.decodeClientInfo(badInfo))
                .isInstanceOf(WireCodec.MalformedException.class);
    }
}
