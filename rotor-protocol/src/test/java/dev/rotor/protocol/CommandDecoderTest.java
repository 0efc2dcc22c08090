package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandDecoderTest {

    private static List<Command> decode(String frame) {
        return CommandDecoder.decode(frame.getBytes(StandardCharsets.UTF_8), false);
    }

    private static void assertInvalid(String frame) {
        assertThatThrownBy(() -> decode(frame))
                .isInstanceOfSatisfying(ProtocolException.class,
                        e -> assertThat(e.error()).isEqualTo(ProtocolError.INVALID_MESSAGE));
    }

    @Test
    void singleObjectDecodesToOneCommandWithRawParams() {
        List<Command> cmds = decode("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}");
        assertThat(cmds).hasSize(1);
        assertThat(cmds.get(0).uid()).isEqualTo("1");
        assertThat(cmds.get(0).method()).isEqualTo("subscribe");
        assertThat(cmds.get(0).params().toString()).isEqualTo("{\"channel\":\"news\"}");
    }

    @Test
    void arrayDecodesEveryCommandInOrder() {
        List<Command> cmds = decode("[{\"method\":\"ping\"},{\"uid\":\"2\",\"method\":\"history\",\"params\":{}}]");
        assertThat(cmds).extracting(Command::method).containsExactly("ping", "history");
        assertThat(cmds.get(0).params()).isNull();
    }

    @Test
    void keysMatchCaseInsensitively() {
        Command c = decode("{\"UID\":\"x\",\"Method\":\"ping\",\"PARAMS\":null}").get(0);
        assertThat(c.uid()).isEqualTo("x");
        assertThat(c.method()).isEqualTo("ping");
        assertThat(c.params().toString()).isEqualTo("null");
    }

    @Test
    void firstByteIsCheckedLiterally() {
        assertInvalid(" {\"method\":\"ping\"}");
        assertInvalid("\n[{\"method\":\"ping\"}]");
        assertInvalid("\"ping\"");
    }

    @Test
    void emptyFrameEmptyArrayAndGarbageAreInvalid() {
        assertInvalid("");
        assertInvalid("[]");
        assertInvalid("{");
        assertInvalid("{\"method\":\"ping\"} x");
        assertInvalid("[1]");
    }

    @Test
    void nonStringUidOrMethodIsInvalid() {
        assertInvalid("{\"uid\":1,\"method\":\"ping\"}");
        assertInvalid("{\"method\":true}");
    }

    @Test
    void emptyArrayIsAllowedForTheApi() {
        assertThat(CommandDecoder.decode("[]".getBytes(StandardCharsets.UTF_8), true)).isEmpty();
    }

    @Test
    void publishDataIsKeptByteForByteIncludingWhitespace() {
        Command c = decode("{\"method\":\"publish\",\"params\":{\"channel\":\"c\",\"data\": {\"a\" : [1, 2]} }}")
                .get(0);
        Params.Publish p = Params.publish(c.params());
        assertThat(p.channel()).isEqualTo("c");
        assertThat(p.data().toString()).isEqualTo("{\"a\" : [1, 2]}");
    }

    @Test
    void scalarDataIsSlicedExactly() {
        assertThat(Params.publish(RawJson.of("{\"data\":\"x<y\",\"channel\":\"c\"}")).data().toString())
                .isEqualTo("\"x<y\"");
        assertThat(Params.publish(RawJson.of("{\"data\":12.50e1}")).data().toString()).isEqualTo("12.50e1");
        assertThat(Params.publish(RawJson.of("{\"data\":null}")).data().toString()).isEqualTo("null");
        assertThat(Params.publish(RawJson.of("{\"data\":true }")).data().toString()).isEqualTo("true");
        assertThat(Params.publish(RawJson.of("{\"channel\":\"c\"}")).data()).isNull();
    }

    @Test
    void paramsRequireStringsWhereV1HasStrings() {
        assertThatThrownBy(() -> Params.connect(RawJson.of("{\"user\":42}"))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Params.connect(RawJson.of("{\"timestamp\":1500000000}")))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Params.subscribe(RawJson.of("{\"recover\":\"yes\"}")))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Params.channelOnly(RawJson.of("\"news\""))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Params.channelOnly(null)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void nullParamsIsAnEmptyObjectAndNullFieldsKeepZeroValues() {
        assertThat(Params.channelOnly(RawJson.of("null")).channel()).isEmpty();
        Params.Connect c = Params.connect(RawJson.of("{\"user\":null,\"Timestamp\":\"1\",\"unknown\":{\"x\":[1]}}"));
        assertThat(c.user()).isEmpty();
        assertThat(c.timestamp()).isEqualTo("1");
    }

    @Test
    void subscribeParamsDecodeEveryField() {
        Params.Subscribe s = Params.subscribe(RawJson.of(
                "{\"channel\":\"$x\",\"recover\":true,\"last\":\"l\",\"client\":\"c\",\"info\":\"{}\",\"sign\":\"s\"}"));
        assertThat(s).isEqualTo(new Params.Subscribe("$x", true, "l", "c", "{}", "s"));
    }

    @Test
    void pingParamsAreOptionalButMustBeAnObject() {
        assertThat(Params.ping(null).data()).isEmpty();
        assertThat(Params.ping(RawJson.of("{\"data\":\"hello\"}")).data()).isEqualTo("hello");
        assertThatThrownBy(() -> Params.ping(RawJson.of("\"x\""))).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Params.ping(RawJson.of("{\"data\":1}"))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void broadcastParamsReadTheChannelList() {
        Params.ApiBroadcast b = Params.apiBroadcast(RawJson.of("{\"channels\":[\"a\",\"b\"],\"data\":{}}"));
        assertThat(b.channels()).containsExactly("a", "b");
        assertThat(Params.apiBroadcast(RawJson.of("{\"data\":{}}")).channels()).isEmpty();
        assertThatThrownBy(() -> Params.apiBroadcast(RawJson.of("{\"channels\":[1]}")))
                .isInstanceOf(ProtocolException.class);
    }
}
