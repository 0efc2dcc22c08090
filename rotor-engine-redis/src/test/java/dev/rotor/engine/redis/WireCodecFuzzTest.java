package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.util.function.Function;

/**
 * Fuzzes the decoding of what other nodes (or anyone who can write to Redis) put in Redis ({@link WireCodec}):
 * publications, presence values, join/leave and control messages. Bytes either decode or fail with
 * {@link WireCodec.MalformedException}; the JSON they carry, which nodes relay to clients verbatim, is one JSON
 * value; and what decodes survives an encode/decode round trip. Regression inputs
 * live in {@code WireCodecFuzzTestInputs/decode/}; fuzzing runs through {@code bin/fuzz} (docs/security.md,
 * "Fuzzing").
 */
class WireCodecFuzzTest {

    @FuzzTest
    void decode(byte[] bytes) {
        Message message = decodeOrNull(bytes, WireCodec::decodeMessage);
        if (message != null) {
            assertJson(message.data());
            assertJson(message.info() == null ? null : message.info().defaultInfo());
            assertThat(WireCodec.decodeMessage(WireCodec.encodeMessage(message))).isEqualTo(message);
        }
        ClientInfo info = decodeOrNull(bytes, WireCodec::decodeClientInfo);
        if (info != null) {
            assertJson(info.defaultInfo());
            assertJson(info.channelInfo());
            assertThat(WireCodec.decodeClientInfo(WireCodec.encodeClientInfo(info))).isEqualTo(info);
        }
        WireCodec.JoinLeave joinLeave = decodeOrNull(bytes, WireCodec::decodeJoinLeave);
        if (joinLeave != null) {
            assertThat(WireCodec.decodeJoinLeave(WireCodec.encodeJoinLeave(joinLeave.channel(), joinLeave.info())))
                    .isEqualTo(joinLeave);
        }
        ControlMessage control = decodeOrNull(bytes, WireCodec::decodeControl);
        if (control != null) {
            if (control.params().length() > 0) {
                assertJson(control.params());
            }
            assertThat(WireCodec.decodeControl(WireCodec.encodeControl(control))).isEqualTo(control);
        }
    }

    /** Nodes relay these bytes to clients verbatim, so they must be one JSON value (or absent). */
    private static void assertJson(RawJson json) {
        if (json != null) {
            assertThat(JsonCodec.isValid(json.bytes())).as(json.toString()).isTrue();
        }
    }

    private static <T> T decodeOrNull(byte[] bytes, Function<byte[], T> decoder) {
        try {
            return decoder.apply(bytes);
        } catch (WireCodec.MalformedException e) {
            return null;
        }
    }
}
